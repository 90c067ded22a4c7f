/**
 * Broadcast across node:cluster workers: a real cluster (fixtures/cluster-bus.ts: a primary with
 * `clusterRelay()`, three workers) for routing, channels, serialization and the bound on a worker that does
 * not read; in-process checks for the single-process fallbacks. `phial serve --workers` end to end is in
 * cli/process.test.ts.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Broadcast, ClusterTransport, clusterRelay, MemoryTransport } from '../../src/index.js';
import { TSX_LOADER } from '../cli/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface WorkerReport {
  got: string[];
  big: number;
  autoTransport: string;
}

function runCluster(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, path.join(here, 'fixtures/cluster-bus.ts')],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

describe('ClusterTransport and clusterRelay (a real cluster)', () => {
  it('reaches the subscribed workers of the same channel, skips a worker that does not read, and rejects what JSON cannot carry', async () => {
    const r = await runCluster();
    const [a, b, c] = [r.a, r.b, r.c] as WorkerReport[];
    // the relay marks the workers it forks: their `new Broadcast()` crosses processes
    expect(r.env).toBe('1');
    expect(r.envAfterStop).toBe(null);
    expect([a.autoTransport, b.autoTransport, c.autoTransport]).toEqual(Array(3).fill('ClusterTransport'));
    // the publisher's own subscriber gets it at once; b gets each channel's message on that channel only;
    // c subscribed to neither topic; the unsubscribed topic and the BigInt message reach nobody
    // every worker, the publisher included, sees the same JSON copy (the Date is its ISO string everywhere)
    const t = 'x:t:{"n":1,"from":"a","at":"1970-01-01T00:00:00.000Z"}:string';
    expect(a.got).toEqual([t]);
    expect(b.got).toEqual([t, 'y:t:{"n":2}']);
    expect(c.got).toEqual([]);
    expect(r.published).toMatchObject({ rejected: 'TypeError' });
    // 2000 messages of 2 KB while c's event loop is blocked: b gets all; the primary holds at most
    // maxPending (300) for c, which gets those and what its socket buffer held, then misses the rest
    expect(b.big).toBe(2000);
    expect(c.big).toBeGreaterThanOrEqual(300);
    expect(c.big).toBeLessThan(1000);
    expect(r.skipped).toEqual(['c']);
  }, 40_000);
});

describe('outside a cluster', () => {
  it('a ClusterTransport delivers in this process only, synchronously, whatever the message', async () => {
    const bus = new Broadcast({ transport: new ClusterTransport({ channel: 'solo' }) });
    const got: unknown[] = [];
    const leave = bus.subscribe('t', (m) => got.push(m));
    await bus.publish('t', { big: 1n });
    await bus.publish('other', 1);
    expect(got).toEqual([{ big: 1n }]);
    leave();
    await bus.publish('t', 2);
    expect(got).toHaveLength(1);
    expect((bus.transport as ClusterTransport).channel).toBe('solo');
  });

  it('new Broadcast() stays in memory in a process that is not a cluster worker, even with the relay variable set', () => {
    const before = process.env.PHIAL_BROADCAST_RELAY;
    process.env.PHIAL_BROADCAST_RELAY = '1';
    try {
      expect(new Broadcast().transport).toBeInstanceOf(MemoryTransport);
    } finally {
      if (before === undefined) delete process.env.PHIAL_BROADCAST_RELAY;
      else process.env.PHIAL_BROADCAST_RELAY = before;
    }
  });

  it('clusterRelay() marks the environment for the workers it will fork, and its stop function restores it', () => {
    const stop = clusterRelay();
    expect(process.env.PHIAL_BROADCAST_RELAY).toBe('1');
    stop();
    expect(process.env.PHIAL_BROADCAST_RELAY).toBeUndefined();
  });
});
