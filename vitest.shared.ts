import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig, type UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Every package's vitest config starts here: workspace packages resolve to their
 * TypeScript sources, so tests never need a prior build.
 */
export function ringmasterProject(config: UserWorkspaceConfig = {}): UserWorkspaceConfig {
  return mergeConfig(
    defineProject({
      resolve: {
        alias: [{ find: /^@ringmaster\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
      },
      test: {
        include: ['test/**/*.test.ts'],
        testTimeout: 20_000,
        // Hooks start real tools (PGlite, PostgreSQL, Prometheus, git repositories); on 2 cores shared
        // with turbo's parallel tasks that can take minutes.
        hookTimeout: 300_000,
        // @actions/workflow-parser imports JSON without an import attribute, which plain Node
        // refuses; inlining it lets vitest transform the import.
        server: { deps: { inline: [/@actions\/workflow-parser/] } },
      },
    }),
    config,
  );
}
