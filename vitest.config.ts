import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

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
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 20000,
    pool: 'forks',
  },
});
