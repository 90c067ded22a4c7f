#!/usr/bin/env node
// HTTP benchmark runner: Phial against Fastify, Express, Hono and raw node:http. See bench/README.md.
//
//   node bench/run.mjs [--duration S] [--rounds N] [--warmup S] [--connections C]
//                      [--only endpoint,framework,...] [--quick] [--no-templates] [--write]
//
// Each server runs pinned to CPU 0, wrk pinned to CPU 1 (this runner moves itself to CPU 1 too).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, checkResponse, ENDPOINTS, FRAMEWORKS } from './lib/endpoints.mjs';
import { freePort, request, rssMb, startServer, stopServer, wrapCommand } from './lib/proc.mjs';
import { fmtInt, fmtNum, fmtRatio, machineInfo, markdownTable, median, writeSection } from './lib/report.mjs';
import { runWrk } from './lib/wrk.mjs';

const USAGE = `usage: node bench/run.mjs [options]
  --duration S       seconds per timed wrk run (default 2)
  --rounds N         timed rounds per endpoint × framework, interleaved between frameworks (default 5)
  --warmup S         seconds of wrk warm-up per server before the rounds (default 2)
  --connections C    wrk connections (default 64)
  --only LIST        comma-separated endpoint and/or framework names, e.g. --only json,phial,fastify
  --quick            --duration 1 --rounds 1 --warmup 1 (a smoke run)
  --no-templates     skip the template render benchmark (bench/render.mjs) at the end
  --write            write bench/RESULTS.md even for a --quick or --only run
  --nice N           run servers and wrk under \`nice -n N\` (e.g. -5 on a shared machine; root for N < 0)
endpoints: ${ENDPOINTS.map((e) => e.name).join(', ')}
frameworks: ${FRAMEWORKS.join(', ')}`;

function parseArgs(argv) {
  const o = {
    duration: 2,
    rounds: 5,
    warmup: 2,
    connections: 64,
    only: null,
    quick: false,
    templates: true,
    write: false,
    nice: null,
  };
  const num = (name, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--duration':
        o.duration = num(flag, value());
        break;
      case '--rounds':
        o.rounds = num(flag, value());
        break;
      case '--warmup':
        o.warmup = num(flag, value());
        break;
      case '--connections':
        o.connections = num(flag, value());
        break;
      case '--only':
        o.only = String(value())
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--no-templates':
        o.templates = false;
        break;
      case '--write':
        o.write = true;
        break;
      case '--nice': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error('--nice needs an integer in -20..19');
        o.nice = n;
        break;
      }
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    }
  }
  if (o.quick) Object.assign(o, { duration: 1, rounds: 1, warmup: 1 });
  return o;
}

function selection(only) {
  const epNames = new Set(ENDPOINTS.map((e) => e.name));
  const fwNames = new Set(FRAMEWORKS);
  const eps = [];
  const fws = [];
  for (const name of only ?? []) {
    if (epNames.has(name)) eps.push(name);
    else if (fwNames.has(name)) fws.push(name);
    else throw new Error(`--only: unknown endpoint or framework "${name}"\n${USAGE}`);
  }
  return {
    endpoints: ENDPOINTS.filter((e) => eps.length === 0 || eps.includes(e.name)),
    frameworks: FRAMEWORKS.filter((f) => fws.length === 0 || fws.includes(f)),
  };
}

