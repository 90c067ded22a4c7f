import { describe, expect, it, vi } from 'vitest';
import {
  abort,
  BadRequest,
  Forbidden,
  g,
  HTTPException,
  type InternalServerError,
  jsonify,
  makeResponse,
  NotFound,
  Phial,
  Response,
  redirect,
  request,
  urlFor,
} from '../../src/index.js';

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  return app;
}

describe('routing and methods', () => {
  it('answers GET, HEAD without body, automatic OPTIONS with Allow', async () => {
    const app = makeApp();
    app.route('/', () => 'Hello, World!');
    const c = app.testClient();
    const r = await c.get('/');
    expect(r.status).toBe(200);
    expect(r.text).toBe('Hello, World!');
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-length')).toBe('13');
    const h = await c.head('/');
    expect(h.status).toBe(200);
    expect(h.data.byteLength).toBe(0);
    expect(h.headers.get('content-length')).toBe('13');
    const o = await c.options('/');
    expect(o.status).toBe(200);
    expect(o.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(o.text).toBe('');
  });

  it('405 with Allow for a wrong method, 404 for an unknown URL', async () => {
    const app = makeApp();
    app.route('/login', { methods: ['GET', 'POST'] }, function login(req) {
      return req.method;
    });
    const c = app.testClient();
    expect((await c.post('/login')).text).toBe('POST');
    const r = await c.put('/login');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    expect(r.text).toContain('<title>405 Method Not Allowed</title>');
    const nf = await c.get('/missing');
    expect(nf.status).toBe(404);
    expect(nf.text).toContain('The requested URL was not found on the server.');
  });

  it('method shortcuts, typed params, and endpoint names from the function name', async () => {
    const app = makeApp();
    app.get('/user/<int:id>', function showUser(req) {
      return { id: req.params.id, kind: typeof req.params.id };
    });
    app.post('/p', () => 'posted');
    app.put('/p', () => 'put');
    app.patch('/p', () => 'patched');
    app.delete('/p', () => 'deleted');
    const c = app.testClient();
    expect((await c.get('/user/7')).json).toEqual({ id: 7, kind: 'number' });
    expect((await c.get('/user/x')).status).toBe(404);
    expect((await c.post('/p')).text).toBe('posted');
    expect((await c.put('/p')).text).toBe('put');
    expect((await c.patch('/p')).text).toBe('patched');
    expect((await c.delete('/p')).text).toBe('deleted');
    expect(app.viewFunctions.showUser).toBeTypeOf('function');
    expect(() => app.get('/x', { methods: ['POST'] } as never, () => 'x')).toThrow(/route/);
  });

  it('strict slashes redirect with 308 and keep the query string', async () => {
    const app = makeApp();
    app.route('/dir/', () => 'dir');
    const r = await app.testClient().get('/dir?a=1');
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toMatch(/\/dir\/\?a=1$/);
  });

  it('two views on one endpoint throw; the same view twice is fine', () => {
    const app = makeApp();
    const index = () => 'a';
    app.route('/', index);
    app.route('/index', index);
    expect(() => app.route('/other', { endpoint: 'index' }, () => 'b')).toThrow(
      /overwriting an existing endpoint function: index/,
    );
  });

  it('addUrlRule without a view, then endpoint()', async () => {
    const app = makeApp();
    app.addUrlRule('/foo', { endpoint: 'bar' });
    app.endpoint('bar', () => 'bar view');
    expect((await app.testClient().get('/foo')).text).toBe('bar view');
  });

  it('methods given as a string is a TypeError', () => {
    const app = makeApp();
    expect(() => app.route('/', { methods: 'GET' as unknown as string[] }, () => 'x')).toThrow(TypeError);
  });

  it('provideAutomaticOptions false lets the view answer OPTIONS', async () => {
    const app = makeApp();
    app.route('/', { methods: ['GET', 'OPTIONS'] }, (req) => `view ${req.method}`);
    const r = await app.testClient().options('/');
    expect(r.text).toBe('view OPTIONS');
  });
});

describe('return values', () => {
  it('converts strings, objects, arrays, bytes, responses, streams', async () => {
    const app = makeApp();
    app.get('/s', () => '<b>hi</b>');
    app.get('/o', () => ({ b: 2, a: 1 }));
    app.get('/a', () => [1, 2, 3]);
    app.get('/bytes', () => new Uint8Array([104, 105]));
    app.get('/resp', () => new Response('teapot', { status: 418, mimetype: 'text/plain' }));
    app.get('/web', () => new globalThis.Response('web', { status: 201, headers: { 'x-web': '1' } }));
    app.get('/gen', async function* gen() {
      yield 'a';
      yield 'b';
      yield new TextEncoder().encode('c');
    });
    app.get('/syncgen', function* syncgen() {
      yield 'x';
      yield 'y';
    });
    app.get(
      '/rs',
      () =>
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('rs'));
            c.close();
          },
        }),
    );
    const c = app.testClient();
    const s = await c.get('/s');
    expect(s.text).toBe('<b>hi</b>');
    expect(s.mimetype).toBe('text/html');
    const o = await c.get('/o');
    expect(o.headers.get('content-type')).toBe('application/json');
    expect(o.json).toEqual({ a: 1, b: 2 });
    expect((await c.get('/a')).json).toEqual([1, 2, 3]);
    expect((await c.get('/bytes')).text).toBe('hi');
    const r = await c.get('/resp');
    expect(r.status).toBe(418);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const w = await c.get('/web');
    expect(w.status).toBe(201);
    expect(w.text).toBe('web');
    expect(w.headers.get('x-web')).toBe('1');
    expect((await c.get('/gen')).text).toBe('abc');
    expect((await c.get('/syncgen')).text).toBe('xy');
    expect((await c.get('/rs')).text).toBe('rs');
  });

  it('undefined, null, number and boolean are TypeErrors (500)', async () => {
    for (const value of [undefined, null, 42, true]) {
      const app = makeApp();
      const logged: unknown[] = [];
      app.logger = { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => logged.push(a) };
      app.get('/', () => value as never);
      const r = await app.testClient().get('/');
      expect(r.status).toBe(500);
      expect(r.text).not.toContain('TypeError');
      expect(logged.length).toBe(1);
      const err = (logged[0] as unknown[])[1];
      expect(err).toBeInstanceOf(TypeError);
      expect(String((err as Error).message)).toMatch(/did not return a valid response/);
    }
  });

  it('with TESTING the TypeError propagates to the caller', async () => {
    const app = makeApp();
    app.testing = true;
    app.get('/', () => undefined as never);
    await expect(app.testClient().get('/')).rejects.toThrow(TypeError);
  });

  it('makeResponse with status and headers, and with headers only', async () => {
    const app = makeApp();
    app.get('/a', () => makeResponse('created', 201, { 'X-A': '1' }));
    app.get('/b', () => makeResponse({ ok: true }, { 'X-B': '2' }));
    app.get('/c', () => makeResponse('gone', '410 GONE'));
    const c = app.testClient();
    const a = await c.get('/a');
    expect([a.status, a.text, a.headers.get('x-a')]).toEqual([201, 'created', '1']);
    const b = await c.get('/b');
    expect([b.status, b.json, b.headers.get('x-b')]).toEqual([200, { ok: true }, '2']);
    expect((await c.get('/c')).status).toBe(410);
  });

  it('jsonify sorts keys and ends with a newline', async () => {
    const app = makeApp();
    app.get('/', () => jsonify({ z: 1, a: [1, 'x'] }));
    app.get('/many', () => jsonify(1, 2));
    const r = await app.testClient().get('/');
    expect(r.text).toBe('{"a":[1,"x"],"z":1}\n');
    expect((await app.testClient().get('/many')).json).toEqual([1, 2]);
  });
});

