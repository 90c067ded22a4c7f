// What every realtime benchmark server shares: the port, the tick payload (a server timestamp the client
// turns into a delivery latency), and the tick period.
export const TICK_MS = 100;

/** The port from `node servers/<name>.mjs <port>`. */
export function portFromArgs() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: node servers/<name>.mjs <port>');
  return port;
}

/** The data of one tick: the wall-clock time in ms (sub-ms precision), as JSON. */
export function tickPayload() {
  return `{"t":${(performance.timeOrigin + performance.now()).toFixed(3)}}`;
}

/** Calls `fn` every TICK_MS ms. */
export function everyTick(fn) {
  setInterval(fn, TICK_MS);
}
