/**
 * The context contract holds on Bun and Deno too (AsyncLocalStorage there): the fixture app, bundled,
 * runs under each runtime's binary (the npm packages `bun` and `deno`) and reports what its views saw.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../../..');
const BIN = { bun: join(repo, 'node_modules/.bin/bun'), deno: join(repo, 'node_modules/.bin/deno') };
/** Inside the repository, so the bundle's external packages resolve from its node_modules. */
const OUT = join(repo, 'node_modules/.cache/phial-context', `entry-${process.pid}.mjs`);

function available(name: 'bun' | 'deno'): boolean {
  try {
    return spawnSync(BIN[name], ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

let built: Promise<void> | null = null;
function bundle(): Promise<void> {
  built ??= (async () => {
    const { build } = await import('esbuild');
    mkdirSync(dirname(OUT), { recursive: true });
    await build({
      entryPoints: [join(here, 'fixtures/runtime-context.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      packages: 'external',
      alias: { '@phial/jinja': join(repo, 'packages/jinja/src/index.ts') },
      outfile: OUT,
      logLevel: 'error',
    });
  })();
  return built;
}

afterAll(() => rmSync(OUT, { force: true }));

describe.each(['bun', 'deno'] as const)('contexts under %s', (name) => {
  it.skipIf(!available(name))(
    'request and g survive timers, setImmediate, emitters and streams',
    async () => {
      await bundle();
      const args = name === 'bun' ? [OUT] : ['run', '--allow-all', '--quiet', OUT];
      const r = spawnSync(BIN[name], args, {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toEqual({
        timer: '/ctx rt',
        immediate: '/ctx rt',
        emitter: '/ctx rt',
        mechanism: 'als',
        stream: '/stream rt',
      });
    },
    60_000,
  );
});