/** CPUs for the servers and for wrk: 0 and 1 when the machine has two, else no pinning. */
function pinning() {
  let hasTaskset = true;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    hasTaskset = false;
  }
  const nproc = machineInfo().nproc;
  if (!hasTaskset || nproc < 2) {
    console.warn(
      `warning: ${hasTaskset ? 'fewer than 2 CPUs' : 'no taskset'}: servers and wrk are not pinned`,
    );
    return { server: null, load: null };
  }
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {}
  return { server: 0, load: 1 };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { endpoints, frameworks } = selection(opts.only);
  const cpus = pinning();
  const loadBefore = machineInfo().load;
  const busy = Number(loadBefore.split(' ')[0]) >= 1;
  if (busy)
    console.warn(`warning: load average ${loadBefore} before the run: other processes share these CPUs`);
  const partial = opts.quick || opts.only !== null;

  const plan = endpoints
    .map((ep) => ({ ep, fws: frameworks.filter((f) => ep.frameworks.includes(f)) }))
    .filter((p) => p.fws.length > 0);
  const runs = plan.reduce((n, p) => n + p.fws.length, 0);
  if (runs === 0) throw new Error(`--only ${opts.only?.join(',')}: no framework serves those endpoints`);
  const estimate = runs * (opts.warmup + opts.rounds * opts.duration + 1.5);
  console.log(
    `${runs} endpoint × framework pairs, ${opts.rounds} round(s) × ${opts.duration}s, warm-up ${opts.warmup}s, ` +
      `wrk -t1 -c${opts.connections}; about ${Math.ceil(estimate / 60)} min`,
  );

  /** @type {Map<string, object>} key `${endpoint}/${framework}` */
  const results = new Map();
  for (const { ep, fws } of plan) {
    console.log(`\n== ${ep.name} (${ep.method} ${ep.script ? `${ep.path} via ${ep.script}` : ep.path})`);
    const load = { path: ep.path, script: ep.script, scriptArgs: ep.scriptArgs?.() };
    const live = [];
    for (const fw of fws) {
      const r = {
        endpoint: ep.name,
        framework: fw,
        rounds: [],
        p99s: [],
        non2xx: 0,
        socketErrors: 0,
        note: null,
      };
      results.set(`${ep.name}/${fw}`, r);
      const port = await freePort();
      let srv;
      try {
        srv = await startServer(fw, port, { cpu: cpus.server, nice: opts.nice });
      } catch (err) {
        r.note = `failed to start: ${err.message}`;
        console.log(`  ${fw.padEnd(8)} ${r.note}`);
        continue;
      }
      r.startupMs = srv.startupMs;
      try {
        const res = await request(port, ep.method, ep.path, ep.requestBody, 5000);
        const bad = checkResponse(ep, res);
        if (bad !== null) throw new Error(bad);
      } catch (err) {
        r.note = `wrong response: ${err.message}`;
        console.log(`  ${fw.padEnd(8)} ${r.note}`);
        await stopServer(srv.child);
        continue;
      }
      if (srv.probeNote) r.note = srv.probeNote;
      live.push({ fw, port, srv, r });
      console.log(`  ${fw.padEnd(8)} up in ${fmtNum(srv.startupMs)} ms (pid ${srv.pid})`);
    }

    try {
      for (const s of live) {
        try {
          await runWrk({
            ...load,
            port: s.port,
            durationS: opts.warmup,
            connections: opts.connections,
            cpu: cpus.load,
            nice: opts.nice,
          });
        } catch (err) {
          s.r.note = `warm-up failed: ${err.message}`;
        }
      }
      for (let round = 1; round <= opts.rounds; round++) {
        for (const s of live) {
          if (s.srv.child.exitCode !== null || s.srv.child.signalCode !== null) {
            s.r.note = `server died: ${s.srv.output().split('\n').filter(Boolean).slice(-1)[0] ?? ''}`;
            continue;
          }
          try {
            const w = await runWrk({
              ...load,
              port: s.port,
              durationS: opts.duration,
              connections: opts.connections,
              cpu: cpus.load,
              nice: opts.nice,
            });
            s.r.rounds.push(w.rps);
            s.r.p99s.push(w.p99Ms);
            s.r.non2xx += w.non2xx;
            s.r.socketErrors += w.socketErrors;
            console.log(
              `  round ${round} ${s.fw.padEnd(8)} ${fmtInt(w.rps).padStart(8)} req/s  p99 ${fmtNum(w.p99Ms, 2)} ms` +
                (w.non2xx ? `  ${w.non2xx} non-2xx` : '') +
                (w.socketErrors ? `  ${w.socketErrors} socket errors` : ''),
            );
          } catch (err) {
            s.r.note = `wrk failed: ${err.message.slice(0, 200)}`;
          }
        }
      }
      for (const s of live) s.r.rssMb = rssMb(s.srv.pid);
    } finally {
      for (const s of live) await stopServer(s.srv.child);
    }
    for (const s of live) {
      const r = s.r;
      r.rps = median(r.rounds);
      r.p99Ms = median(r.p99s);
      if (r.non2xx) r.note = [r.note, `${r.non2xx} non-2xx responses`].filter(Boolean).join('; ');
      if (r.socketErrors) r.note = [r.note, `${r.socketErrors} socket errors`].filter(Boolean).join('; ');
    }
  }

  const table = buildTable(plan, results);
  console.log(`\n${table}\n`);
  const summary = phialSummary(plan, results);
  if (summary) console.log(`${summary}\n`);
  const alsCost = contextCost(plan, results);
  if (alsCost) console.log(`${alsCost}\n`);

  const info = machineInfo();
  const section = [
    '## HTTP throughput',
    '',
    `- Date: ${info.date}`,
    `- Node: ${info.node}; machine: ${info.nproc} CPUs (${info.cpu}), Linux ${info.kernel}; load average before: ${loadBefore}, after: ${info.load}` +
      (busy ? ' (**busy machine**: other processes shared the CPUs, numbers are noisy)' : ''),
    `- Command: \`node bench/run.mjs ${process.argv.slice(2).join(' ')}\`${partial ? ' (partial run)' : ''}`,
    `- Method: each server runs alone on CPU 0 (\`taskset -c 0 node bench/servers/<framework>.mjs\`), wrk on CPU 1${opts.nice !== null ? ` (both under \`nice -n ${opts.nice}\`)` : ''} ` +
      `(\`taskset -c 1 wrk -t1 -c${opts.connections} -d${opts.duration}s --latency\`). Per endpoint all servers are started, ` +
      `their response is checked byte for byte (fortunes: after \`&quot;\`→\`&#34;\`), each gets ${opts.warmup}s of ` +
      `warm-up, then ${opts.rounds} timed round(s) interleaved between frameworks (A B C D E, A B C D E, ...); ` +
      "req/s and p99 are medians over rounds; spread is half the range of the rounds' req/s over the median. RSS is VmRSS after the load; startup is process spawn → first 200 " +
      "on GET /plaintext. Ratios: req/s divided by Fastify's / raw node:http's on the same endpoint.",
    '- Endpoints: `plaintext`, `json`; `routes` cycles through all 100 `/api/v1/resource<N>/<int:id>` routes ' +
      '(wrk/get-routes.lua); `params` = `/user/<int:id>/posts/<int:post>`; `hooks` = 5 no-op hooks scoped to that ' +
      'route (Phial: blueprint `beforeRequest`; Fastify: route-level `onRequest`; Express/Hono: route-level ' +
      'middlewares; node: 5 calls); `echo` POSTs a 1 KB JSON body (wrk/post-echo.lua) and gets it back re-serialized; ' +
      "`fortunes` is TechEmpower's test (Phial + @phial/jinja, Fastify + @fastify/view + nunjucks, Express + nunjucks).",
    '- Peers are idiomatic: Fastify uses response schemas on its JSON routes; Express keeps its defaults ' +
      '(ETag, X-Powered-By); peers take `:id` params and convert with `Number()`, Phial uses `<int:id>`.',
    '',
    table,
    ...(summary ? ['', summary] : []),
    ...(alsCost ? ['', alsCost] : []),
  ].join('\n');

  const resultsFile = `${BENCH_DIR}RESULTS.md`;
  if (!partial || opts.write) {
    writeSection(resultsFile, 'http', section);
    console.log(`wrote ${resultsFile}`);
  } else {
    const dir = `${BENCH_DIR}results/`;
    mkdirSync(dir, { recursive: true });
    writeSection(`${dir}partial.md`, 'http', section);
    console.log(
      `partial run: wrote ${dir}partial.md (bench/RESULTS.md is only rewritten by full runs or --write)`,
    );
  }

  if (opts.templates && opts.only === null) {
    const renderArgs = [fileURLToPath(new URL('./render.mjs', import.meta.url))];
    if (opts.quick) renderArgs.push('--quick');
    if (partial && !opts.write) renderArgs.push('--out', `${BENCH_DIR}results/partial.md`);
    const [cmd, ...args] = wrapCommand([process.execPath, ...renderArgs], {
      cpu: cpus.server,
      nice: opts.nice,
    });
    await new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: 'inherit' });
      child.on('exit', (code) => {
        if (code !== 0) console.log(`template benchmark exited with code ${code}`);
        resolve();
      });
    });
  }
}

