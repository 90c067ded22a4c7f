/**
 * Temporary files for uploads too large to keep in memory: created private (0600, exclusive) in the OS
 * temporary folder, written in order with backpressure, removed when the request is over (and, as a last
 * resort, when the process exits).
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeFs, nodeFsPromises, nodeOs } from '../node-builtins.js';

/** Paths not removed yet: removed synchronously on exit if the request never ended (a crash, a bug). */
const live = new Set<string>();
let exitHook = false;

function removeAllSync(): void {
  for (const p of live) {
    try {
      nodeFs().unlinkSync(p);
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Removes a spooled file (errors ignored: it may be gone already). */
export function removeSpooled(path: string): Promise<void> {
  live.delete(path);
  return nodeFsPromises()
    .unlink(path)
    .then(
      () => undefined,
      () => undefined,
    );
}

/** One temporary file being written. */
export class SpoolFile {
  readonly path: string;
  size = 0;
  private handle: Promise<FileHandle>;
  /** The last write (writes are chained: they land in order). */
  private tail: Promise<unknown>;

  constructor() {
    this.path = join(nodeOs().tmpdir(), `phial-upload-${randomBytes(12).toString('hex')}`);
    live.add(this.path);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', removeAllSync);
    }
    this.handle = nodeFsPromises().open(this.path, 'wx', 0o600);
    this.tail = this.handle;
  }

  /** Appends `chunk`; resolves once it is written (the caller waits before sending more: backpressure). */
  write(chunk: Uint8Array): Promise<void> {
    this.size += chunk.byteLength;
    const next = this.tail.then(() => this.handle).then((h) => h.write(chunk));
    this.tail = next;
    return next.then(() => undefined);
  }

  /** Closes the file once everything is written. */
  close(): Promise<void> {
    return this.tail.then(
      () => this.handle.then((h) => h.close()),
      (e: unknown) =>
        this.handle
          .then(
            (h) => h.close(),
            () => undefined,
          )
          .then(() => Promise.reject(e)),
    );
  }

  /** Closes and removes the file (a failed or abandoned upload). */
  discard(): Promise<void> {
    return this.close().then(
      () => removeSpooled(this.path),
      () => removeSpooled(this.path),
    );
  }
}
