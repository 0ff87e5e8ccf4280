import { CURL_PIPE_SHELL, scriptHits } from '../analysis.js';
import { createRule } from '../rule.js';

export const curlPipeShell = createRule({
  meta: {
    id: 'curl-pipe-shell',
    category: 'unpinned-dependencies',
    severity: 'high',
    description: 'A script downloads code and runs it in one go (curl ... | bash, wget -O- | sh, bash <(curl ...)), so an unverified, unpinned installer executes with the job\'s credentials.',
    fix: 'Download a pinned version to a file, check its checksum or signature (sha256sum -c, cosign verify-blob), then run it; or use a pinned action or package.',
    gitlabFix: 'Download a pinned version to a file, check its checksum or signature (sha256sum -c, cosign verify-blob), then run it; or run the job in an image that already holds the tool, pinned by digest.',
    kb: ['KB_04#Dependencies', 'KB_04#Checksum_Fallback'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        for (const hit of scriptHits(step, CURL_PIPE_SHELL)) {
          report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `"${hit.text.trim()}" runs a downloaded script without verifying it.`);
        }
      }
    }
  },
});
