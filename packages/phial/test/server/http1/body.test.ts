/** The request-body queue: backpressure on the socket, abandoning, errors. */
import { describe, expect, it } from 'vitest';
import { BodyReader, type BodySource } from '../../../src/server/http1/body.js';

function source(): BodySource & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    pauseBody: () => log.push('pause'),
    resumeBody: () => log.push('resume'),
    abandonBody: () => log.push('abandon'),
  };
}

describe('BodyReader', () => {
  it('pauses the socket past 64 KiB unread and resumes once the reader caught up', async () => {
    const src = source();
    const r = new BodyReader(src);
    for (let i = 0; i < 5; i++) r.push(new Uint8Array(16 * 1024));
    expect(src.log).toEqual(['pause']);
    let read = 0;
    for (let i = 0; i < 3; i++) read += ((await r.next()).value as Uint8Array).byteLength;
    // 32 KiB still queued: not yet
    expect(src.log).toEqual(['pause']);
    read += ((await r.next()).value as Uint8Array).byteLength;
    read += ((await r.next()).value as Uint8Array).byteLength;
    expect(src.log).toEqual(['pause', 'resume']);
    r.end();
    expect(read).toBe(5 * 16 * 1024);
    expect(await r.next()).toEqual({ done: true, value: undefined });
    expect(r.drained).toBe(true);
  });

  it('hands a chunk straight to a waiting reader', async () => {
    const r = new BodyReader(source());
    const p = r.next();
    r.push(new Uint8Array([1, 2]));
    expect([...((await p).value as Uint8Array)]).toEqual([1, 2]);
    const q = r.next();
    r.end();
    expect((await q).done).toBe(true);
  });

  it('return() drops the queue, tells the connection, and ignores later chunks', async () => {
    const src = source();
    const r = new BodyReader(src);
    r.push(new Uint8Array(10));
    await r.return();
    expect(src.log).toEqual(['abandon']);
    r.push(new Uint8Array(10));
    expect((await r.next()).done).toBe(true);
    expect(r.drained).toBe(false);
  });

  it('fail() rejects a waiting reader and later reads', async () => {
    const r = new BodyReader(source());
    const p = r.next();
    r.fail(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    await expect(r.next()).rejects.toThrow('gone');
  });
});
