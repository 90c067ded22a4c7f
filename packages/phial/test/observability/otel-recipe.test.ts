/**
 * docs/observability.md's OpenTelemetry recipe as a user runs it: a separate process started with
 * `--import ./tracing.mjs` (the ESM hook, then the instrumentation), an app that knows nothing of tracing.
 * Without the hook the process starts fine and no span comes out, which is what this guards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TSX_LOADER } from '../cli/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function start(server: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, '--import', './fixtures/tracing.mjs', './fixtures/traced-app.ts'],
    { cwd: here, env: { ...process.env, SERVER: server }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe.each(['phial', 'node'])('the documented tracing.mjs with the %s server', (server) => {
  it('gives each request a SERVER span continuing the caller trace', async () => {
    const port = await start(server);
    const traceId =
      server === 'phial' ? '4bf92f3577b34da6a3ce929d0e0e4736' : '5bf92f3577b34da6a3ce929d0e0e4737';
    const res = await fetch(`http://127.0.0.1:${port}/orders/7`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(await res.json()).toEqual({ id: 7 });
    const spans = (await (await fetch(`http://127.0.0.1:${port}/spans`)).json()) as {
      name: string;
      kind: number;
      traceId: string;
      status: number | null;
    }[];
    const mine = spans.filter((s) => s.traceId === traceId);
    expect(mine).toHaveLength(1);
    // SpanKind.SERVER is 1
    expect(mine[0]).toMatchObject({ kind: 1, status: 200 });
    expect(mine[0]?.name).toMatch(/^GET/);
  }, 30_000);
});
