/**
 * The context contract holds on Bun and Deno too (AsyncLocalStorage there): the fixture app, bundled,
 * runs under each runtime's binary (the npm packages `bun` and `deno`) and reports what its views saw.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundleForRuntime,
  RUNTIME_BIN,
  RUNTIME_ENV,
  removeBundles,
  runtimeArgs,
  runtimeAvailable,
} from '../testing/runtimes.js';

const entry = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/runtime-context.ts');

afterAll(() => removeBundles());

describe.each(['bun', 'deno'] as const)('contexts under %s', (name) => {
  it.skipIf(!runtimeAvailable(name))(
    'request and g survive timers, setImmediate, emitters and streams',
    async () => {
      const file = await bundleForRuntime(entry);
      const r = spawnSync(RUNTIME_BIN[name], runtimeArgs(name, file), {
        encoding: 'utf8',
        timeout: 30_000,
        env: RUNTIME_ENV,
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
