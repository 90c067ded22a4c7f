/**
 * The reloader over real processes and sockets, for `app.run({ debug: true })` and `phial --debug run`:
 * an edit to the app's code is served by the next request, with no connection refused or dropped while
 * the worker is swapped (a client keeps opening fresh connections through the swap); a template edit is
 * served without a restart. Prints the edit-to-new-code time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, makeProject, TSX_LOADER } from '../cli/helpers.js';

const APP = `import { Phial, renderTemplate } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'reloading' });
app.get('/v', function version() { return 'one'; });
app.get('/pid', function pid() { return String(process.pid); });
app.get('/slow', async function slow() {
  await new Promise((r) => setTimeout(r, 3000));
  return 'slow ' + process.pid;
});
app.get('/t', function page() { return renderTemplate('page.html', { n: 1 }); });
if (process.env.RUN_SELF === '1') app.run({ debug: true, port: 0 });
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** One GET on a fresh connection (no keep-alive): the status and body, or the error code. */
function hit(port: number, p: string): Promise<{ ok: boolean; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: p, agent: false, headers: { connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ ok: res.statusCode === 200, body }));
        res.on('error', (e: NodeJS.ErrnoException) =>
          resolve({ ok: false, body, error: e.code ?? e.message }),
        );
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, body: '', error: e.code ?? e.message }),
    );
    req.end();
  });
}

function start(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ...args], {
    cwd,
    env: {
      ...process.env,
      PHIAL_APP: '',
      PHIAL_DEBUG: '',
      VITEST: undefined,
      VITEST_WORKER_ID: undefined,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (re: RegExp, ms = 20000): Promise<RegExpExecArray> => {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (child.exitCode !== null || Date.now() - t0 > ms) throw new Error(`no ${re} in:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, out: () => out, waitFor, exited };
}

async function until<T>(fn: () => Promise<T | null>, ms = 20000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const WAYS: [string, (dir: string) => ReturnType<typeof start>][] = [
  ['app.run({ debug: true })', (dir) => start([path.join(dir, 'app.ts')], dir, { RUN_SELF: '1' })],
  ['phial --debug run', (dir) => start([BIN, '--debug', 'run', '--port', '0'], dir)],
  ['phial run --debug', (dir) => start([BIN, 'run', '--debug', '--port', '0'], dir)],
];

describe.each(WAYS)('reloading under %s', (_label, launch) => {
  it('serves edited code on the next request without refusing a connection, and templates without a restart', async () => {
    const proj = makeProject({ 'app.ts': APP, 'templates/page.html': '<p>first {{ n }}</p>' });
    try {
      const p = launch(proj.dir);
      const port = Number((await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
      await p.waitFor(/Restarting with fs\.watch/);
      await p.waitFor(/Debugger PIN: \d{3}-\d{3}-\d{3}/);
      await until(async () => ((await hit(port, '/v')).body === 'one' ? true : null));
      const pid1 = (await hit(port, '/pid')).body;

      // a template edit: served at once by the same process
      writeFileSync(path.join(proj.dir, 'templates/page.html'), '<p>second {{ n }}</p>');
      await until(async () => ((await hit(port, '/t')).body === '<p>second 1</p>' ? true : null), 5000);
      expect((await hit(port, '/pid')).body).toBe(pid1);

      // (the reloader readies a standby worker, Phial preloaded, once a worker serves: give it time)
      await new Promise((r) => setTimeout(r, 3000));
      // a code edit while a client keeps connecting: no request fails, the new code arrives
      const failures: string[] = [];
      let running = true;
      let served = 0;
      const load = (async () => {
        while (running) {
          const r = await hit(port, '/v');
          if (!r.ok || (r.body !== 'one' && r.body !== 'two')) failures.push(r.error ?? `${r.body}`);
          served++;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      const file = path.join(proj.dir, 'app.ts');
      const t0 = performance.now();
      writeFileSync(file, readFileSync(file, 'utf8').replace("return 'one'", "return 'two'"));
      await until(async () => ((await hit(port, '/v')).body === 'two' ? true : null));
      const elapsed = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await load;
      console.log(
        `[reload] ${_label}: edit to new code ${elapsed.toFixed(0)} ms; ${served} requests during the swap`,
      );
      // No connection is ever refused (the listening socket stays open through the swap), none is reset (the
      // old worker finishes what it accepted), and every answer is the old or the new code
      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(10);
      const pid2 = (await hit(port, '/pid')).body;
      expect(pid2).not.toBe(pid1);
      expect(p.out()).toMatch(/Detected change in '.*app\.ts', reloading/);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  }, 120000);

  it('lets the replaced worker finish a request in flight (the debugger does not cut its graceful stop)', async () => {
    const proj = makeProject({ 'app.ts': APP, 'templates/page.html': '<p>{{ n }}</p>' });
    try {
      const p = launch(proj.dir);
      const port = Number((await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
      await p.waitFor(/Debugger PIN: \d{3}-\d{3}-\d{3}/);
      await until(async () => ((await hit(port, '/v')).body === 'one' ? true : null));
      const pid1 = (await hit(port, '/pid')).body;
      const slow = hit(port, '/slow'); // answered by the old worker after 3 s
      await new Promise((r) => setTimeout(r, 200));
      const file = path.join(proj.dir, 'app.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace("return 'one'", "return 'two'"));
      await until(async () => ((await hit(port, '/v')).body === 'two' ? true : null));
      // the old worker got SIGTERM while /slow was running: it still answers, then exits
      expect(await slow).toEqual({ ok: true, body: `slow ${pid1}` });
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  }, 120000);
});
