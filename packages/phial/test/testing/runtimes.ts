/**
 * Running a bundled Phial app under Bun and Deno (the npm packages `bun` and `deno` ship the real binaries):
 * one bundler and one way to start each runtime for every test that checks behaviour there.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RuntimeName = 'bun' | 'deno';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The binaries installed by npm. */
export const RUNTIME_BIN: Record<RuntimeName, string> = {
  bun: join(repo, 'node_modules/.bin/bun'),
  deno: join(repo, 'node_modules/.bin/deno'),
};

/** The environment runtimes start with (no colours, no update checks). */
export const RUNTIME_ENV = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };

/** True when the runtime's binary answers `--version`. */
export function runtimeAvailable(name: RuntimeName): boolean {
  try {
    return spawnSync(RUNTIME_BIN[name], ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

/** The arguments that run `file` under the runtime. */
export function runtimeArgs(name: RuntimeName, file: string): string[] {
  return name === 'bun' ? [file] : ['run', '--allow-all', '--quiet', file];
}

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles `entry` (sources, `@phial/jinja` included) once per test process into the repository's
 * `node_modules/.cache` (so its external packages resolve) and resolves to the file; `removeBundles()` cleans up.
 */
export function bundleForRuntime(entry: string): Promise<string> {
  let out = bundles.get(entry);
  if (out === undefined) {
    out = (async () => {
      const { build } = await import('esbuild');
      const dir = join(repo, 'node_modules/.cache/phial-runtimes');
      mkdirSync(dir, { recursive: true });
      const outfile = join(dir, `entry-${process.pid}-${bundles.size}.mjs`);
      await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'es2022',
        packages: 'external',
        alias: { '@phial/jinja': join(repo, 'packages/jinja/src/index.ts') },
        outfile,
        logLevel: 'error',
      });
      return outfile;
    })();
    bundles.set(entry, out);
  }
  return out;
}

/** Removes the bundles this process made. */
export async function removeBundles(): Promise<void> {
  for (const file of await Promise.allSettled(bundles.values())) {
    if (file.status === 'fulfilled') rmSync(file.value, { force: true });
  }
  bundles.clear();
}
