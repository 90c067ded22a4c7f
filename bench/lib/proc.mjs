/** Starting, probing and stopping benchmark servers (by PID), and reading their memory. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { SERVERS_DIR } from './endpoints.mjs';

/**
 * Prefix a command with `nice -n N` and `taskset -c CPU` when asked. Both exec the next program, so the PID
 * of the spawned process is the PID of the final one (the server), whose /proc entry gives its memory.
 */
export function wrapCommand(command, { cpu = null, nice = null } = {}) {
  const out = [];
  if (nice !== null) out.push('nice', '-n', String(nice));
  if (cpu !== null) out.push('taskset', '-c', String(cpu));
  return [...out, ...command];
}

/** A free TCP port on 127.0.0.1 (bound to 0, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One HTTP request with no keep-alive.
 * @returns {Promise<{ status: number, type: string | null, body: string }>}
 */
export function request(port, method, path, body, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined
        ? {}
        : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `servers/<framework>.mjs` on `port` (pinned to `cpu` when given) and wait for its first successful
 * response to GET `probePath`. Resolves to { pid, child, startupMs } or rejects with the reason it did not start.
 */
export async function startServer(
  framework,
  port,
  { cpu = null, nice = null, probePath = '/plaintext', timeoutMs = 20000, env = {} } = {},
) {
  const file = `${SERVERS_DIR}${framework}.mjs`;
  const [cmd, ...args] = wrapCommand([process.execPath, file, String(port)], { cpu, nice });
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  let output = '';
  const collect = (d) => {
    if (output.length < 20000) output += d.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });

  while (true) {
    if (exited !== null) throw new Error(`exited (${exited}): ${firstError(output)}`);
    if (performance.now() - t0 > timeoutMs) {
      await stopServer(child);
      throw new Error(`no response within ${timeoutMs} ms: ${firstError(output)}`);
    }
    try {
      const res = await request(port, 'GET', probePath, undefined, 1000);
      const ok = res.status >= 200 && res.status < 300;
      return {
        pid: child.pid,
        child,
        // A server that answers, but not with a 2xx, is up: its startup time is unknown, the endpoint check decides.
        startupMs: ok ? performance.now() - t0 : null,
        probeNote: ok ? null : `GET ${probePath} answered ${res.status}`,
        output: () => output,
      };
    } catch {
      await sleep(3);
    }
  }
}

/** The most telling line of a crashed server's output (the error message, not the stack). */
function firstError(output) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err =
    lines.find((l) => /^(\w*Error|Error)\b|^\w+Error:/.test(l)) ??
    lines.find((l) => !l.startsWith('at ')) ??
    '';
  return (err || '(no output)').slice(0, 300);
}

/** SIGTERM the server by PID, SIGKILL after `graceMs`; resolves once it has exited. */
export function stopServer(child, graceMs = 2000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS), or null if unreadable. */
export function rssMb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
