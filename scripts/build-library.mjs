// Builds a library package whose dependencies plain Node cannot load as published:
// @actions/workflow-parser imports JSON without an import attribute, which Node 20 and 22
// refuse. esbuild bundles src/index.ts with that package inlined (every other dependency
// stays an import), then tsc writes the declarations. Run from the package folder.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const INLINED = ['@actions/workflow-parser'];

const packageDir = process.cwd();
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const external = Object.keys(manifest.dependencies ?? {}).filter((name) => !INLINED.includes(name));
const require = createRequire(join(packageDir, 'package.json'));
const { build } = await import(require.resolve('esbuild'));

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // each dependency (and its subpaths) stays an import resolved from the consumer's node_modules
  external: external.flatMap((name) => [name, `${name}/*`]),
});
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--emitDeclarationOnly'], { stdio: 'inherit' });
