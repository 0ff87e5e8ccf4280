// The esbuild plugin the CLI and the benchmarks share: `@ringmaster/<name>` resolves to
// packages/<name>/src/index.ts, so a bundle needs no prior build of the workspace packages.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const workspaceSources = {
  name: 'workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@ringmaster\/[a-z-]+$/ }, (args) => ({ path: `${root}packages/${args.path.slice('@ringmaster/'.length)}/src/index.ts` }));
  },
};
