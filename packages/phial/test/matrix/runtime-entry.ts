/**
 * Serves the matrix app with `app.fetch` on Bun or Deno (bundled by `runtime.ts`, run by the runtime):
 * prints `PORT <n>` once listening on 127.0.0.1.
 */
import { makeMatrixApp } from './app.js';

interface BunLike {
  serve(options: { port: number; hostname: string; fetch: (r: Request) => Promise<Response> }): {
    port: number;
  };
}
interface DenoLike {
  serve(
    options: { port: number; hostname: string; onListen: (addr: { port: number }) => void },
    handler: (r: Request) => Promise<Response>,
  ): unknown;
}

const app = makeMatrixApp();
const g = globalThis as { Bun?: BunLike; Deno?: DenoLike };
if (g.Bun !== undefined) {
  const server = g.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  console.log(`PORT ${server.port}`);
} else if (g.Deno !== undefined) {
  g.Deno.serve(
    { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`PORT ${port}`) },
    app.fetch,
  );
} else {
  throw new Error('Run this with Bun or Deno.');
}
