/** `phial serve --body-timeout S --body-min-rate B` sets the slow-body guard of the served app. */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, expect, it } from 'vitest';
import { BIN, makeProject, TSX_LOADER } from '../cli/helpers.js';
import { RawClient, statuses } from './helpers.js';

const APP = `import { Phial } from '$PHIAL';
export const app = new Phial(import.meta.url, { name: 'slowserve' });
app.post('/up', function up(req) { return String(req.data.byteLength); });
app.get('/cfg', function cfg() { return app.config.BODY_TIMEOUT + ' ' + app.config.BODY_MIN_RATE; });
`;

const { dir, cleanup } = makeProject({ 'app.ts': APP });
const children: ChildProcess[] = [];
const sockets: RawClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(cleanup);

it('a trickled body gets 408 after the configured window', async () => {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, BIN, 'serve', '--port', '0', '--body-timeout', '1', '--body-min-rate', '1000'],
    {
      cwd: dir,
      env: { ...process.env, PHIAL_APP: '', PHIAL_DEBUG: '', VITEST: undefined, VITEST_WORKER_ID: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const m = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) return resolve(Number(m[1]));
      if (child.exitCode !== null || Date.now() - started > 20_000) return reject(new Error(out));
      setTimeout(tick, 50);
    };
    tick();
  });
  expect(await fetch(`http://127.0.0.1:${port}/cfg`).then((r) => r.text())).toBe('1 1000');
  const c = new RawClient(port);
  sockets.push(c);
  c.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
  const trickle = setInterval(() => c.write('ab'), 250);
  try {
    const text = await c.until((t) => /\r\n\r\n/.test(t), 6000);
    expect(statuses(text)).toEqual([408]);
  } finally {
    clearInterval(trickle);
  }
}, 40_000);
