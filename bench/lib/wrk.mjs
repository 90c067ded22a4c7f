/** Running wrk (pinned to a CPU) and reading its report. */
import { execFile } from 'node:child_process';
import { WRK_DIR } from './endpoints.mjs';
import { wrapCommand } from './proc.mjs';

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60000 };

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

/**
 * Parse wrk's text report (run with --latency).
 * @returns {{ rps: number, p99Ms: number | null, requests: number, non2xx: number, socketErrors: number }}
 */
export function parseWrk(out) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk gave no Requests/sec: ${out.slice(0, 300)}`);
  const p99 = /^\s*99(?:\.0+)?%\s+(\S+)/m.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(rps[1]),
    p99Ms: p99 ? toMs(p99[1]) : null,
    requests: requests ? Number(requests[1]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/**
 * Load `http://127.0.0.1:<port><path>` with wrk for `durationS` seconds.
 * @param {{ port: number, path: string, script?: string, scriptArgs?: string[], durationS: number,
 *   connections: number, cpu: number | null, nice?: number | null }} o
 */
export function runWrk(o) {
  const wrkArgs = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency'];
  if (o.script) wrkArgs.push('-s', `${WRK_DIR}${o.script}`);
  wrkArgs.push(`http://127.0.0.1:${o.port}${o.path}`);
  if (o.scriptArgs?.length) wrkArgs.push('--', ...o.scriptArgs);
  const [cmd, ...args] = wrapCommand(['wrk', ...wrkArgs], { cpu: o.cpu, nice: o.nice ?? null });
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: (o.durationS + 30) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk failed: ${err.message} ${stderr}`));
      try {
        resolve(parseWrk(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}
