// Extracts GitLab's CI JSON schema (app/assets/javascripts/editor/schema/ci.json, MIT) from the
// gitlab-ci-local npm package, which bundles it unchanged into dist/index.js, and writes
// src/validate/schemas/gitlab-ci.schema.json. Run after upgrading the gitlab-ci-local devDependency:
//   node scripts/extract-gitlab-ci-schema.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const pkgDir = dirname(require.resolve('gitlab-ci-local/package.json'));
const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

export function extractSchema(bundle) {
  // The bundle holds `var X={$schema:"http://json-schema.org/draft-07/schema#",$id:"https://gitlab.com/.gitlab-ci.yml",...};`
  // followed by gitlab-ci-local's own `delete X.definitions...` tweaks, which we do not apply.
  const idAt = bundle.indexOf('$id:"https://gitlab.com/.gitlab-ci.yml"');
  if (idAt < 0) throw new Error('GitLab CI schema not found in the gitlab-ci-local bundle');
  const start = bundle.lastIndexOf('={$schema:', idAt) + 1;
  const name = /var (\w+)=$/.exec(bundle.slice(start - 40, start))?.[1];
  if (!name) throw new Error('cannot find the schema variable');
  const end = bundle.indexOf(`;delete ${name}.definitions`, start);
  return vm.runInNewContext(`(${bundle.slice(start, end)})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const schema = extractSchema(readFileSync(join(pkgDir, 'dist', 'index.js'), 'utf8'));
  const out = join(here, '..', 'src', 'validate', 'schemas', 'gitlab-ci.schema.json');
  writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${out} from gitlab-ci-local ${version}`);
}