describe('hooks', () => {
  it('runs before/after/teardown in Flask order', async () => {
    const app = makeApp();
    const calls: string[] = [];
    app.beforeRequest(() => {
      calls.push('before1');
    });
    app.beforeRequest(() => {
      calls.push('before2');
    });
    app.afterRequest((res) => {
      calls.push('after1');
      res.headers.set('X-After', '1');
      return res;
    });
    app.afterRequest((res) => {
      calls.push('after2');
      return res;
    });
    app.teardownRequest((err) => {
      calls.push(`teardown ${err === null ? 'ok' : 'err'}`);
    });
    app.teardownAppcontext(() => {
      calls.push('teardown app');
    });
    app.get('/', () => {
      calls.push('view');
      return 'x';
    });
    const r = await app.testClient().get('/');
    expect(r.headers.get('x-after')).toBe('1');
    expect(calls).toEqual(['before1', 'before2', 'view', 'after2', 'after1', 'teardown ok', 'teardown app']);
  });

  it('a beforeRequest returning a value ends the request', async () => {
    const app = makeApp();
    const view = vi.fn(() => 'view');
    app.beforeRequest(async () => 'stopped');
    app.get('/', view);
    const r = await app.testClient().get('/');
    expect(r.text).toBe('stopped');
    expect(view).not.toHaveBeenCalled();
  });

  it('routing errors are raised after beforeRequest hooks, inside the context', async () => {
    const app = makeApp();
    let seen: string | null = null;
    app.beforeRequest((req) => {
      seen = req.path;
    });
    const r = await app.testClient().get('/nothing-here');
    expect(r.status).toBe(404);
    expect(seen).toBe('/nothing-here');
  });

  it('teardown receives the error that became a 500', async () => {
    const app = makeApp();
    app.logger = { debug() {}, info() {}, warn() {}, error() {} };
    let got: unknown = 'unset';
    app.teardownRequest((e) => {
      got = e;
    });
    const boom = new Error('boom');
    app.get('/', () => {
      throw boom;
    });
    const r = await app.testClient().get('/');
    expect(r.status).toBe(500);
    expect(got).toBe(boom);
  });

  it('async hooks and views work, afterRequest may replace the response', async () => {
    const app = makeApp();
    app.beforeRequest(async () => {
      await new Promise((r) => setTimeout(r, 1));
      g.user = 'ann';
    });
    app.afterRequest(async () => new Response('replaced', { status: 202 }));
    app.get('/', async () => `hi ${g.user}`);
    const r = await app.testClient().get('/');
    expect([r.status, r.text]).toEqual([202, 'replaced']);
  });
});

