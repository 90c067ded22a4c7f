/**
 * Slow bodies: a body must average BODY_MIN_RATE bytes/s over each BODY_TIMEOUT window, else 408, while a
 * slow but steady upload completes. Real sockets with a short window (both servers), and the default values
 * checked on the guard itself with a fake clock (2 bytes every 5 s is dropped within 60 s; 100 MB at 1 MB/s
 * completes).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pump } from '../../src/http/body/index.js';
import { RequestTimeout } from '../../src/http/exceptions.js';
import { Phial } from '../../src/index.js';
import { RawClient, SERVERS, sleep, start, statuses } from './helpers.js';

const sockets: RawClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

function app(): Phial {
  const a = new Phial('slow');
  a.config.BODY_TIMEOUT = 1; // one-second windows keep the test short
  a.config.BODY_MIN_RATE = 1000;
  a.post('/up', (req) => ({ size: req.data.byteLength }));
  a.post('/file', (req) => ({ size: req.files.get('f')?.size ?? -1 }));
  return a;
}

describe.each(SERVERS)('slow bodies (%s server)', (kind) => {
  it('a trickled body is dropped with 408 after one window', async () => {
    const s = await start(app(), kind);
    closers.push(s.close);
    const c = new RawClient(s.port);
    sockets.push(c);
    c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    const began = Date.now();
    const trickle = setInterval(() => c.write('ab'), 250);
    try {
      const text = await c.until((t) => /\r\n\r\n/.test(t), 6000);
      expect(statuses(text)).toEqual([408]);
      expect(Date.now() - began).toBeLessThan(4000);
      await c.untilClosed(5000);
    } finally {
      clearInterval(trickle);
    }
  });

  it('a steady upload above the rate completes', async () => {
    const s = await start(app(), kind);
    closers.push(s.close);
    const c = new RawClient(s.port);
    sockets.push(c);
    const total = 2_000_000;
    c.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    // ~800 kB/s for 2.5 s: several windows
    for (let sent = 0; sent < total; sent += 40_000) {
      c.write(Buffer.alloc(Math.min(40_000, total - sent), 0x61));
      await sleep(50);
    }
    const text = await c.until((t) => t.includes('"size"'), 5000);
    expect(statuses(text)).toEqual([200]);
    expect(text).toContain(`{"size":${total}}`);
  });

  it('a multipart upload is guarded too', async () => {
    const s = await start(app(), kind);
    closers.push(s.close);
    const c = new RawClient(s.port);
    sockets.push(c);
    c.write(
      'POST /file HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n',
    );
    c.write('--B\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n');
    const trickle = setInterval(() => c.write('ab'), 250);
    try {
      const text = await c.until((t) => /\r\n\r\n/.test(t), 6000);
      expect(statuses(text)).toEqual([408]);
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('the default guard (BODY_TIMEOUT 20 s, BODY_MIN_RATE 500 B/s)', () => {
  const guard = { timeout: 20, minRate: 500 };

  it('drops 2 bytes every 5 s within 60 s', async () => {
    vi.useFakeTimers();
    const chunk = new Uint8Array(2);
    const source = (async function* () {
      for (;;) {
        await new Promise((r) => setTimeout(r, 5000));
        yield chunk;
      }
    })();
    let failedAt = -1;
    const started = Date.now();
    const p = pump(source, null, () => undefined, guard).done.catch((e: unknown) => {
      failedAt = Date.now() - started;
      throw e;
    });
    const outcome = expect(p).rejects.toBeInstanceOf(RequestTimeout);
    await vi.advanceTimersByTimeAsync(60_000);
    await outcome;
    expect(failedAt).toBeGreaterThan(0);
    expect(failedAt).toBeLessThanOrEqual(60_000);
  });

  it('lets 100 MB at 1 MB/s complete', async () => {
    vi.useFakeTimers();
    const mb = new Uint8Array(1_000_000);
    const source = (async function* () {
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        yield mb;
      }
    })();
    const p = pump(source, null, () => undefined, guard).done;
    const outcome = expect(p).resolves.toBe(100_000_000);
    await vi.advanceTimersByTimeAsync(101_000);
    await outcome;
  });
});
