// Bundles the Slack app into dist/main.js (Node ESM). PGlite (WASM + data files)
// and pg stay external and load from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['@electric-sql/pglite', 'pg', 'pg-native'],
  banner: {
    js: "import { createRequire as __rmCreateRequire } from 'node:module'; const require = __rmCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
