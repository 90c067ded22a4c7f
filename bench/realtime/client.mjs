// The load side of the realtime benchmark (run by run.mjs in its own process, pinned to its own CPU):
//   node client.mjs sse <port> <clients> <seconds>   → {"clients","connected","events","eventsPerSec","p50","p99","max"}
//   node client.mjs ws <port> <connections> <bytes> <seconds> → {"messages","messagesPerSec"}
// SSE latency = receive time − the server's timestamp in the event (same machine, same clock).
import http from 'node:http';
import WebSocket from 'ws';

const [mode, portArg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function sse(clients, seconds) {
  const capacity = Math.min(4_000_000, Math.ceil(clients * 10 * seconds * 1.5) + 1000);
  const lat = new Float64Array(capacity);
  let n = 0;
  let events = 0;
  let total = 0;
  let measuring = false;
  let connected = 0;
  let failed = 0;
  const requests = [];
  const T = /"t":([0-9.]+)/g;
  const open = () =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/sse', agent: false }, (res) => {
        if (res.statusCode !== 200) {
          failed++;
          res.resume();
          resolve();
          return;
        }
        connected++;
        resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buf += chunk;
          const end = buf.lastIndexOf('\n\n');
          if (end === -1) return;
          const whole = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (!measuring) {
            for (const _ of whole.matchAll(T)) total++;
            return;
          }
          const t = now();
          for (const m of whole.matchAll(T)) {
            total++;
            events++;
            if (n < capacity) lat[n++] = t - Number(m[1]);
          }
        });
        res.on('error', () => {});
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      requests.push(req);
    });
  for (let i = 0; i < clients; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(clients, i + 250); j++) batch.push(open());
    await Promise.all(batch);
  }
  await sleep(1000);
  measuring = true;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  for (const r of requests) r.destroy();
  const sorted = lat.subarray(0, n).sort();
  return {
    clients,
    connected,
    failed,
    events,
    total,
    eventsPerSec: Math.round(events / elapsed),
    expectedPerSec: connected * 10,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

async function ws(connections, bytes, seconds) {
  const message = 'x'.repeat(bytes);
  let count = 0;
  let total = 0;
  let measuring = false;
  const sockets = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise((resolve, reject) => {
          const s = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
          s.on('open', () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  let running = true;
  for (const s of sockets) {
    s.on('message', () => {
      total++;
      if (measuring) count++;
      if (running) s.send(message);
    });
    s.send(message);
  }
  await sleep(1000);
  measuring = true;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  for (const s of sockets) s.terminate();
  return { connections, bytes, messages: count, total, messagesPerSec: Math.round(count / elapsed) };
}

let out;
if (mode === 'sse') out = await sse(Number(rest[0]), Number(rest[1]));
else if (mode === 'ws') out = await ws(Number(rest[0]), Number(rest[1]), Number(rest[2]));
else throw new Error('usage: node client.mjs sse|ws <port> ...');
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
