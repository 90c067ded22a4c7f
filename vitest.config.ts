import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * Tests that measure a live swap of processes (the reloader keeps serving while workers change) run after
 * everything else, alone: on a 2-core machine the other test files' processes would starve the workers.
 */
const ALONE = ['packages/phial/test/dev/reload.test.ts'];

export default defineConfig({
  // Tests run against the workspace's sources (no build step between an edit and its test):
  // `phial`, `phial/<sub>` and `@phial/<name>` resolve to `packages/*/src`. The built bundle has its own
  // checks (bench/test, the CLI's process tests and the package checks in .ci/run).
  resolve: {
    alias: [
      { find: /^phial$/, replacement: `${packages}phial/src/index.ts` },
      { find: /^phial\/(.+)$/, replacement: `${packages}phial/src/$1/index.ts` },
      { find: /^@phial\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` },
    ],
  },
  test: {
    testTimeout: 20000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'phial',
          include: [
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
