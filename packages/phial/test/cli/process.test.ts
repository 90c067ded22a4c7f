/** The real executable: `node --import tsx src/cli/bin.ts ...` in a temp project, servers on free ports. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSse } from '../realtime/helpers.js';
import { BIN, makeProject, TSX_LOADER } from './helpers.js';

const APP = `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'proc' });
app.get('/', function index() { return 'Hello'; });
app.get('/pid', function pid() { return String(process.pid); });
app.get('/slow', async function slow() { await new Promise((r) => setTimeout(r, 800)); return 'slow done'; });
`;

const { dir, cleanup } = makeProject({ 'app.ts': APP });
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(cleanup);

interface Spawned {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function phial(args: string[], cwd = dir): Spawned {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...args], {
    cwd,
    env: { ...process.env, PHIAL_APP: '', PHIAL_DEBUG: '', VITEST: undefined, VITEST_WORKER_ID: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor(re, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => {
          const m = re.exec(out);
          if (m) return resolve(m);
          if (child.exitCode !== null || Date.now() - start > timeoutMs) {
            return reject(new Error(`no ${re} in output:\n${out}\n${err}`));
          }
          setTimeout(tick, 50);
        };
        tick();
      });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(fn: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  while (!(await fn())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('phial run', () => {
  it('serves the app on the given port, logs requests, and stops on SIGTERM', async () => {
    const p = phial(['run', '--port', '0', '--no-reload']);
    const m = await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/);
    expect(p.out()).toContain(" * Serving Phial app 'app'\n * Debug mode: off\n");
    const res = await fetch(`http://127.0.0.1:${m[1]}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Hello');
    await waitUntil(() => /"GET \/ HTTP\/1\.1" 200 -/.test(p.err()));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('restarts the server when a file changes (--debug turns the reloader on)', async () => {
    const proj = makeProject({ 'app.ts': APP });
    try {
      const p = phial(['--debug', 'run', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/);
      expect(p.out()).toContain('Debug mode: on');
      const base = `http://127.0.0.1:${m[1]}`;
      await p.waitFor(/Restarting with (?:fs\.watch|stat)/);
      let first = '';
      await waitUntil(async () => {
        first = await fetch(`${base}/pid`).then(
          (r) => r.text(),
          () => '',
        );
        return first !== '';
      });
      const childPid = Number(first);
      expect(childPid).not.toBe(p.child.pid);
      const file = path.join(proj.dir, 'app.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace("return 'Hello'", "return 'Changed'"));
      await p.waitFor(/Detected change in '.*app\.ts', reloading/);
      await waitUntil(
        async () =>
          (await fetch(`${base}/`).then(
            (r) => r.text(),
            () => '',
          )) === 'Changed',
      );
      // the old worker finishes what it has, then exits (the new one already serves)
      await waitUntil(() => !alive(childPid));
      const second = Number(await fetch(`${base}/pid`).then((r) => r.text()));
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      await waitUntil(() => !alive(second));
    } finally {
      proj.cleanup();
    }
  });

  it('keeps watching when the app fails to load at start, and gives a new worker the edited .env', async () => {
    const proj = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
import './boot.js';
export const app = new Phial(import.meta.url, { name: 'envapp' });
app.get('/greeting', () => String(process.env.GREETING));
app.get('/pid', () => String(process.pid));
`,
      'boot.ts': "throw new Error('boot failure');\n",
      '.env': 'GREETING=Howdy\n',
    });
    try {
      const p = phial(['--debug', 'run', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/);
      const base = `http://127.0.0.1:${m[1]}`;
      await waitUntil(() => /waiting for a change/.test(p.err()));
      await new Promise((r) => setTimeout(r, 1000));
      expect(p.child.exitCode).toBe(null); // still there, watching
      writeFileSync(path.join(proj.dir, 'boot.ts'), 'export {};\n');
      const greeting = () =>
        fetch(`${base}/greeting`).then(
          (r) => r.text(),
          () => '',
        );
      await waitUntil(async () => (await greeting()) === 'Howdy', 15000);
      writeFileSync(path.join(proj.dir, '.env'), 'GREETING=Hiya\n');
      await waitUntil(async () => (await greeting()) === 'Hiya', 15000);
      // the app writing its own JSON data does not restart the server
      const pid = await fetch(`${base}/pid`).then((r) => r.text());
      writeFileSync(path.join(proj.dir, 'data.json'), '{"posts": []}\n');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await fetch(`${base}/pid`).then((r) => r.text())).toBe(pid);
      expect(p.out()).not.toContain('data.json');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  }, 60_000);

  it('exits with 2 and an error when there is no app', async () => {
    const empty = makeProject({});
    try {
      const p = phial(['run', '--port', '0', '--no-reload'], empty.dir);
      expect(await p.exited).toBe(2);
      expect(p.err()).toMatch(/Could not locate a Phial application/);
    } finally {
      empty.cleanup();
    }
  });
});

describe('phial serve', () => {
  it('answers from two workers and shuts down gracefully on SIGTERM', async () => {
    const p = phial(['serve', '--workers', '2', '--port', '0']);
    const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(2 workers/);
    const base = `http://127.0.0.1:${m[1]}`;
    const pids = new Set<string>();
    for (let i = 0; i < 20 && pids.size < 2; i++) {
      pids.add(await fetch(`${base}/pid`, { headers: { connection: 'close' } }).then((r) => r.text()));
    }
    expect(pids.size).toBe(2);
    const inFlight = fetch(`${base}/slow`).then(async (r) => [r.status, await r.text()] as const);
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    expect(await inFlight).toEqual([200, 'slow done']);
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('SIGTERM: shutting down 2 worker(s) gracefully');
    for (const pid of pids) expect(alive(Number(pid))).toBe(false);
    await expect(fetch(`${base}/`)).rejects.toThrow();
  });

  it('writes JSON access lines with the request ID, and says when the graceful timeout cuts a request', async () => {
    const proj = makeProject({
      'app.ts': `import { Phial, request } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'jsonlog' });
app.get('/id', () => request.id);
app.get('/hang', () => new Promise(() => {}));
`,
    });
    try {
      const p = phial(
        ['serve', '--port', '0', '--access-log-format', 'json', '--graceful-timeout', '1'],
        proj.dir,
      );
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+)/);
      const base = `http://127.0.0.1:${m[1]}`;
      const id = await fetch(`${base}/id?x=1`, { headers: { 'user-agent': 'probe/2' } }).then((r) =>
        r.text(),
      );
      await waitUntil(() => p.err().includes('"request_id"'));
      const line = JSON.parse(
        p
          .err()
          .split('\n')
          .find((l) => l.startsWith('{')) as string,
      );
      expect(line).toMatchObject({
        method: 'GET',
        path: '/id?x=1',
        status: 200,
        user_agent: 'probe/2',
        request_id: id,
      });
      expect(line.body_bytes_sent).toBe(id.length);
      expect(typeof line.duration_ms).toBe('number');
      const hanging = fetch(`${base}/hang`).catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 200));
      p.child.kill('SIGTERM');
      expect(await hanging).toBeInstanceOf(Error);
      expect(await p.exited).toBe(0);
      expect(p.err()).toContain(
        `Graceful timeout (1 s): closing 1 connection still open (pid ${p.child.pid})`,
      );
    } finally {
      proj.cleanup();
    }
  });

  it('keeps debug mode off even when asked (no stack trace reaches a client)', async () => {
    const proj = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'nodebug' });
app.get('/boom', () => { throw new Error('kaboom secret=hunter2'); });
`,
    });
    try {
      const p = phial(['--debug', 'serve', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+)/);
      const res = await fetch(`http://127.0.0.1:${m[1]}/boom`);
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toContain('Internal Server Error');
      expect(body).not.toContain('hunter2');
      expect(body).not.toContain('app.ts');
      expect(p.err()).toContain("Debug mode is off under 'phial serve'");
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  });

  it('runs the onShutdown functions after the server closed, and waits for them', async () => {
    const proj = makeProject({
      'app.ts': `import { writeFileSync } from 'node:fs';
import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'bye' });
app.get('/', () => 'up');
app.onShutdown(async () => {
  await new Promise((r) => setTimeout(r, 300));
  writeFileSync('flushed.txt', 'spans flushed');
});
`,
    });
    try {
      const p = phial(['serve', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+)/);
      expect(await fetch(`http://127.0.0.1:${m[1]}/`).then((r) => r.text())).toBe('up');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(readFileSync(path.join(proj.dir, 'flushed.txt'), 'utf8')).toBe('spans flushed');
    } finally {
      proj.cleanup();
    }
  });

  it('kills and replaces a worker whose event loop is blocked (--timeout)', async () => {
    const proj = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'watch' });
app.get('/pid', () => String(process.pid));
app.get('/block', () => { const end = Date.now() + 60_000; while (Date.now() < end) {} return 'never'; });
`,
    });
    try {
      const p = phial(['serve', '--workers', '2', '--port', '0', '--timeout', '1'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(2 workers/);
      const base = `http://127.0.0.1:${m[1]}`;
      // a worker stuck in a loop stops its heartbeats: the primary kills it and starts another
      const blocked = fetch(`${base}/block`, { headers: { connection: 'close' } }).catch((e: Error) => e);
      await waitUntil(() => /Worker \d+ timed out \(no heartbeat for 1 s/.test(p.err()), 15000);
      expect(await blocked).toBeInstanceOf(Error);
      const stuck = Number(/Worker (\d+) timed out/.exec(p.err())?.[1]);
      await waitUntil(() => !alive(stuck));
      await waitUntil(() => /Worker \d+ exited \(SIGKILL\); starting a new one/.test(p.err()));
      // the replacement listens: a third "Booting worker" line
      await waitUntil(() => (p.out().match(/Booting worker/g) ?? []).length >= 3, 15000);
      expect(await fetch(`${base}/pid`, { headers: { connection: 'close' } }).then((r) => r.status)).toBe(
        200,
      );
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  }, 40_000);

  it('replaces a worker after --max-requests, without failing a request', async () => {
    const p = phial([
      'serve',
      '--workers',
      '2',
      '--port',
      '0',
      '--max-requests',
      '3',
      '--max-requests-jitter',
      '2',
    ]);
    const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(2 workers/);
    const base = `http://127.0.0.1:${m[1]}`;
    const seen = new Set<string>();
    const ask = async () => {
      const r = await fetch(`${base}/pid`, { headers: { connection: 'close' } });
      expect(r.status).toBe(200);
      seen.add(await r.text());
    };
    // requests keep being answered while replacements boot: the old worker serves until the new one listens
    for (let i = 0; i < 12; i++) await ask();
    expect(p.err()).toMatch(/Worker \d+ served [345] requests \(--max-requests\): replacing it/);
    await waitUntil(async () => {
      await ask();
      return seen.size > 2;
    }, 20000);
    const booted = p.out().match(/Booting worker with pid/g) ?? [];
    expect(booted.length).toBeGreaterThan(2);
    expect(p.err()).not.toMatch(/exited \(/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('SIGHUP replaces every worker with one running the new code, without refusing a request', async () => {
    const proj = makeProject({ 'app.ts': APP });
    try {
      const p = phial(['serve', '--workers', '2', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(2 workers/);
      const base = `http://127.0.0.1:${m[1]}`;
      // a request that is never answered fails the test here, not by its timeout
      const get = () =>
        fetch(`${base}/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(10_000) }).then(
          (r) => r.text(),
        );
      expect(await get()).toBe('Hello');
      const file = path.join(proj.dir, 'app.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace("return 'Hello'", "return 'Deployed'"));
      p.child.kill('SIGHUP');
      // every request is answered while the workers are swapped, by the old code or the new
      let answer = '';
      await waitUntil(async () => {
        answer = await get();
        expect(['Hello', 'Deployed']).toContain(answer);
        return answer === 'Deployed' && (p.out().match(/Booting worker/g) ?? []).length >= 4;
      }, 20000);
      for (let i = 0; i < 6; i++) expect(await get()).toBe('Deployed');
      expect(p.out()).toContain('SIGHUP: replacing 2 worker(s)');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  }, 40_000);

  it('refuses an unknown --access-log-format', async () => {
    const p = phial(['serve', '--port', '0', '--access-log-format', 'xml']);
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toContain('Allowed choices are text, combined, json');
  });

  it('serves in one process by default and finishes in-flight requests on SIGINT', async () => {
    const p = phial(['serve', '--port', '0']);
    const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(1 worker,/);
    const base = `http://127.0.0.1:${m[1]}`;
    expect(await fetch(`${base}/pid`).then((r) => r.text())).toBe(String(p.child.pid));
    const inFlight = fetch(`${base}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGINT');
    expect(await inFlight).toBe('slow done');
    expect(await p.exited).toBe(0);
  });
});

const BUS_APP = `import { Broadcast, eventStream, Phial, request } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'bus' });
const news = new Broadcast();
const other = new Broadcast();
app.get('/events', () =>
  eventStream(async (stream) => {
    const leave = news.subscribe('news', (m) => void stream.send({ data: m }));
    const leaveOther = other.subscribe('news', (m) => void stream.send({ event: 'other', data: m }));
    await stream.send({ event: 'ready', data: String(process.pid) });
    await new Promise((r) => stream.onClose(r));
    leave();
    leaveOther();
  }, { heartbeat: 0 }),
);
app.post('/publish', async () => {
  await news.publish('news', { text: request.args.get('text'), from: process.pid });
  return String(process.pid);
});
`;

/** `p`, or a rejection after `ms` (a missing event fails the test at once rather than at its timeout). */
function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)),
  ]);
}

