// Bundles the benchmarks into dist/ the way apps/cli/build.mjs bundles the CLI: workspace
// packages from their TypeScript sources, so `pnpm bench` needs no prior build and no tsx.
// Two differences, because the renderer's validators load files at run time:
// - npm packages are not bundled but imported from where pnpm installed them (absolute
//   paths resolved at build time), so their `createRequire(import.meta.url)`, `__dirname` and
//   WASM lookups work (@kubernetes-models/validate, re2-wasm, cyclonedx). Only
//   @actions/workflow-parser is bundled: plain Node cannot load its bare JSON import.
// - workspace sources keep their own `import.meta.url`, so that what they find from it (the
//   KB folder, packages resolved with createRequire) is found from where they live.
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { workspaceSources } from '../scripts/esbuild-workspace.mjs';

const builtins = new Set(builtinModules);
const BUNDLED = /^@actions\/workflow-parser(\/|$)/;

await build({
  entryPoints: { main: 'src/main.ts', 'slack-server': 'src/slack-server.ts', 'slack-fake': 'src/slack-fake.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [
    workspaceSources,
    {
      name: 'installed-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData?.inner || args.path.startsWith('node:') || builtins.has(args.path.split('/')[0])) return undefined;
          if (BUNDLED.test(args.path) || /[\\/]@actions[\\/]workflow-parser[\\/]/.test(args.importer)) return undefined;
          const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
          if (resolved.errors.length > 0) return { errors: resolved.errors };
          return { path: resolved.path, external: true };
        });
      },
    },
    {
      name: 'keep-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /[\\/](packages|apps)[\\/][^\\/]+[\\/]src[\\/].*\.ts$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
        });
      },
    },
  ],
});
