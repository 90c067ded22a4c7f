/**
 * What the debugger costs (a script, not a test): `node --import tsx packages/phial/test/dev/measure-cost.ts`.
 * Same process, same app, rounds alternating between the debugger installed (inspector pausing on
 * exceptions, wsgiApp wrapped) and not installed: the mean time of a request that throws nothing, and of
 * one that throws (plain-text traceback vs the plain 500), over keep-alive HTTP.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installDebugger } from '../../src/dev/debugger.js';
import { Phial } from '../../src/index.js';

const app = new Phial(import.meta.url, { name: 'cost' });
app.get('/ok', function ok() {
  const n = 1;
  return `fine ${n}`;
});
app.get('/boom', function boom() {
  const local = { a: 1, b: [1, 2, 3] };
  throw new Error(`failed ${local.a}`);
});
app.logger.error = () => {}; // the log line is not what is measured

const server = await app.listen(0, '127.0.0.1');
const port = (server.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { accept: 'text/plain' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function mean(path: string, n: number): Promise<number> {
  for (let i = 0; i < 50; i++) await once(path);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once(path);
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

const N = Number(process.env.N ?? 3000);
const rows: Record<string, number[]> = { 'ok, off': [], 'ok, on': [], 'error, off': [], 'error, on': [] };
for (let round = 0; round < 3; round++) {
  app.debug = false;
  rows['ok, off']?.push(await mean('/ok', N));
  rows['error, off']?.push(await mean('/boom', N / 5));
  app.debug = true;
  const h = await installDebugger(app, { log: () => {} });
  rows['ok, on']?.push(await mean('/ok', N));
  rows['error, on']?.push(await mean('/boom', N / 5));
  await h.uninstall();
}
for (const [k, v] of Object.entries(rows)) {
  const sorted = [...v].sort((a, b) => a - b);
  console.log(
    `${k.padEnd(11)} median ${sorted[1]?.toFixed(1)} µs/request  (rounds: ${v.map((x) => x.toFixed(1)).join(', ')})`,
  );
}
agent.destroy();
server.close();