function buildTable(plan, results) {
  const rows = [];
  for (const { ep, fws } of plan) {
    const fastify = results.get(`${ep.name}/fastify`)?.rps ?? null;
    const node = results.get(`${ep.name}/node`)?.rps ?? null;
    for (const fw of fws) {
      const r = results.get(`${ep.name}/${fw}`);
      rows.push([
        ep.name,
        fw,
        r.rps ? fmtInt(r.rps) : 'n/a',
        fmtRatio(r.rps, fastify),
        fmtRatio(r.rps, node),
        spread(r.rounds),
        fmtNum(r.p99Ms, 2),
        fmtNum(r.rssMb, 1),
        fmtNum(r.startupMs, 0),
        r.note ?? '',
      ]);
    }
  }
  return markdownTable(
    [
      'endpoint',
      'framework',
      'req/s',
      '× Fastify',
      '× node:http',
      'spread',
      'p99 ms',
      'RSS MB',
      'startup ms',
      'notes',
    ],
    rows,
    [false, false, true, true, true, true, true, true, true, false],
  );
}

/** Half the range of the rounds' req/s over their median: how noisy the measurement was. */
function spread(samples) {
  const m = median(samples);
  if (!m || samples.length < 2) return '—';
  return `±${(((Math.max(...samples) - Math.min(...samples)) / 2 / m) * 100).toFixed(0)}%`;
}

