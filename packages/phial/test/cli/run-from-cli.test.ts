/**
 * The CLI's traps, through the real executable: a top-level `app.run()` does nothing when the `phial`
 * command loaded the app, `phial run --debug` works, `--help` and `--version` never load the app.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test-support/ports.js';
import { BIN, makeProject, TSX_LOADER } from './helpers.js';

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
}

const OWN_PORT = await freePort();

/** The README's pattern: routes, a command, then app.run() at the module's top level. */
const APP = `import { writeFileSync } from 'node:fs';
import { Phial } from '$PHIAL';
writeFileSync(new URL('./loaded.txt', import.meta.url), 'loaded');
export const app = new Phial(import.meta.url, { name: 'trap' });
app.get('/', function index() { return 'Hello'; });
app.get('/debug', function debug() { return String(app.debug); });
app.cli.command('hello').action(() => { console.log('hello from the command'); });
const server = await app.run({ port: ${OWN_PORT} });
console.log('app.run resolved, listening=' + server.listening);
`;

const { dir, cleanup } = makeProject({ 'app.ts': APP });
const marker = path.join(dir, 'loaded.txt');
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

function phial(args: string[], env: Record<string, string | undefined> = {}): Spawned {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...args], {
    cwd: dir,
    env: {
      ...process.env,
      PHIAL_APP: '',
      PHIAL_DEBUG: '',
      PHIAL_RUN_PORT: '',
      VITEST: undefined,
      VITEST_WORKER_ID: undefined,
      ...env,
    },
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
    waitFor(re, timeoutMs = 20000) {
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

const IGNORED = /Ignoring a call to 'app\.run\(\)': the app was loaded by the 'phial' command/;

describe('app.run() under the phial command', () => {
  it('routes: the app loads, app.run() only says why it does nothing', async () => {
    const p = phial(['routes']);
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/index\s+GET\s+\//);
    expect(p.out()).toContain('app.run resolved, listening=false');
    expect(p.out()).not.toContain('Running on');
    expect(p.err().match(new RegExp(IGNORED, 'g'))).toHaveLength(1);
    expect(await listening(OWN_PORT)).toBe(false);
  });

  it('a custom command runs without a second server', async () => {
    const p = phial(['hello']);
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('hello from the command');
    expect(p.err()).toMatch(IGNORED);
    expect(p.out()).not.toContain('Running on');
  });

  it("run: one server (the command's), even when PHIAL_RUN_PORT names the same port", async () => {
    const port = await freePort();
    const p = phial(['run', '--no-reload'], { PHIAL_RUN_PORT: String(port) });
    await p.waitFor(new RegExp(`Running on http://127\\.0\\.0\\.1:${port}`));
    expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toBe('Hello');
    expect(p.err()).toMatch(IGNORED);
    expect(p.err()).not.toMatch(/in use|EADDRINUSE/);
    expect(await listening(OWN_PORT)).toBe(false);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('serve: no debug server in the worker, debug stays off', async () => {
    const p = phial(['serve', '--port', '0']);
    const m = await p.waitFor(/Listening at: http:\/\/127\.0\.0\.1:(\d+)/);
    expect(await fetch(`http://127.0.0.1:${m[1]}/debug`).then((r) => r.text())).toBe('false');
    expect(p.err()).toMatch(IGNORED);
    expect(await listening(OWN_PORT)).toBe(false);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('phial run --debug', () => {
  it('turns debug mode on, like phial --debug run', async () => {
    const p = phial(['run', '--debug', '--no-reload', '--port', '0']);
    const m = await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/);
    expect(p.out()).toContain(' * Debug mode: on');
    expect(await fetch(`http://127.0.0.1:${m[1]}/debug`).then((r) => r.text())).toBe('true');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('--no-debug after run wins over the global --debug', async () => {
    const p = phial(['--debug', 'run', '--no-debug', '--no-reload', '--port', '0']);
    const m = await p.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/);
    expect(p.out()).toContain(' * Debug mode: off');
    expect(await fetch(`http://127.0.0.1:${m[1]}/debug`).then((r) => r.text())).toBe('false');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('--help and --version', () => {
  it.each([['--help'], ['-h'], ['--version'], ['--app', 'app.ts', '--help']])(
    'phial %s answers without loading the app',
    async (...args) => {
      rmSync(marker, { force: true });
      const p = phial(args);
      expect(await p.exited).toBe(0);
      expect(existsSync(marker)).toBe(false);
      expect(p.out()).not.toContain('app.run resolved');
      expect(p.out()).toMatch(args.includes('--version') ? /Phial \S+/ : /Usage: phial/);
    },
  );

  it("--help points at 'phial help', which loads the app and lists its commands without that note", async () => {
    const plain = phial(['--help']);
    expect(await plain.exited).toBe(0);
    expect(plain.out()).toContain("run 'phial help' to load the app and list them");
    const full = phial(['help']);
    expect(await full.exited).toBe(0);
    expect(full.out()).toMatch(/^\s+hello\b/m);
    expect(full.out()).not.toContain('--help does not load the app');
  });

  it('a command of the app still loads it for its own --help', async () => {
    rmSync(marker, { force: true });
    const p = phial(['hello', '--help']);
    expect(await p.exited).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(p.out()).toContain('Usage: phial hello');
  });
});
