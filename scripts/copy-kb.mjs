// Copies the repository's kb/ (the single source of truth) into a package's build output,
// so that the published package carries the knowledge base its KB traces cite.
// Usage, from a package folder: node ../../scripts/copy-kb.mjs dist/kb
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const target = process.argv[2];
if (!target) {
  console.error('usage: copy-kb.mjs <target folder>');
  process.exit(2);
}
const source = new URL('../kb/', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(source, resolve(target), { recursive: true, filter: (path) => !path.endsWith('~') });
const count = readdirSync(target).filter((f) => /^KB_\d{2}_.+\.md$/.test(f)).length;
if (count === 0) {
  console.error(`copy-kb: no KB_NN_*.md file copied into ${target}`);
  process.exit(1);
}