/** Phial's req/s relative to Fastify: per endpoint, and the geometric mean over the endpoints both completed. */
function phialSummary(plan, results) {
  const ratios = [];
  for (const { ep } of plan) {
    const p = results.get(`${ep.name}/phial`)?.rps;
    const f = results.get(`${ep.name}/fastify`)?.rps;
    if (p && f) ratios.push([ep.name, p / f]);
  }
  if (ratios.length === 0) return null;
  const geo = Math.exp(ratios.reduce((s, [, x]) => s + Math.log(x), 0) / ratios.length);
  return (
    `Phial ÷ Fastify (req/s): ${ratios.map(([n, x]) => `${n} ${x.toFixed(2)}×`).join(', ')}; ` +
    `geometric mean ${geo.toFixed(2)}× (goal: ≥ 1.10×).`
  );
}

/** What the AsyncLocalStorage contexts (the default) cost: `phial` ÷ `phial-hooks` req/s per endpoint. */
function contextCost(plan, results) {
  const ratios = [];
  for (const { ep } of plan) {
    const als = results.get(`${ep.name}/phial`)?.rps;
    const hooks = results.get(`${ep.name}/phial-hooks`)?.rps;
    if (als && hooks) ratios.push([ep.name, als / hooks]);
  }
  if (ratios.length === 0) return null;
  return (
    'AsyncLocalStorage contexts (default) ÷ promise-hooks contexts (`PHIAL_CONTEXT=promise-hooks`), req/s: ' +
    `${ratios.map(([n, x]) => `${n} ${x.toFixed(2)}×`).join(', ')}.`
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
