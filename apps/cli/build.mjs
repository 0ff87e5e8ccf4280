// Bundles the CLI into dist/ so that it starts fast and needs no TypeScript at run time.
// Workspace packages are bundled from their sources; @actions/workflow-parser's bare
// JSON import, which plain Node cannot load, is bundled too.
import { build } from 'esbuild';
import { workspaceSources } from '../../scripts/esbuild-workspace.mjs';

await build({
  entryPoints: { ringmaster: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['@electric-sql/pglite', 'pg'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [
    workspaceSources,
  ],
});
