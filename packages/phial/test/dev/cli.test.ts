/**
 * The `phial` command turns the debugger on with debug mode and off with `--no-debugger` (real process,
 * real socket): the PIN is printed and a failing view gives the page, or neither.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, makeProject, TSX_LOADER } from '../cli/helpers.js';

const APP = `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'clidbg' });
app.get('/boom', function boom() { const answer = 42; throw new Error('cli boom ' + answer); });
`;

const proj = makeProject({ 'app.ts': APP });
afterAll(proj.cleanup);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function run(args: string[]): Promise<{ port: number; out: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...args], {
    cwd: proj.dir,
    env: { ...process.env, PHIAL_APP: '', PHIAL_DEBUG: '', PHIAL_DEBUGGER_PIN: '', VITEST: undefined },
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
  const t0 = Date.now();
  for (;;) {
    const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m) return { port: Number(m[1]), out: () => out, child };
    if (child.exitCode !== null || Date.now() - t0 > 20000) throw new Error(`did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('phial run and the debugger', () => {
  it('shows the debugger in debug mode', async () => {
    const p = await run(['--debug', 'run', '--no-reload', '--port', '0']);
    expect(p.out()).toMatch(/Debugger PIN: \d{3}-\d{3}-\d{3}/);
    const res = await fetch(`http://127.0.0.1:${p.port}/boom`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain('// Phial Debugger</title>');
    expect(html).toMatch(/<th>answer<\/th><td><pre>42<\/pre>/);
    p.child.kill('SIGTERM');
  });

  it('--no-debugger keeps debug mode without the debugger', async () => {
    const p = await run(['--debug', 'run', '--no-reload', '--no-debugger', '--port', '0']);
    expect(p.out()).toContain('Debug mode: on');
    expect(p.out()).not.toContain('Debugger');
    const res = await fetch(`http://127.0.0.1:${p.port}/boom`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('Phial Debugger');
    const r = await fetch(`http://127.0.0.1:${p.port}/__phial_debugger__/debugger.js`);
    expect(r.status).toBe(404);
    p.child.kill('SIGTERM');
  });
});

describe('app.run and dotenv files', () => {
  it('loads .env and .phialenv and takes PHIAL_DEBUG from them, like the phial command', async () => {
    const envProj = makeProject({
      'app.ts': `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'envrun' });
app.get('/greeting', function greeting() { return String(process.env.GREETING) + ' ' + String(process.env.FROM_PHIALENV); });
app.run({ port: 0 });
`,
      '.env': 'PHIAL_DEBUG=1\nGREETING=hello-from-dotenv\n',
      '.phialenv': 'FROM_PHIALENV=yes\n',
    });
    try {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, 'app.ts'], {
        cwd: envProj.dir,
        env: { ...process.env, PHIAL_DEBUG: undefined, GREETING: undefined, VITEST: undefined },
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
      const t0 = Date.now();
      while (!/Debugger PIN/.test(out)) {
        if (child.exitCode !== null || Date.now() - t0 > 20000) throw new Error(`no PIN:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(out).toContain('Debug mode: on');
      expect(out).toMatch(/Restarting with (fs\.watch|stat)/);
      const port = Number(/Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      let text = '';
      while (text === '' && Date.now() - t0 < 20000) {
        text = await fetch(`http://127.0.0.1:${port}/greeting`).then(
          (r) => r.text(),
          () => '',
        );
      }
      expect(text).toBe('hello-from-dotenv yes');
      child.kill('SIGTERM');
    } finally {
      envProj.cleanup();
    }
  });
});
