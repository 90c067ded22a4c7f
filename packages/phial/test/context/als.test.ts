/**
 * Contexts have AsyncLocalStorage's semantics by default: `request` and `g` survive timers, setImmediate,
 * event emitters and node callbacks inside a view, overlapping requests stay apart, and a streamed body
 * (a generator given to Phial's or the Web's `Response`) is consumed inside its request's context, through
 * the test client and over real sockets on both servers. `PHIAL_CONTEXT=promise-hooks` is the opt-in.
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bindToCurrentContext, contextMechanism } from '../../src/app/context.js';
import { g, Phial, Response, request } from '../../src/index.js';
import { RawClient, SERVERS, start } from '../body/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function contextApp(): Phial {
  const app = new Phial('als');
  app.beforeRequest(() => {
    g.who = request.args.get('who') ?? 'nobody';
  });
  app.route(
    '/timer',
    () => new Promise<string>((resolve) => setTimeout(() => resolve(`${request.path} ${g.who}`), 5)),
  );
  app.route(
    '/immediate',
    () => new Promise<string>((resolve) => setImmediate(() => resolve(`${request.path} ${g.who}`))),
  );
  app.route('/emitter', () => {
    const ee = new EventEmitter();
    const out = new Promise<string>((resolve) => ee.on('go', () => resolve(`${request.path} ${g.who}`)));
    setTimeout(() => ee.emit('go'), 5);
    return out;
  });
  app.route(
    '/callback',
    () =>
      new Promise<string>((resolve, reject) =>
        readFile(fileURLToPath(import.meta.url), (err) =>
          err ? reject(err) : resolve(`${request.path} ${g.who}`),
        ),
      ),
  );
  app.route('/phial-stream', () => {
    async function* body() {
      yield 'a:';
      await new Promise((r) => setTimeout(r, 5));
      yield `${request.path}:${g.who}`;
    }
    return new Response(body());
  });
  app.route('/web-stream', () => {
    async function* body() {
      yield new TextEncoder().encode('w:');
      await new Promise((r) => setTimeout(r, 5));
      yield new TextEncoder().encode(`${request.path}:${g.who}`);
    }
    return new globalThis.Response(
      // Node's Response takes an async iterable body
      body() as unknown as ReadableStream<Uint8Array>,
      { headers: { 'content-type': 'text/plain' } },
    );
  });
  return app;
}

describe('AsyncLocalStorage semantics by default', () => {
  it('is the default mechanism', () => {
    expect(contextMechanism()).toBe('als');
  });

  it.each(['timer', 'immediate', 'emitter', 'callback'])(
    'request and g are readable from a %s callback inside a view',
    async (kind) => {
      const res = await contextApp().testClient().get(`/${kind}?who=ann`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(`/${kind} ann`);
    },
  );

  it('overlapping requests keep their own context', async () => {
    const client = contextApp().testClient();
    const names = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const results = await Promise.all(
      names.map((n, i) => client.get(`/${['timer', 'immediate', 'emitter', 'callback'][i % 4]}?who=${n}`)),
    );
    expect(results.map((r) => r.text.split(' ')[1])).toEqual(names);
  });

  it('a function bound with bindToCurrentContext runs in its context wherever it is called later', async () => {
    const app = new Phial('bind');
    let bound: ((suffix: string) => string) | null = null;
    app.get('/bind', () => {
      g.name = request.args.get('who');
      bound = bindToCurrentContext((suffix: string) => `${request.path} ${g.name}${suffix}`);
      return 'bound';
    });
    expect((await app.testClient().get('/bind?who=di')).text).toBe('bound');
    const fn = bound as ((suffix: string) => string) | null;
    if (fn === null) throw new Error('not bound');
    // called later, from outside any request (several times, like a message listener)
    const later = await new Promise<string[]>((resolve) => setImmediate(() => resolve([fn('!'), fn('?')])));
    expect(later).toEqual(['/bind di!', '/bind di?']);
    // outside any context the function is returned as it is
    const plain = (x: number) => x + 1;
    expect(bindToCurrentContext(plain)).toBe(plain);
  });

  it.each(['phial-stream', 'web-stream'])(
    'a %s body is consumed inside the request context',
    async (kind) => {
      const res = await contextApp().testClient().get(`/${kind}?who=bo`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(`${kind === 'web-stream' ? 'w' : 'a'}:/${kind}:bo`);
    },
  );
});

const sockets: RawClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

describe.each(SERVERS)('over a real socket (%s server)', (kind) => {
  it.each(['timer', 'emitter', 'phial-stream', 'web-stream'])('%s keeps the context', async (route) => {
    const s = await start(contextApp(), kind);
    closers.push(s.close);
    const c = new RawClient(s.port);
    sockets.push(c);
    c.write(`GET /${route}?who=cy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await c.untilClosed(5000);
    expect(c.text).toMatch(/^HTTP\/1\.1 200/);
    // chunked or not, the context-dependent part is there
    expect(c.text).toContain(route.endsWith('stream') ? `/${route}:cy` : `/${route} cy`);
  });
});

describe('PHIAL_CONTEXT=promise-hooks (the opt-in)', () => {
  it('switches the mechanism; timers then run outside the context', () => {
    const tsx = pathToFileURL(path.resolve(here, '../../../../node_modules/tsx/dist/loader.mjs')).href;
    const script = path.join(here, 'fixtures/mechanism.ts');
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ['--import', tsx, script], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      }).trim();
    expect(JSON.parse(run({ PHIAL_CONTEXT: 'promise-hooks' }))).toEqual({
      mechanism: 'promise-hooks',
      awaited: '/t',
      timer: 'outside',
    });
    expect(JSON.parse(run({ PHIAL_CONTEXT: '' }))).toEqual({ mechanism: 'als', awaited: '/t', timer: '/t' });
  });
});
