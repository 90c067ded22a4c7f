import { describe, expect, it } from 'vitest';
import {
  afterThisRequest,
  appcontextPopped,
  copyCurrentRequestContext,
  currentApp,
  g,
  hasAppContext,
  hasRequestContext,
  Phial,
  Response,
  request,
  requestFinished,
  requestStarted,
  session,
  streamWithContext,
} from '../../src/index.js';

declare module '../../src/index.js' {
  interface AppGlobals {
    user?: string;
  }
  interface SessionData {
    count?: number;
  }
}

function makeApp(): Phial {
  return new Phial(import.meta.url, { staticFolder: null });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('globals outside contexts', () => {
  it('throw clear errors', () => {
    expect(() => request.path).toThrow(new Error('Working outside of request context.'));
    expect(() => session.get('x')).toThrow('Working outside of request context.');
    expect(() => g.user).toThrow(new Error('Working outside of application context.'));
    expect(() => currentApp.name).toThrow('Working outside of application context.');
    expect(hasRequestContext()).toBe(false);
    expect(hasAppContext()).toBe(false);
  });
});

describe('app context', () => {
  it('appContext resolves to fn result, provides currentApp and g, and tears down', async () => {
    const app = makeApp();
    const torn: unknown[] = [];
    app.teardownAppcontext((e) => {
      torn.push(e);
    });
    const rv = await app.appContext(async () => {
      g.user = 'x';
      await sleep(1);
      return `${currentApp.name} ${g.user} ${hasAppContext()} ${hasRequestContext()}`;
    });
    expect(rv).toBe(`${app.name} x true false`);
    expect(torn).toEqual([null]);
    await expect(app.appContext(() => g.user)).resolves.toBeUndefined();
  });

  it('g helpers: get, pop, setDefault, has', async () => {
    const app = makeApp();
    await app.appContext(() => {
      g.user = 'a';
      expect(g.get('user')).toBe('a');
      expect(g.get('missing', 1)).toBe(1);
      expect(g.has('user')).toBe(true);
      expect(g.setDefault('other', 5)).toBe(5);
      expect(g.pop('user')).toBe('a');
      expect('user' in g).toBe(false);
    });
  });
});

describe('request context', () => {
  it('overlapping async requests never see each other', async () => {
    const app = makeApp();
    app.beforeRequest((req) => {
      g.user = req.args.get('u');
    });
    app.get('/', async (req) => {
      await sleep(Number(req.args.get('d')));
      const a = `${request.args.get('u')}:${g.user}`;
      await sleep(1);
      return `${a}|${request.args.get('u')}:${g.user}`;
    });
    const c = app.testClient();
    const results = await Promise.all([
      c.get('/', { query: { u: 'one', d: '15' } }),
      c.get('/', { query: { u: 'two', d: '1' } }),
      c.get('/', { query: { u: 'three', d: '8' } }),
    ]);
    expect(results.map((r) => r.text)).toEqual([
      'one:one|one:one',
      'two:two|two:two',
      'three:three|three:three',
    ]);
  });

  it('a sync wrapper around an async view keeps the context after awaits (first request too)', async () => {
    const app = makeApp();
    const loginRequired =
      <P>(view: (req: import('../../src/index.js').Request<P>) => Promise<string>) =>
      (req: import('../../src/index.js').Request<P>) => {
        if (!g.user) return 'login';
        return view(req);
      };
    app.beforeRequest(async () => {
      await sleep(1);
      g.user = request.args.get('u') ?? undefined;
    });
    app.get(
      '/create',
      loginRequired(async () => {
        await new Promise((r) => setTimeout(r, 2));
        await Promise.resolve();
        return `created by ${g.user} at ${request.path}`;
      }),
    );
    const c = app.testClient();
    const [a, b] = await Promise.all([c.get('/create?u=ann'), c.get('/create?u=bob')]);
    expect(a.text).toBe('created by ann at /create');
    expect(b.text).toBe('created by bob at /create');
    expect((await c.get('/create')).text).toBe('login');
  });

  it('testRequestContext resolves to fn result with the request set up', async () => {
    const app = makeApp();
    app.get('/hello/<name>', function hello() {
      return 'x';
    });
    const rv = await app.testRequestContext('/hello/ann?x=1', { method: 'POST', json: { a: 1 } }, (req) => ({
      path: request.path,
      method: req.method,
      x: request.args.get('x'),
      json: request.json,
      endpoint: request.endpoint,
      params: request.params,
      same: req === (request as unknown),
    }));
    expect(rv).toEqual({
      path: '/hello/ann',
      method: 'POST',
      x: '1',
      json: { a: 1 },
      endpoint: null,
      params: {},
      same: false,
    });
  });

  it('afterThisRequest runs before afterRequest hooks', async () => {
    const app = makeApp();
    const order: string[] = [];
    app.afterRequest((res) => {
      order.push('after');
      return res;
    });
    app.get('/', () => {
      afterThisRequest((res) => {
        order.push('this');
        res.headers.set('X-This', 'yes');
        return res;
      });
      return 'ok';
    });
    const r = await app.testClient().get('/');
    expect(r.headers.get('x-this')).toBe('yes');
    expect(order).toEqual(['this', 'after']);
    expect(() => afterThisRequest((res) => res)).toThrow(/outside of request context/);
  });

  it('streamed responses are consumed inside the request context; teardown after the stream', async () => {
    const app = makeApp();
    const events: string[] = [];
    app.teardownRequest(() => {
      events.push('teardown');
    });
    app.get('/', () =>
      (async function* () {
        await sleep(1);
        events.push('chunk1');
        yield `path=${request.path};`;
        await sleep(1);
        events.push('chunk2');
        yield `arg=${request.args.get('a')}`;
      })(),
    );
    const r = await app.testClient().get('/', { query: { a: 'b' } });
    expect(r.text).toBe('path=/;arg=b');
    expect(events).toEqual(['chunk1', 'chunk2', 'teardown']);
  });

  it('streamWithContext and copyCurrentRequestContext keep the context for later', async () => {
    const app = makeApp();
    let later: (() => string) | null = null;
    app.get('/', () => {
      later = copyCurrentRequestContext(() => request.path);
      return new Response(streamWithContext(['a', 'b']));
    });
    const r = await app.testClient().get('/x'.replace('/x', '/'));
    expect(r.text).toBe('ab');
    expect((later as unknown as () => string)()).toBe('/');
  });

  it('signals are sent', async () => {
    const app = makeApp();
    const seen: string[] = [];
    const off1 = requestStarted.connect(() => seen.push('started'));
    const off2 = requestFinished.connect((_s, { response }) =>
      seen.push(`finished ${(response as Response).status}`),
    );
    const off3 = appcontextPopped.connect(() => seen.push('popped'));
    try {
      app.get('/', () => 'x');
      await app.testClient().get('/');
    } finally {
      off1();
      off2();
      off3();
    }
    expect(seen).toEqual(['started', 'finished 200', 'popped']);
  });
});

describe('session', () => {
  it('round-trips through the cookie with SECRET_KEY; typed by SessionData', async () => {
    const app = makeApp();
    app.secretKey = 'dev';
    app.get('/', () => {
      const n = (session.get('count') ?? 0) + 1;
      session.set('count', n);
      return String(n);
    });
    const c = app.testClient();
    expect((await c.get('/')).text).toBe('1');
    const r2 = await c.get('/');
    expect(r2.text).toBe('2');
    expect(r2.headers.get('vary')).toContain('Cookie');
    expect(c.getCookie('session')?.value).toMatch(/\./);
  });

  it('without SECRET_KEY writing raises a clear error (500 / propagated)', async () => {
    const app = makeApp();
    app.testing = true;
    app.get('/', (req) => {
      (req.session as { set(k: string, v: unknown): void }).set('a', 1);
      return 'x';
    });
    await expect(app.testClient().get('/')).rejects.toThrow(/secret key/i);
  });

  it('sessionTransaction sets values the next request sees', async () => {
    const app = makeApp();
    app.secretKey = 'k';
    app.get('/', () => `count=${session.get('count')}`);
    const c = app.testClient();
    const rv = await c.sessionTransaction((s) => {
      s.set('count', 41);
      return 'done';
    });
    expect(rv).toBe('done');
    expect((await c.get('/')).text).toBe('count=41');
    await c.sessionTransaction((s) => {
      expect(s.get('count')).toBe(41);
    });
  });
});