describe('phial serve --workers: Broadcast', () => {
  it('a message published in one worker reaches the clients of every worker, on its own broadcast only', async () => {
    const proj = makeProject({ 'app.ts': BUS_APP });
    const streams: Awaited<ReturnType<typeof openSse>>[] = [];
    try {
      const p = phial(['serve', '--workers', '2', '--port', '0'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(2 workers/);
      const port = Number(m[1]);
      // connections are spread over the workers: open streams until both workers hold some
      const pids = new Map<string, number>();
      for (let i = 0; i < 20 && (pids.size < 2 || streams.length < 4); i++) {
        const s = await openSse(port, '/events');
        streams.push(s);
        const ready = await within(s.events.next());
        expect(ready.value?.event).toBe('ready');
        const pid = String(ready.value?.data);
        pids.set(pid, (pids.get(pid) ?? 0) + 1);
      }
      expect(pids.size).toBe(2);
      const senders = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/publish?text=n${i}`, {
          method: 'POST',
          headers: { connection: 'close' },
        });
        expect(res.status).toBe(200);
        senders.add(await res.text());
      }
      // every stream, whichever worker it is on, gets all six in order, and nothing from the other broadcast
      for (const s of streams) {
        const got: unknown[] = [];
        for (let i = 0; i < 6; i++) {
          const e = await within(s.events.next());
          expect(e.value?.event ?? 'message').toBe('message');
          got.push(JSON.parse(String(e.value?.data)).text);
        }
        expect(got).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
      }
      // new connections alternate between the workers: both published, and both directions arrived
      expect(senders.size).toBe(2);
      for (const s of streams) s.destroy();
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      for (const s of streams) s.destroy();
      proj.cleanup();
    }
  });
});

describe('phial serve: shutdown with realtime connections open', () => {
  it('SIGTERM ends open event streams at once instead of holding the shutdown for --graceful-timeout', async () => {
    const proj = makeProject({ 'app.ts': BUS_APP });
    try {
      const p = phial(['serve', '--port', '0', '--graceful-timeout', '20'], proj.dir);
      const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+) \(1 worker/);
      const s = await openSse(Number(m[1]), '/events');
      expect((await within(s.events.next())).value?.event).toBe('ready');
      const started = Date.now();
      p.child.kill('SIGTERM');
      // the stream ends cleanly (its last chunk arrives: the iteration ends instead of throwing)
      expect((await within(s.events.next())).done).toBe(true);
      expect(await p.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      proj.cleanup();
    }
  });
});

describe('https', () => {
  let hasOpenssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    hasOpenssl = false;
  }
  it.skipIf(!hasOpenssl)('run --cert/--key serves https', async () => {
    const proj = makeProject({ 'app.ts': APP });
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { cwd: proj.dir, stdio: 'ignore' },
      );
      const p = phial(
        ['run', '--port', '0', '--no-reload', '--cert', 'cert.pem', '--key', 'key.pem'],
        proj.dir,
      );
      const m = await p.waitFor(/Running on https:\/\/127\.0\.0\.1:(\d+)/);
      const https = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`https://127.0.0.1:${m[1]}/`, { rejectUnauthorized: false }, (res) => {
            let t = '';
            res.on('data', (d) => {
              t += d;
            });
            res.on('end', () => resolve(t));
          })
          .on('error', reject);
      });
      expect(body).toBe('Hello');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      proj.cleanup();
    }
  });
});
