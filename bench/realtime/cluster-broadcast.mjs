#!/usr/bin/env node
// What a Broadcast across `phial serve --workers` costs: a primary running clusterRelay() and two workers, one
// publishing ~120-byte JSON samples on a topic the other subscribes to (the default `new Broadcast()`, a
// ClusterTransport there). Two runs: a burst (500 messages every 5 ms, for the relay's throughput) and a
// steady 1 message per ms (for the delivery latency at an ordinary rate). Reported: messages/s received and the
// p50/p99 latency from publish to delivery in the other worker. Uses the built package (`npm run build`).
//
//   node bench/realtime/cluster-broadcast.mjs
import cluster from 'node:cluster';
import { Broadcast, clusterRelay } from 'phial';

const RUNS = {
  burst: { n: 50_000, every: 500, pauseMs: 5 },
  steady: { n: 2_000, every: 1, pauseMs: 1 },
};

if (cluster.isPrimary) {
  clusterRelay({ maxPending: 1e9 });
  for (const [name, run] of Object.entries(RUNS)) {
    const result = await measure(run);
    console.log(JSON.stringify({ run: name, ...result }));
  }
} else {
  worker();
}

function measure(run) {
  return new Promise((resolve) => {
    const env = { RUN: JSON.stringify(run) };
    const pub = cluster.fork({ ...env, ROLE: 'pub' });
    const sub = cluster.fork({ ...env, ROLE: 'sub' });
    let ready = 0;
    const onReady = () => {
      if (++ready === 2) setTimeout(() => pub.send('go'), 300);
    };
    pub.on('message', (m) => m === 'ready' && onReady());
    sub.on('message', (m) => {
      if (m === 'ready') onReady();
      else if (m?.done) {
        pub.kill();
        sub.kill();
        resolve(m.result);
      }
    });
  });
}

function worker() {
  const { n: N, every, pauseMs } = JSON.parse(process.env.RUN);
  const bus = new Broadcast();
  const now = () => performance.timeOrigin + performance.now();
  if (process.env.ROLE === 'sub') {
    const latencies = [];
    let received = 0;
    let first = 0;
    bus.subscribe('samples', (m) => {
      const t = now();
      if (received === 0) first = t;
      received++;
      latencies.push(t - m.at);
      if (received === N) {
        latencies.sort((a, b) => a - b);
        const at = (q) =>
          Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(2));
        process.send({
          done: true,
          result: {
            transport: bus.transport.constructor.name,
            messages: N,
            messagesPerSec: Math.round(N / ((t - first) / 1000)),
            p50ms: at(0.5),
            p99ms: at(0.99),
          },
        });
      }
    });
  }
  process.on('message', async (m) => {
    if (m !== 'go') return;
    for (let i = 0; i < N; i++) {
      await bus.publish('samples', {
        kind: 'sample',
        values: [1.5, 2.25, 3.125],
        label: 'sensor-42',
        i,
        at: now(),
      });
      if (i % every === every - 1) await new Promise((r) => setTimeout(r, pauseMs));
    }
  });
  process.send('ready');
}
