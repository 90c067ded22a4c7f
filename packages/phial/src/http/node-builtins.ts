/**
 * Node built-ins that only some features need (files, temp spooling, config files), loaded on first use
 * through `process.getBuiltinModule` instead of a top-level import. A module importing `node:fs` at the
 * top fails to load where the runtime lacks it (Cloudflare Workers without the fs module, browsers);
 * loading lazily keeps every app that never touches the file system runnable there.
 */
import type * as Cluster from 'node:cluster';
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Os from 'node:os';

function builtin<T>(id: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const mod = typeof get === 'function' ? (get(id) as T | undefined) : undefined;
  if (mod === undefined)
    throw new Error(`this feature needs Node's ${id}, which this runtime does not provide`);
  return mod;
}

/** `node:fs`, loaded on first use. */
export function nodeFs(): typeof Fs {
  return builtin<typeof Fs>('node:fs');
}

/** `node:fs/promises`, loaded on first use. */
export function nodeFsPromises(): typeof FsPromises {
  return builtin<typeof FsPromises>('node:fs/promises');
}

/** `node:cluster`, loaded on first use (Broadcast's relay in a cluster primary). */
export function nodeCluster(): typeof Cluster.default {
  return builtin<typeof Cluster.default>('node:cluster');
}

/** `node:os`, loaded on first use. */
export function nodeOs(): typeof Os {
  return builtin<typeof Os>('node:os');
}

/** `process.cwd()`, or `'/'` where the runtime has no working directory (Cloudflare Workers). */
export function workingDirectory(): string {
  const p = (globalThis as { process?: { cwd?: () => string } }).process;
  return typeof p?.cwd === 'function' ? p.cwd() : '/';
}