describe('errors', () => {
  it('abort with code and description', async () => {
    const app = makeApp();
    app.get('/', () => abort(403, 'No entry'));
    app.get('/r', () => abort(new Response('custom', { status: 409 })));
    const c = app.testClient();
    const r = await c.get('/');
    expect(r.status).toBe(403);
    expect(r.text).toContain('<p>No entry</p>');
    const rr = await c.get('/r');
    expect([rr.status, rr.text]).toEqual([409, 'custom']);
    expect(() => abort(299)).toThrow(/no exception for 299/);
  });

  it('error handlers by code and by class, most specific class first', async () => {
    class MyError extends Error {}
    class SubError extends MyError {}
    const app = makeApp();
    app.errorHandler(404, (e) => makeResponse(`custom 404: ${e.code}`, 404));
    app.errorHandler(MyError, (e) => `my ${e.constructor.name}`);
    app.errorHandler(Error, () => 'generic');
    app.get('/my', () => {
      throw new MyError();
    });
    app.get('/sub', () => {
      throw new SubError();
    });
    app.get('/type', () => {
      throw new TypeError('x');
    });
    const c = app.testClient();
    const nf = await c.get('/zzz');
    expect([nf.status, nf.text]).toEqual([404, 'custom 404: 404']);
    expect((await c.get('/my')).text).toBe('my MyError');
    expect((await c.get('/sub')).text).toBe('my SubError');
    expect((await c.get('/type')).text).toBe('generic');
  });

  it('HTTPException handler catches every HTTP error; registering an unknown code throws', async () => {
    const app = makeApp();
    app.errorHandler(HTTPException, (e) => makeResponse(`http ${e.code}`, e.code));
    app.get('/', () => {
      throw new Forbidden();
    });
    const c = app.testClient();
    expect((await c.get('/')).text).toBe('http 403');
    expect((await c.get('/nope')).text).toBe('http 404');
    expect(() => app.errorHandler(999, () => 'x')).toThrow(/not a recognized HTTP error code/);
    expect(() => app.errorHandler(String as never, () => 'x')).toThrow(/not a subclass of Error/);
  });

  it('unhandled errors: 500 page that says nothing, logged once, 500 handler gets originalException', async () => {
    const app = makeApp();
    const logged: unknown[][] = [];
    app.logger = { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => logged.push(a) };
    const boom = new Error('secret detail');
    app.get('/', () => {
      throw boom;
    });
    const c = app.testClient();
    const r = await c.get('/');
    expect(r.status).toBe(500);
    expect(r.text).toContain('Internal Server Error');
    expect(r.text).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.[0]).toBe('Exception on / [GET]');
    expect(logged[0]?.[1]).toBe(boom);

    let original: unknown;
    app.errorHandler(500, (e: InternalServerError) => {
      original = e.originalException;
      return makeResponse('handled 500', 500);
    });
    const r2 = await c.get('/');
    expect(r2.text).toBe('handled 500');
    expect(original).toBe(boom);
  });

  it('TESTING/DEBUG propagate errors unless PROPAGATE_EXCEPTIONS is false', async () => {
    const app = makeApp();
    app.logger = { debug() {}, info() {}, warn() {}, error() {} };
    app.get('/', () => {
      throw new Error('up');
    });
    app.config.TESTING = true;
    await expect(app.testClient().get('/')).rejects.toThrow('up');
    app.config.PROPAGATE_EXCEPTIONS = false;
    expect((await app.testClient().get('/')).status).toBe(500);
    app.config.TESTING = false;
    app.config.DEBUG = true;
    app.config.PROPAGATE_EXCEPTIONS = null;
    await expect(app.testClient().get('/')).rejects.toThrow('up');
  });

  it('an HTTP error in an error handler path still answers', async () => {
    const app = makeApp();
    app.errorHandler(BadRequest, () => {
      throw new NotFound();
    });
    app.logger = { debug() {}, info() {}, warn() {}, error() {} };
    app.get('/', () => {
      throw new BadRequest();
    });
    const r = await app.testClient().get('/');
    expect(r.status).toBe(500);
  });
});

