#!/usr/bin/env node
// The realtime benchmark: SSE fan-out (one event per 100 ms to N connected clients: delivered events/s, p50/p99
// delivery latency, server RSS) and WebSocket echo (closed loop, 64 connections, 64 B and 4 KB text messages:
// messages/s) for Phial, Fastify + @fastify/websocket, Hono + @hono/node-server's upgradeWebSocket, and raw
// node:http + ws. Each server runs alone on CPU 0, the client (client.mjs) on CPU 1.
//
//   npm run bench:realtime                       # full run (builds first): 1,000 and 10,000 SSE clients, 10 s each
//   node bench/realtime/run.mjs --clients 100 --duration 2 --sizes 64   # a smoke run
//   options: --clients LIST (1000,10000) --duration S (10) --conns N (64) --sizes LIST (64,4096)
//            --only LIST (phial,phial-events,fastify,hono,raw,raw-als,raw-iterate) --skip-sse --skip-ws --source (Phial from src/ via tsx)
//            --rounds N (3: WebSocket rounds, every framework once per round, medians reported)
//            --out FILE (bench/results/realtime.md)
// The WebSocket echo is measured in interleaved rounds because this VM's speed drifts by ±15% over minutes: a
// ratio between two runs made minutes apart measures the drift as much as the frameworks.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, rssMb, stopServer, wrapCommand } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : args[i + 1];
};
const flag = (name) => args.includes(`--${name}`);
const list = (s) => String(s).split(',').filter(Boolean);

const CLIENTS = list(opt('clients', '1000,10000')).map(Number);
const DURATION = Number(opt('duration', '10'));
const CONNS = Number(opt('conns', '64'));
const SIZES = list(opt('sizes', '64,4096')).map(Number);
const ONLY = list(opt('only', 'phial,phial-events,fastify,hono,raw,raw-als,raw-iterate'));
const ROUNDS = Number(opt('rounds', '3'));
const SOURCE = flag('source');
const OUT = opt('out', join(here, '..', 'results', 'realtime.md'));
const pin = os.availableParallelism() >= 2;
const NAMES = {
  phial: 'Phial (`for await` handler)',
  'phial-events': "Phial (`ws.on('message')` handler)",
  fastify: 'Fastify + @fastify/websocket',
  hono: 'Hono + @hono/node-server',
  raw: 'raw node:http + ws',
  'raw-als': 'raw node:http + ws inside an AsyncLocalStorage store (control: the cost of a context)',
  'raw-iterate': 'raw node:http + ws, `for await` over its messages (control: the cost of the idiom)',
};

/**
 * WebSocket-only variants: another server file run with an environment switch. `phial-events` echoes from a
 * `ws.on('message')` listener (the style the other servers use); `raw-als` runs every raw connection inside an
 * AsyncLocalStorage store (a control for what carrying a context costs); `raw-iterate` echoes with `for await`
 * over a minimal async iterator of the raw socket's messages (a control for what Phial's idiom costs by itself).
 */
