/**
 * A real PostgreSQL server for tests: Debian's `postgresql` binaries, a new cluster in a temporary folder,
 * listening on a free 127.0.0.1 port, stopped by its PID. PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` user (which Debian's package creates).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** The folder of `initdb`/`postgres`, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0] as string, 'bin') : undefined;
}

/** True when PostgreSQL tests must run (CI) or can run (installed here). */
export const postgresAvailable = process.env.CI === 'true' || postgresBin() !== undefined;

/** A running server. */
export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  pid: number;
  /** Stops the server (fast shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder (to test recovery). */
  start(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function waitReady(bin: string, port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const r = spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    if (r.status === 0) return;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  throw new Error(`PostgreSQL did not start on port ${port}`);
}

/** Creates a cluster and starts it (about 1-2 s). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'phial-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (asRoot) execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', data]);
  const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  let pid = 0;
  const server: PostgresServer = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    get pid() {
      return pid;
    },
    async start() {
      const [cmd, args] = asPostgres(join(bin, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-k',
        dir,
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'synchronous_commit=off',
      ]);
      const child = spawn(cmd, args, { stdio: 'ignore', detached: false });
      child.unref();
      await waitReady(bin, port, Date.now() + 20_000);
      // runuser forks: the server's own PID is in postmaster.pid
      pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    },
    async stop() {
      if (pid === 0) return;
      const p = pid;
      pid = 0;
      try {
        process.kill(p, 'SIGINT');
      } catch {
        return;
      }
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        try {
          process.kill(p, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(p, 'SIGKILL');
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
