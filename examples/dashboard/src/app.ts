/**
 * A live dashboard with Phial: a Jinja page with a Chart.js chart (served from the npm package, no CDN),
 * samples streamed over server-sent events, and a WebSocket control channel through which any page
 * changes the sampling rate or posts an annotation that every open dashboard sees.
 */

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Broadcast, eventStream, Phial, renderTemplate, sendFromDirectory } from 'phial';

/** A control command sent by a page over the WebSocket. */
export type Command = { type: 'rate'; ms: number } | { type: 'annotate'; text: string };

/** What every dashboard hears on the control channel. */
export type ControlMessage = { type: 'rate'; ms: number } | { type: 'annotation'; text: string; at: number };

/** Shared state of the dashboard, kept on the app (`app.extensions.dashboard`). */
export interface DashboardState {
  /** Milliseconds between samples. */
  rateMs: number;
  /** SSE producers running now (one per open page). */
  producers: number;
  /** The control channel and the wake-ups of sleeping producers. */
  bus: Broadcast;
}

const MIN_RATE = 50;
const MAX_RATE = 5000;
const chartDist = dirname(createRequire(import.meta.url).resolve('chart.js'));

/** The dashboard's state of `app`. */
export function stateOf(app: Phial): DashboardState {
  return app.extensions.dashboard as DashboardState;
}

/** A simulated sensor: a slow wave with a little noise. */
function sensor(t: number): number {
  return 20 + 5 * Math.sin(t / 2000) + Math.random();
}

/** Sleeps `ms`, or less when `signal` aborts or the bus says the rate changed. */
function nap(ms: number, signal: AbortSignal, bus: Broadcast): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      leave();
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    const leave = bus.subscribe<ControlMessage>('control', (m) => {
      if (m.type === 'rate') done();
    });
  });
}

/** Makes the dashboard app. */
export function createApp(): Phial {
  const app = new Phial(import.meta.url);
  const state: DashboardState = { rateMs: 1000, producers: 0, bus: new Broadcast() };
  app.extensions.dashboard = state;
  // the rate is whatever the last rate message said, whichever worker of `phial serve --workers N` took it
  state.bus.subscribe<ControlMessage>('control', (m) => {
    if (m.type === 'rate') state.rateMs = m.ms;
  });

  app.get('/', function index() {
    return renderTemplate('index.html', { rate_ms: state.rateMs, min_rate: MIN_RATE, max_rate: MAX_RATE });
  });

  // Chart.js from node_modules, with the static-file machinery (ETag, caching), no CDN
  app.get('/vendor/chart.js', function chartJs() {
    return sendFromDirectory(chartDist, 'chart.umd.min.js');
  });

  // One producer per open page, inside the request context; it ends when the page goes.
  app.get('/events', function events() {
    return eventStream(
      async (stream) => {
        state.producers++;
        stream.onClose(() => {
          state.producers--;
        });
        const started = process.cpuUsage();
        let last = performance.now();
        let lastCpu = started;
        while (!stream.closed) {
          const now = performance.now();
          const cpu = process.cpuUsage();
          const busy = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
          const sample = {
            t: Date.now(),
            sensor: Number(sensor(Date.now()).toFixed(2)),
            rssMb: Number((process.memoryUsage.rss() / 1048576).toFixed(1)),
            cpuPct: Number(((busy / Math.max(1, now - last)) * 100).toFixed(1)),
          };
          last = now;
          lastCpu = cpu;
          await stream.send({ event: 'sample', data: sample });
          await nap(state.rateMs, stream.signal, state.bus);
        }
      },
      { heartbeat: 10 },
    );
  });

  // The control channel: commands in, broadcasts out to every open dashboard.
  app.websocket('/control', async function control(ws) {
    state.bus.join(ws, 'control');
    await ws.send(JSON.stringify({ type: 'rate', ms: state.rateMs } satisfies ControlMessage));
    for await (const raw of ws) {
      let cmd: Command;
      try {
        cmd = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw)) as Command;
      } catch {
        ws.close(1003, 'commands are JSON');
        return;
      }
      if (cmd.type === 'rate' && Number.isFinite(cmd.ms)) {
        const ms = Math.min(MAX_RATE, Math.max(MIN_RATE, Math.round(cmd.ms)));
        await state.bus.publish('control', { type: 'rate', ms } satisfies ControlMessage);
      } else if (cmd.type === 'annotate' && typeof cmd.text === 'string' && cmd.text.trim()) {
        const text = cmd.text.trim().slice(0, 200);
        await state.bus.publish('control', {
          type: 'annotation',
          text,
          at: Date.now(),
        } satisfies ControlMessage);
      }
    }
  });

  // What the tests (and a curious operator) read: producers running and the current rate.
  app.get('/stats', function stats() {
    return { producers: state.producers, rateMs: state.rateMs };
  });

  return app;
}
