// The load side of the realtime benchmark (run by run.mjs in its own process, pinned to its own CPU):
//   node client.mjs sse <port> <clients> <seconds>   → {"clients","connected","events","eventsPerSec","p50","p99","max"}
//   node client.mjs ws <port> <connections> <bytes> <seconds> → {"messages","messagesPerSec"}
// SSE latency = receive time − the server's timestamp in the event (same machine, same clock).
import net from 'node:net';
import WebSocket from 'ws';

const [mode, portArg, ...rest] = process.argv.slice(2);
const port = Number(portArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * SSE clients on raw sockets: one GET each, then the stream's bytes are scanned for `"t":<ms>` without an
 * HTTP parser or string decoding, so that 100,000 events/s fit on the client's one core (node's http client
 * costs several times more per event and made the load generator, not the server, the bottleneck).
 * Chunked framing lines are skipped by the scan; events split across reads are carried over.
 */
async function sse(clients, seconds) {
  const capacity = Math.min(4_000_000, Math.ceil(clients * 10 * seconds * 1.5) + 1000);
  const lat = new Float64Array(capacity);
  let n = 0;
  let events = 0;
  let total = 0;
  let measuring = false;
  let connected = 0;
  let failed = 0;
  const sockets = [];
  const request = Buffer.from(
    `GET /sse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  const MARK = Buffer.from('"t":');
  const HEAD_END = Buffer.from('\r\n\r\n');
  /**
   * Counts the events in `buf` and records their latencies; returns where an event cut by the end of the
   * read starts (to be carried over), or -1.
   */
  const scan = (buf, t) => {
    const len = buf.length;
    let i = buf.indexOf(MARK, 0);
    while (i !== -1) {
      // parse the digits and the fraction by hand (no string)
      let j = i + 4;
      let v = 0;
      let c = buf[j];
      while (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        c = buf[++j];
      }
      if (c === 46) {
        let scale = 0.1;
        c = buf[++j];
        while (c >= 48 && c <= 57) {
          v += (c - 48) * scale;
          scale /= 10;
          c = buf[++j];
        }
      }
      if (j >= len) return i;
      total++;
      if (measuring) {
        events++;
        if (n < capacity) lat[n++] = t - v;
      }
      i = buf.indexOf(MARK, j);
    }
    // a mark cut in two
    for (let k = 3; k >= 1; k--) if (len >= k && buf.compare(MARK, 0, k, len - k, len) === 0) return len - k;
    return -1;
  };
  let connectUntil = 0;
  const open = () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      let head = true;
      let rest = null;
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(settle, Math.max(0, connectUntil - Date.now()) + 5000);
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk) => {
        const t = now();
        let buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
        rest = null;
        if (head) {
          const h = buf.indexOf(HEAD_END);
          if (h === -1) {
            rest = buf;
            return;
          }
          head = false;
          // "HTTP/1.1 200"
          if (buf[9] !== 50 || buf[10] !== 48 || buf[11] !== 48) {
            failed++;
            socket.destroy();
            settle();
            return;
          }
          connected++;
          settle();
          buf = buf.subarray(h + 4);
        }
        const cut = scan(buf, t);
        if (cut !== -1) rest = Buffer.from(buf.subarray(cut));
      });
      socket.on('error', () => {
        if (!settled) failed++;
        settle();
      });
      socket.on('close', settle);
      sockets.push(socket);
    });
  // a server that cannot keep up with the fan-out starves its accepts: stop connecting after a minute and
  // report how many got in (the `connected` column)
  connectUntil = Date.now() + 60_000;
  for (let i = 0; i < clients && Date.now() < connectUntil; i += 250) {
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
  for (const s of sockets) s.destroy();
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