describe('helpers', () => {
  it('redirect keeps Location safe and has a body', async () => {
    const app = makeApp();
    app.get('/', (req) => redirect(req.args.get('to') ?? '/'));
    const r = await app.testClient().get('/', { query: { to: '/x\r\nSet-Cookie: evil=1' } });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/x%0D%0ASet-Cookie:%20evil=1');
    expect(r.headers.getSetCookie()).toEqual([]);
    expect(r.text).toContain('Redirecting...');
    const r2 = await app.testClient().get('/', { query: { to: '/home' } });
    expect(r2.headers.get('location')).toBe('/home');
  });

  it('urlFor builds paths, query strings, anchors and external URLs', async () => {
    const app = makeApp();
    app.get('/user/<name>', function user() {
      return 'u';
    });
    app.get('/', () =>
      [
        urlFor('user', { name: 'ann' }),
        urlFor('user', { name: 'a b', page: 2 }),
        urlFor('user', { name: 'x', _anchor: 'top' }),
        urlFor('user', { name: 'x', _external: true }),
      ].join('|'),
    );
    const r = await app.testClient().get('/');
    expect(r.text).toBe('/user/ann|/user/a%20b?page=2|/user/x#top|http://localhost/user/x');
  });

  it('urlFor outside a request needs SERVER_NAME', async () => {
    const app = makeApp();
    app.get('/p', function p() {
      return 'p';
    });
    await expect(app.appContext(() => urlFor('p'))).rejects.toThrow(/SERVER_NAME/);
    app.config.SERVER_NAME = 'example.com';
    expect(await app.appContext(() => urlFor('p'))).toBe('http://example.com/p');
    expect(() => urlFor('p')).toThrow(/Working outside of application context/);
  });

  it('urlDefaults and urlValuePreprocessor', async () => {
    const app = makeApp();
    app.urlDefaults((_endpoint, values) => {
      if (!('lang' in values)) values.lang = 'en';
    });
    app.urlValuePreprocessor((_endpoint, values) => {
      if (values) {
        g.lang = values.lang;
        delete values.lang;
      }
    });
    app.get('/<lang>/page', function page(req) {
      return `${g.lang} ${JSON.stringify(req.params)} ${urlFor('page')}`;
    });
    const r = await app.testClient().get('/de/page');
    expect(r.text).toBe('de {} /en/page');
  });

  it('request global matches req', async () => {
    const app = makeApp();
    app.get('/x', (req) =>
      String(request.path === req.path && request.method === 'GET' && request.args.get('a') === '1'),
    );
    expect((await app.testClient().get('/x?a=1')).text).toBe('true');
  });
});
