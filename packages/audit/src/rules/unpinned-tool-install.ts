import { scriptHits } from '../analysis.js';
import { createRule } from '../rule.js';

/**
 * Installers and how each names a pinned version. `args` is what follows the install command up to the
 * end of the shell command; a package is pinned when `pinned` matches it, or when the command line holds
 * `lineVersion` (`cargo install x --version 1.2.3`).
 */
interface Installer {
  command: RegExp;
  pinned: RegExp;
  lineVersion?: RegExp;
  /** Options that take a value, so that the value is not read as a package. */
  valueOptions?: RegExp;
  /** Something the rest of the command must hold for it to count (`-g` for a global npm install). */
  requires?: RegExp;
  /** Arguments that are not packages from a registry: paths, requirement files, URLs with a commit. */
  notPackage?: RegExp;
}

const INSTALLERS: readonly Installer[] = [
  {
    command: /\b(?:python3?\s+-m\s+)?pip3?\s+install\b/,
    pinned: /===?[\w.*+!-]+|@\s*\S+|\.whl$|\.tar\.gz$/,
    valueOptions: /^(?:-[rcei]|--requirement|--constraint|--index-url|--extra-index-url|--target|-t|--prefix|--root|--find-links|-f|--editable|--platform|--python-version)$/,
    notPackage: /^[./~$]|^git\+|^https?:/,
  },
  { command: /\bpipx\s+install\b/, pinned: /===?[\w.*+!-]+/, notPackage: /^[./~$]|^git\+/ },
  { command: /\buv\s+tool\s+install\b/, pinned: /===?[\w.*+!-]+|@[\w.]+$/, valueOptions: /^(?:--python|-p|--with|--index-url)$/, notPackage: /^[./~$]/ },
  { command: /\b(?:npm\s+(?:install|i|add)|pnpm\s+(?:add|install|i))\b/, requires: /(?:^|\s)(?:-g|--global)\b/, pinned: /^(?:@[^@/\s]+\/)?[^@\s]+@\d[\w.+-]*$/, notPackage: /^[./~$]|^-/ },
  { command: /\byarn\s+global\s+add\b/, pinned: /^(?:@[^@/\s]+\/)?[^@\s]+@\d[\w.+-]*$/ },
  { command: /\bgo\s+install\b/, pinned: /@v?\d[\w.+-]*$|@[0-9a-f]{12,40}$/, notPackage: /^[./]/ },
  { command: /\bcargo\s+(?:\+\S+\s+)?install\b/, pinned: /@\d[\w.+-]*$/, lineVersion: /--version[ =]|--vers[ =]|--rev[ =]|--tag[ =]/, valueOptions: /^(?:--git|--branch|--root|--features|-F|--target|--registry|--index|--path)$/, notPackage: /^[./]/ },
  { command: /\bgem\s+install\b/, pinned: /:\d/, lineVersion: /\s(?:-v|--version)[ =]/ },
  { command: /\bdotnet\s+tool\s+install\b/, pinned: /@\d/, lineVersion: /--version[ =]/, valueOptions: /^(?:--tool-path|--add-source|--framework|--configfile)$/ },
];

/** Each installer's command with the rest of its shell command, compiled once. */
const COMMAND_LINES = INSTALLERS.map((installer) => ({ installer, line: new RegExp(`${installer.command.source}[^|;&\\n]*`) }));
/** Words every installer command holds: scripts without them are skipped at once. */
const ANY_INSTALL = /\b(?:install|add)\b/;

/** Package upgrades that are routine housekeeping, flagged only with --strict. */
const HOUSEKEEPING = /^(?:pip|setuptools|wheel)$/;

export const unpinnedToolInstall = createRule({
  meta: {
    id: 'unpinned-tool-install',
    category: 'unpinned-dependencies',
    severity: 'medium',
    description: 'A script installs a tool or package without a version (pip install x, npm install -g x, go install x@latest, cargo install x, gem install x), so each run gets whatever the registry serves that day, including a hijacked release.',
    fix: 'Pin the version (pip install x==1.2.3 --require-hashes from a lock file, npm install -g x@1.2.3, go install x@v1.2.3, cargo install x --version 1.2.3 --locked), or install from a lock file.',
    kb: ['KB_04#Dependencies'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report, strict }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        if (!step.run || !ANY_INSTALL.test(step.run.value)) continue;
        for (const { installer, line } of COMMAND_LINES) {
          for (const hit of scriptHits(step, line)) {
            const head = installer.command.exec(hit.text)![0];
            const rest = hit.text.slice(hit.text.indexOf(head) + head.length);
            if (installer.lineVersion?.test(rest) || (installer.requires && !installer.requires.test(rest))) continue;
            const args = rest.split(/\s+/).filter(Boolean);
            let skipNext = false;
            let from = hit.offset + hit.text.indexOf(head) + head.length;
            for (const arg of args) {
              const at = hit.run.value.indexOf(arg, from);
              from = at + arg.length;
              if (skipNext) {
                skipNext = false;
                continue;
              }
              if (arg.startsWith('-')) {
                skipNext = !arg.includes('=') && !!installer.valueOptions?.test(arg);
                continue;
              }
              const name = arg.replace(/^["']|["']$/g, '');
              if (installer.notPackage?.test(name) || name.includes('${{') || installer.pinned.test(name)) continue;
              const housekeeping = HOUSEKEEPING.test(name.split(/[<>=!~[]/)[0]!);
              if (housekeeping && !strict) continue;
              report(pipeline.file.locIn(hit.run.node, arg, at), `${head.trim()} ${name} installs whatever version the registry serves today.`, housekeeping ? { confidence: 'low', severity: 'low' } : {});
            }
          }
        }
      }
    }
  },
});
