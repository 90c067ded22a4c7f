/**
 * Server-sent events through `app.fetch` on the runtimes' own servers (Bun.serve, Deno.serve): the fixture
 * app, bundled, runs under each runtime's binary (the npm packages `bun` and `deno`), reads a stream over a
 * real connection, leaves it, and reports that the producer stopped.
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

const entry = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/runtime-realtime.ts');

afterAll(() => removeBundles());

describe.each(['bun', 'deno'] as const)('realtime under %s', (name) => {
  it.skipIf(!runtimeAvailable(name))(
    'streams server-sent events and serves WebSocket routes through app.fetch',
    async () => {
      const file = await bundleForRuntime(entry);
      const r = spawnSync(RUNTIME_BIN[name], runtimeArgs(name, file), {
        encoding: 'utf8',
        timeout: 30_000,
        env: RUNTIME_ENV,
      });
      // Deno notes once that request.signal (which eventStream listens to, to stop when the client goes) also
      // aborts after a completed response in its legacy mode: harmless here, the stream is over by then
      const stderr = r.stderr
        .split('\n')
        .filter((l) => l && !l.startsWith('Deno.serve: request.signal aborts on successful responses'))
        .join('\n');
      expect(stderr).toBe('');
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      expect(out).toEqual({
        status: 200,
        type: 'text/event-stream',
        accel: 'no',
        first: [
          ':',
          'event: tick\nid: 0\ndata: {"path":"/sse","last":"7"}',
          'event: tick\nid: 1\ndata: {"path":"/sse","last":"7"}',
        ],
        closed: 1,
        wsProtocol: 'v1',
        wsMessages: ['n=42 /ws/41 v1', 'echo hi', 'echo 3 bytes'],
        wsClose: 1009,
        wsServerClose: '1009 /ws/41',
        // Bun splits the list itself; Deno cannot parse it (it splits on ', ') and refuses: a logged 400
        commaListStatus: name === 'bun' ? 'HTTP/1.1 101 Switching Protocols' : 'HTTP/1.1 400 Bad Request',
        warnings: name === 'bun' ? [] : ['Deno refused the WebSocket upgrade'],
      });
    },
    60_000,
  );
});
