import { Readable } from 'node:stream';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Blueprint,
  g,
  type HTTPException,
  type HTTPExceptionFor,
  type InternalServerError,
  jsonify,
  type MethodNotAllowed,
  makeResponse,
  NotFound,
  Phial,
  type ProxyFixOptions,
  type Request,
  Response,
  type ResponseReturnValue,
  redirect,
  type Session,
  session,
  streamWithContext,
  type ViewFunction,
} from '../../src/index.js';

declare module '../../src/index.js' {
  interface AppGlobals {
    userId?: number;
  }
  interface SessionData {
    theme?: 'dark' | 'light';
  }
  interface ConfigValues {
    MAX_CLIENTS: number;
  }
}

describe('route parameter types', () => {
  it('are inferred from the rule string', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/u/<int:id>/<name>', (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ id: number; name: string }>();
      return 'x';
    });
    app.route('/f/<float:x>/<path:rest>/<any(a, b):kind>', (req) => {
      expectTypeOf(req.params.x).toEqualTypeOf<number>();
      expectTypeOf(req.params.rest).toEqualTypeOf<string>();
      expectTypeOf(req.params.kind).toEqualTypeOf<'a' | 'b'>();
      return 'x';
    });
    app.post('/plain', { endpoint: 'plain' }, (req) => {
      expectTypeOf(req).toMatchTypeOf<Request>();
      return { ok: true };
    });
    const bp = new Blueprint('bp', import.meta.url);
    bp.get('/item/<int(min=1):n>', (req) => {
      expectTypeOf(req.params.n).toEqualTypeOf<number>();
      return [req.params.n];
    });
  });

  it('g and session are typed by augmentation', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.secretKey = 'k';
    await app.testRequestContext('/', (req) => {
      expectTypeOf(g.userId).toEqualTypeOf<number | undefined>();
      // g.get / g.pop follow the augmentation; a default makes the value defined
      expectTypeOf(g.get('userId')).toEqualTypeOf<number | undefined>();
      expectTypeOf(g.get('userId', 0)).toEqualTypeOf<number>();
      expectTypeOf(g.pop('userId', 1)).toEqualTypeOf<number>();
      expectTypeOf(g.get('other')).toEqualTypeOf<unknown>();
      expectTypeOf(g.get('other', 'x')).toEqualTypeOf<string>();
      g.userId = 5;
      expect(g.get('userId', 0) + 1).toBe(6);
      expect(g.pop('userId')).toBe(5);
      expect(g.get('userId', 0)).toBe(0);
      expectTypeOf(session.get('theme')).toEqualTypeOf<'dark' | 'light' | undefined>();
      expectTypeOf(req.session.get('theme')).toEqualTypeOf<'dark' | 'light' | undefined>();
      expectTypeOf(session).toMatchTypeOf<Session>();
    });
  });

  it("config keys are typed by augmenting ConfigValues (and Phial's own declarations still check)", () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.config.MAX_CLIENTS = 10;
    expectTypeOf(app.config.MAX_CLIENTS).toEqualTypeOf<number>();
    expectTypeOf(app.config.PROXY_FIX).toEqualTypeOf<ProxyFixOptions | null>();
    // @ts-expect-error the augmented key is a number
    app.config.MAX_CLIENTS = 'ten';
    expect(app.config.MAX_CLIENTS).toBe('ten');
  });

  it('views must return a response value', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    // @ts-expect-error a number is not a response value
    app.get('/n', () => 42);
    // @ts-expect-error undefined is not a response value
    app.get('/u', () => undefined);
    app.get('/ok', async () => new Uint8Array(1));
  });

  it('rejects views that fail at run time: Promise<void>, numbers, Maps, Sets, class instances', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.testing = true;
    app.config.PROPAGATE_EXCEPTIONS = false;
    const pending = Promise.resolve();
    // @ts-expect-error an async view that returns nothing resolves to undefined
    app.get('/void', async () => {});
    // @ts-expect-error a named async view that forgets `return`
    app.get('/b', async function b() {
      await pending;
    });
    // @ts-expect-error a sync view that forgets `return`
    app.get('/sync-void', () => {
      void pending;
    });
    // @ts-expect-error a number is not a response value
    app.get('/num', () => 42);
    // @ts-expect-error a promise of a number neither
    app.get('/pnum', async () => 42);
    // @ts-expect-error a boolean is not a response value
    app.get('/bool', () => true);
    // @ts-expect-error null is not a response value
    app.get('/null', () => null);
    // @ts-expect-error a Map is not JSON (it serializes to {})
    app.get('/map', () => new Map([['a', 1]]));
    // @ts-expect-error a Set is iterable but not a stream
    app.get('/set', () => new Set(['a']));
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    // @ts-expect-error a class instance without toJSON is not a response value
    app.get('/point', () => new Point(1, 2));
    // @ts-expect-error a promise of a promise-returning function is not a value
    app.get('/fn', () => () => 'x');
    // @ts-expect-error error handlers must return a value too
    app.errorHandler(404, async () => {});

    expectTypeOf<Promise<void>>().not.toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<number>().not.toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<Map<string, number>>().not.toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<Point>().not.toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<undefined>().not.toMatchTypeOf<ResponseReturnValue>();

    // The rejected ones really fail at run time (what the types protect against).
    const client = app.testClient();
    for (const path of [
      '/void',
      '/b',
      '/sync-void',
      '/num',
      '/pnum',
      '/bool',
      '/null',
      '/map',
      '/set',
      '/point',
      '/fn',
    ]) {
      expect((await client.get(path)).status, path).toBe(500);
    }
  });

  it('accepts every return value of the API table, and promises of them', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    type Row = { id: number; title: string };
    const row: Row = { id: 1, title: 't' };
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): string {
        return `${this.cents / 100} EUR`;
      }
    }
    app.get('/s', () => 'html');
    app.get('/o', () => ({ ok: true, nested: { list: [1, 'a', null] }, when: new Date(0) }));
    app.get('/alias', () => row);
    app.get('/rows', async () => [row, row]);
    app.get('/tuple', () => [1, 'a'] as const);
    app.get('/u8', () => new Uint8Array([104, 105]));
    app.get('/buf', async () => Buffer.from('hi'));
    app.get('/phial', () => new Response('x', { status: 201 }));
    app.get('/web', async () => new globalThis.Response('w', { status: 202 }));
    app.get('/redirect', () => redirect('/s'));
    app.get('/jsonify', () => jsonify({ a: 1 }));
    app.get('/make', () => makeResponse('m', 203));
    app.get('/exc', () => new NotFound('gone'));
    app.get('/money', () => new Money(250));
    app.get('/gen', function* gen() {
      yield 'a';
      yield new Uint8Array([98]);
    });
    app.get('/agen', async function* agen() {
      yield 'x';
      await Promise.resolve();
      yield 'y';
    });
    app.get(
      '/rs',
      () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array([114]));
            c.close();
          },
        }),
    );
    app.get('/readable', () => Readable.from(['n', 'o', 'd', 'e']));
    app.get('/ctx', () => streamWithContext(['c', 't', 'x']));
    app.get('/union', (req) => (req.args.has('j') ? { j: 1 } : 'text'));
    app.get('/json-body', (req) => req.json as Record<string, unknown>);
    app.errorHandler(404, () => 'custom 404');
    app.beforeRequest(() => {});
    app.beforeRequest(async () => undefined);

    const view: ViewFunction = async () => ({ a: 1 });
    app.get('/typed', view);
    expectTypeOf<Row>().toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<Record<string, unknown>>().toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<AsyncGenerator<string, void, unknown>>().toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<Generator<Uint8Array, void, unknown>>().toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<ReadableStream<Uint8Array>>().toMatchTypeOf<ResponseReturnValue>();

    const client = app.testClient();
    const expected: [string, number, string][] = [
      ['/s', 200, 'html'],
      ['/alias', 200, '{"id":1,"title":"t"}'],
      ['/u8', 200, 'hi'],
      ['/buf', 200, 'hi'],
      ['/phial', 201, 'x'],
      ['/web', 202, 'w'],
      ['/redirect', 302, ''],
      ['/make', 203, 'm'],
      ['/exc', 404, ''],
      ['/money', 200, '"2.5 EUR"'],
      ['/gen', 200, 'ab'],
      ['/agen', 200, 'xy'],
      ['/rs', 200, 'r'],
      ['/readable', 200, 'node'],
      ['/ctx', 200, 'ctx'],
      ['/union', 200, 'text'],
      ['/typed', 200, '{"a":1}'],
      ['/missing', 200, 'custom 404'], // as in Flask, a handler's string keeps status 200
    ];
    for (const [path, status, text] of expected) {
      const res = await client.get(path);
      expect(res.status, path).toBe(status);
      if (text) expect(res.text.trimEnd(), path).toBe(text);
    }
    expect((await client.get('/o')).json).toEqual({
      ok: true,
      nested: { list: [1, 'a', null] },
      when: 'Thu, 01 Jan 1970 00:00:00 GMT',
    });
    expect((await client.get('/rows')).json).toEqual([row, row]);
    expect((await client.get('/tuple')).json).toEqual([1, 'a']);
    expect((await client.get('/jsonify')).json).toEqual({ a: 1 });
  });

  it('a 500 handler receives an InternalServerError (with originalException); other codes an HTTPException', async () => {
    const app = new Phial(import.meta.url);
    app.errorHandler(500, (e) => {
      expectTypeOf(e).toEqualTypeOf<InternalServerError>();
      const original = e.originalException;
      return makeResponse(`500 from ${original instanceof Error ? original.message : String(original)}`, 500);
    });
    app.errorHandler(404, (e) => {
      expectTypeOf(e).toEqualTypeOf<HTTPException>();
      return makeResponse(`404: ${e.description}`, 404);
    });
    const code: number = 418;
    app.errorHandler(code, (e) => {
      expectTypeOf(e).toEqualTypeOf<HTTPException>();
      return 'teapot';
    });
    // an annotation still narrows
    app.errorHandler(405, (e: MethodNotAllowed) => makeResponse(e.validMethods?.join(',') ?? '', 405));
    const bp = new Blueprint('b', import.meta.url);
    bp.appErrorHandler(500, (e) => {
      expectTypeOf(e).toEqualTypeOf<InternalServerError>();
      return 'bp 500';
    });
    expectTypeOf<HTTPExceptionFor<500>>().toEqualTypeOf<InternalServerError>();
    expectTypeOf<HTTPExceptionFor<number>>().toEqualTypeOf<HTTPException>();
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    const client = app.testClient();
    const res = await client.get('/boom');
    expect([res.status, res.text]).toEqual([500, '500 from kaput']);
    expect((await client.get('/missing')).status).toBe(404);
  });
});
