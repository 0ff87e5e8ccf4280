import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { get, type SourceFile } from '../model.js';
import { createRule } from '../rule.js';

const SHA = /^[0-9a-f]{40}$/;
/** A component version that names a release: 1.2.3 (a tag); `~latest` and branch names move. */
const RELEASE_VERSION = /^v?\d+(?:\.\d+)*(?:-[\w.]+)?$/;

const scalar = (node: unknown): Scalar<string> | undefined => (isScalar(node) && typeof node.value === 'string' ? (node as Scalar<string>) : undefined);

export const unpinnedInclude = createRule({
  meta: {
    id: 'unpinned-include',
    category: 'unpinned-dependencies',
    severity: 'high',
    description: 'A GitLab pipeline includes configuration from outside the repository that can change under it: a remote URL without an integrity hash, another project without ref: or at a branch, or a CI/CD component at ~latest or a branch.',
    fix: 'Pin includes: give project includes ref: <full commit SHA>, remote includes integrity: sha256-<hash>, and components @<commit SHA> (or at least a release version), and let Renovate update them.',
    kb: ['KB_04#Dependencies'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['gitlab-ci'],
  check({ pipeline, report, strict }) {
    const checkFile = (file: SourceFile): void => {
      const include = get(file.doc.contents, 'include');
      if (!include) return;
      const items: unknown[] = isSeq(include) ? include.items : [include];
      for (const item of items) {
        const bare = scalar(item);
        if (bare) {
          if (/^https?:\/\//i.test(bare.value)) report(bare, `remote include ${bare.value} has no integrity hash; its content can change.`);
          continue;
        }
        if (!isMap(item)) continue;
        const remote = scalar(get(item, 'remote'));
        if (remote && !get(item, 'integrity')) report(remote, `remote include ${remote.value} has no integrity hash; its content can change.`);
        const project = scalar(get(item, 'project'));
        if (project) {
          const refNode = get(item, 'ref');
          const ref = isScalar(refNode) ? refNode : undefined;
          const value = ref ? String(ref.value) : undefined;
          if (!ref) report(project, `include of project ${project.value} has no ref: and follows its default branch.`);
          else if (!SHA.test(value!)) {
            const release = RELEASE_VERSION.test(value!);
            if (!release) report(ref as Node, `include of project ${project.value} is at ref ${value}, a branch, not a commit SHA.`);
            else if (strict) report(ref as Node, `include of project ${project.value} is at tag ${value}, not a commit SHA.`, { confidence: 'low', severity: 'low' });
          }
        }
        const component = scalar(get(item, 'component'));
        if (component) {
          const version = component.value.split('@')[1];
          if (!version) report(component, `component ${component.value} has no version.`);
          else if (!SHA.test(version)) {
            if (!RELEASE_VERSION.test(version)) report(component, `component ${component.value} is at ${version}, which moves.`);
            else if (strict) report(component, `component ${component.value} is at release ${version}, not a commit SHA.`, { confidence: 'low', severity: 'low' });
          }
        }
      }
    };
    checkFile(pipeline.file);
    for (const file of pipeline.includes) checkFile(file);
  },
});