const VARIANTS = {
  'phial-events': { file: 'phial', env: { PHIAL_WS_STYLE: 'events' } },
  'raw-als': { file: 'raw', env: { RAW_CONTEXT: '1' } },
  'raw-iterate': { file: 'raw', env: { RAW_STYLE: 'iterate' } },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function probe(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

async function start(framework) {
  const port = await freePort();
  const node =
    SOURCE && framework.startsWith('phial') ? [process.execPath, '--import', 'tsx'] : [process.execPath];
  const variant = VARIANTS[framework];
  const file = variant?.file ?? framework;
  const [cmd, ...rest] = wrapCommand([...node, join(here, 'servers', `${file}.mjs`), String(port)], {
    cpu: pin ? 0 : null,
  });
  const child = spawn(cmd, rest, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ...(SOURCE ? { PHIAL_FROM_SOURCE: '1' } : {}),
      ...variant?.env,
    },
  });
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${framework} exited with ${child.exitCode}`);
    if (await probe(port)) return { child, port };
    await sleep(100);
  }
  await stopServer(child);
  throw new Error(`${framework} did not start`);
}

/** CPU time (user + system) a process used so far, in ms, from /proc/<pid>/stat. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}
const CLK_TCK = 100;

/**
 * Runs client.mjs on CPU 1 while sampling the server's RSS; resolves to the client's JSON plus the peak RSS and
 * the server's CPU time per message/event (robust to a busy machine, unlike throughput).
 */
function load(serverPid, clientArgs) {
  return new Promise((resolve, reject) => {
    const [cmd, ...rest] = wrapCommand([process.execPath, join(here, 'client.mjs'), ...clientArgs], {
      cpu: pin ? 1 : null,
    });
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    const cpu0 = cpuMs(serverPid);
    let out = '';
    let peak = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, rssMb(serverPid) ?? 0);
    }, 250);
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`client exited with ${code}`));
      try {
        const r = JSON.parse(out);
        const cpu1 = cpuMs(serverPid);
        const usPer = cpu0 !== null && cpu1 !== null && r.total > 0 ? ((cpu1 - cpu0) * 1000) / r.total : null;
        resolve({ ...r, rssMb: peak, cpuUsPer: usPer });
      } catch (e) {
        reject(e);
      }
    });
  });
}

const fmt = (v, digits = 0) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits));
const sse = [];
const ws = [];

for (const framework of ONLY) {
  if (!(framework in NAMES)) throw new Error(`unknown framework ${framework}`);
  // a variant differs from its server file only in WebSocket: its SSE would measure the same thing again
  if (!flag('skip-sse') && VARIANTS[framework] === undefined) {
    for (const clients of CLIENTS) {
      const { child, port } = await start(framework);
      try {
        const r = await load(child.pid, ['sse', String(port), String(clients), String(DURATION)]);
        sse.push({ framework, ...r });
        console.log(
          `sse  ${framework.padEnd(8)} ${String(clients).padStart(6)} clients: ${r.connected} connected, ${r.eventsPerSec}/${r.expectedPerSec} events/s, p99 ${fmt(r.p99, 1)} ms, RSS ${fmt(r.rssMb)} MB`,
        );
      } catch (e) {
        sse.push({ framework, clients, error: String(e) });
        console.log(`sse  ${framework} ${clients}: ${e}`);
      } finally {
        await stopServer(child);
      }
    }
  }
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

if (!flag('skip-ws')) {
  const runs = new Map(); // `${framework} ${size}` → results of every round
  const failed = new Map();
  for (let round = 1; round <= ROUNDS; round++) {
    // each round starts one framework later, so no framework always runs first (or right after another)
    const order = ONLY.map((_, i) => ONLY[(i + round - 1) % ONLY.length]);
    for (const framework of order) {
      if (failed.has(framework)) continue;
      const { child, port } = await start(framework);
      try {
        // a short unreported run first: lazily loaded code (the upgrade path, ws) and the JIT warm up
        await load(child.pid, ['ws', String(port), String(CONNS), String(SIZES[0] ?? 64), '1']);
        for (const size of SIZES) {
          const r = await load(child.pid, [
            'ws',
            String(port),
            String(CONNS),
            String(size),
            String(DURATION),
          ]);
          const key = `${framework} ${size}`;
          runs.set(key, [...(runs.get(key) ?? []), { ...r, round }]);
          console.log(
            `ws   round ${round} ${framework.padEnd(12)} ${String(size).padStart(5)} B: ${r.messagesPerSec} msg/s, ${fmt(r.cpuUsPer, 2)} µs/msg, RSS ${fmt(r.rssMb)} MB`,
          );
        }
      } catch (e) {
        failed.set(framework, String(e));
        console.log(`ws   ${framework}: ${e}`);
      } finally {
        await stopServer(child);
      }
    }
  }
  for (const framework of ONLY) {
    if (failed.has(framework)) {
      ws.push({ framework, error: failed.get(framework) });
      continue;
    }
    for (const size of SIZES) {
      const rs = runs.get(`${framework} ${size}`) ?? [];
      const rates = rs.map((r) => r.messagesPerSec);
      // the ratio to raw ws within each round (minutes apart, the VM's speed drifts; within a round it moves less)
      const raws = runs.get(`raw ${size}`) ?? [];
      const ratios = rs
        .map((r) => {
          const base = raws.find((x) => x.round === r.round);
          return base ? r.messagesPerSec / base.messagesPerSec : null;
        })
        .filter((x) => x !== null);
      ws.push({
        framework,
        bytes: size,
        rounds: rs.length,
        messagesPerSec: Math.round(median(rates)),
        low: Math.min(...rates),
        high: Math.max(...rates),
        rssMb: Math.max(...rs.map((r) => r.rssMb)),
        cpuUsPer: median(rs.map((r) => r.cpuUsPer)),
        roundRatio: median(ratios),
      });
    }
  }
}

const rawWs = (size) => ws.find((r) => r.framework === 'raw' && r.bytes === size)?.messagesPerSec;
let md = `# Realtime benchmark\n\n${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}) · load ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(
    ' ',
  )} · ${DURATION} s per run${pin ? ' · server on CPU 0, client on CPU 1' : ''}${SOURCE ? ' · Phial from sources (tsx)' : ''}\n\n`;
if (sse.length) {
  md +=
    '## SSE fan-out (one event per 100 ms to every client)\n\n| framework | clients | connected | delivered events/s | expected | p50 ms | p99 ms | max ms | server RSS MB | server CPU µs/event |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  for (const r of sse) {
    md += r.error
      ? `| ${NAMES[r.framework]} | ${r.clients} | error: ${r.error} | | | | | | | |\n`
      : `| ${NAMES[r.framework]} | ${r.clients} | ${r.connected} | ${r.eventsPerSec} | ${r.expectedPerSec} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${fmt(r.rssMb)} | ${fmt(r.cpuUsPer, 1)} |\n`;
  }
  md += '\n';
}
if (ws.length) {
  md += `## WebSocket echo (${CONNS} connections, closed loop, text messages; median of ${ROUNDS} interleaved rounds)\n\n| framework | message | messages/s (median) | lowest – highest | × raw ws (medians) | × raw ws (median of per-round ratios) | server RSS MB | server CPU µs/msg | CPU × raw ws |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n`;
  for (const r of ws) {
    const base = rawWs(r.bytes);
    const cpuBase = ws.find((x) => x.framework === 'raw' && x.bytes === r.bytes)?.cpuUsPer;
    md += r.error
      ? `| ${NAMES[r.framework]} | | error: ${r.error} | | | | | | |\n`
      : `| ${NAMES[r.framework]} | ${r.bytes} B | ${r.messagesPerSec} | ${r.low} – ${r.high} | ${base ? (r.messagesPerSec / base).toFixed(2) : '–'} | ${fmt(r.roundRatio, 2)} | ${fmt(r.rssMb)} | ${fmt(r.cpuUsPer, 1)} | ${cpuBase && r.cpuUsPer ? (r.cpuUsPer / cpuBase).toFixed(2) : '–'} |\n`;
  }
}
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, md);
console.log(`\n${md}\nwritten to ${OUT}`);
