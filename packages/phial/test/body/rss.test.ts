/**
 * Bounded memory under the default config: a 300 MiB body sent to a URL that does not exist, over a real
 * socket, leaves the server process under +64 MiB RSS (measured in the server's own process, a child), on
 * Phial's server and on node:http.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const TSX = pathToFileURL(path.resolve(here, '../../../../node_modules/tsx/dist/loader.mjs')).href;
const MiB = 1024 * 1024;

let child: ChildProcess;
let ports: { phial: number; node: number; meter: number };

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--expose-gc', '--import', TSX, path.join(here, 'fixtures/rss-server.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  ports = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
}, 30_000);

afterAll(() => {
  child?.kill();
});

function meter(pathname: string): Promise<{ rss: number; peak: number }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: ports.meter, path: pathname, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });
}

/** Sends a head announcing `total` bytes then as much of the body as the server takes; resolves with the status. */
function blast(port: number, target: string, total: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let text = '';
    let status = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ status, sent });
    };
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      // like a real client, stop sending once the server answered
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m && status === 0) {
        status = Number(m[1]);
        finish();
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const pumpMore = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pumpMore);
          return;
        }
      }
      if (sent >= total) setTimeout(finish, 500);
    };
    socket.write(
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`,
    );
    pumpMore();
  });
}

describe.each(['phial', 'node'] as const)('a 300 MiB body (%s server)', (kind) => {
  it('to an unknown route stays under +64 MiB RSS, answered 404', async () => {
    const before = await meter('/reset');
    const { status } = await blast(ports[kind], '/nope', 300 * MiB);
    const after = await meter('/rss');
    expect(status).toBe(404);
    expect(after.peak - before.rss).toBeLessThan(64 * MiB);
  }, 60_000);

  it('to a route under the default config is refused (413), memory still bounded', async () => {
    const before = await meter('/reset');
    const { status } = await blast(ports[kind], '/known', 300 * MiB);
    const after = await meter('/rss');
    expect(status).toBe(413);
    expect(after.peak - before.rss).toBeLessThan(64 * MiB);
  }, 60_000);
});
