import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { FileStorage } from '../../src/http/datastructures/file-storage.js';
import {
  afterThisRequest,
  Blueprint,
  jsonify,
  MethodView,
  makeResponse,
  Phial,
  RequestValidationError,
  ResponseValidationError,
  urlFor,
} from '../../src/index.js';

function makeApp(): Phial {
  const app = new Phial('validation-test');
  return app;
}

const Item = z.object({ name: z.string().min(1), price: z.number().positive() });

describe('body validation', () => {
  it('passes the validated JSON body to the view and answers 422 with FastAPI detail', async () => {
    const app = makeApp();
    app.post('/items', { body: Item }, (req) => ({ got: req.body, raw: req.json }));
    const c = app.testClient();
    const ok = await c.post('/items', { json: { name: 'pen', price: 2, extra: 1 } });
    expect(ok.status).toBe(200);
    // zod strips unknown keys from the output; the raw JSON is untouched
    expect(ok.json).toEqual({ got: { name: 'pen', price: 2 }, raw: { name: 'pen', price: 2, extra: 1 } });

    const bad = await c.post('/items', { json: { name: '', price: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
    const body = bad.json as { detail: { loc: unknown[]; msg: string; type: string }[] };
    expect(body.detail).toHaveLength(2);
    expect(body.detail[0]).toMatchObject({ loc: ['body', 'name'], type: 'too_small' });
    expect(body.detail[1]).toMatchObject({ loc: ['body', 'price'], type: 'invalid_type' });
    expect(typeof body.detail[1]?.msg).toBe('string');
  });

  it('treats a missing body as absent (422 at loc body), malformed JSON as 400, other types as 415', async () => {
    const app = makeApp();
    app.post('/items', { body: Item }, (req) => ({ got: req.body }));
    const c = app.testClient();
    const missing = await c.post('/items');
    expect(missing.status).toBe(422);
    expect((missing.json as { detail: { loc: unknown[] }[] }).detail[0]?.loc).toEqual(['body']);
    const malformed = await c.post('/items', { data: '{"name": ', contentType: 'application/json' });
    expect(malformed.status).toBe(400);
    const xml = await c.post('/items', { data: '<a/>', contentType: 'application/xml' });
    expect(xml.status).toBe(415);
    const noType = await c.post('/items', { data: '{}', contentType: '' });
    expect(noType.status).toBe(415);
  });

  it('keeps deep JSON within the parser limits (400) and huge bodies within MAX_CONTENT_LENGTH (413)', async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 1000;
    app.post('/any', { body: z.unknown() }, () => ({ ok: true }));
    const c = app.testClient();
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
    app.config.MAX_CONTENT_LENGTH = null;
    expect((await c.post('/any', { data: deep, contentType: 'application/json' })).status).toBe(400);
    app.config.MAX_CONTENT_LENGTH = 1000;
    const huge = JSON.stringify({ s: 'x'.repeat(5000) });
    expect((await c.post('/any', { data: huge, contentType: 'application/json' })).status).toBe(413);
  });

  it('validates urlencoded and multipart bodies (files as FileStorage)', async () => {
    const app = makeApp();
    const Upload = z.object({
      title: z.string(),
      count: z.number().int(),
      tags: z.array(z.string()),
      doc: z.instanceof(FileStorage),
    });
    const forms = ['application/x-www-form-urlencoded', 'multipart/form-data'];
    app.post('/upload', { body: Upload, contentTypes: forms }, async (req) => ({
      title: req.body.title,
      count: req.body.count,
      tags: req.body.tags,
      file: req.body.doc.filename,
      text: await req.body.doc.text(),
    }));
    const Form = z.object({ q: z.string(), n: z.coerce.number(), on: z.boolean() });
    app.post(
      '/form',
      { body: Form, contentTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'] },
      (req) => ({ ...req.body }),
    );
    const c = app.testClient();
    const res = await c.post('/upload', {
      form: {
        title: 'Report',
        count: '3',
        tags: ['a'],
        doc: new File(['hello'], 'r.txt', { type: 'text/plain' }),
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ title: 'Report', count: 3, tags: ['a'], file: 'r.txt', text: 'hello' });
    const noFile = await c.post('/upload', {
      form: { title: 'x', count: '1', tags: 'a', doc: 'not a file' },
    });
    expect(noFile.status).toBe(422);
    expect((noFile.json as { detail: { loc: unknown[] }[] }).detail[0]?.loc).toEqual(['body', 'doc']);
    const form = await c.post('/form', { form: { q: 'x', n: '4.5', on: 'yes' } });
    expect(form.json).toEqual({ q: 'x', n: 4.5, on: true });
  });

  it('restricts body media types with contentTypes', async () => {
    const app = makeApp();
    app.post('/j', { body: Item, contentTypes: ['application/json'] }, (req) => ({ ...req.body }));
    const c = app.testClient();
    expect((await c.post('/j', { form: { name: 'a', price: '1' } })).status).toBe(415);
    expect((await c.post('/j', { json: { name: 'a', price: 1 } })).status).toBe(200);
  });

  it('follows the schema policy for unknown keys', async () => {
    const app = makeApp();
    app.post('/strict', { body: Item.strict() }, (req) => ({ ...req.body }));
    app.post('/loose', { body: Item.loose() }, (req) => ({ ...req.body }));
    const c = app.testClient();
    const strict = await c.post('/strict', { json: { name: 'a', price: 1, x: 1 } });
    expect(strict.status).toBe(422);
    expect((strict.json as { detail: { type: string }[] }).detail[0]?.type).toBe('unrecognized_keys');
    const loose = await c.post('/loose', { json: { name: 'a', price: 1, x: 1 } });
    expect(loose.json).toEqual({ name: 'a', price: 1, x: 1 });
  });
});

describe('the API.md example', () => {
  it('works as written', async () => {
    const app = makeApp();
    const Item = z.object({ name: z.string(), price: z.number().positive() });
    app.post(
      '/items/<int:shop>',
      {
        body: Item,
        query: z.object({ dryRun: z.coerce.boolean().optional() }),
        response: { 201: Item.extend({ id: z.number() }), 404: z.object({ error: z.string() }) },
        summary: 'Create an item',
        tags: ['items'],
      },
      (req) => makeResponse({ id: 1, ...req.body, dry: req.query.dryRun, shop: req.params.shop }, 201),
    );
    const c = app.testClient();
    const res = await c.post('/items/3?dryRun=false', { json: { name: 'pen', price: 1.5 } });
    // the 201 schema strips the keys it does not know (dry, shop)
    expect([res.status, res.json]).toEqual([201, { name: 'pen', price: 1.5, id: 1 }]);
    expect((await c.post('/items/3', { json: { name: 'pen', price: -1 } })).status).toBe(422);
  });
});

describe('query, params, headers, cookies', () => {
  it('shapes the query from the JSON Schema: numbers, booleans, arrays for repeated keys', async () => {
    const app = makeApp();
    const Q = z.object({
      page: z.number().int().min(1).default(1),
      draft: z.boolean().optional(),
      tag: z.array(z.string()).default([]),
      q: z.string().optional(),
    });
    app.get('/search', { query: Q }, (req) => ({ ...req.query, args: req.args.getAll('tag') }));
    const c = app.testClient();
    const r1 = await c.get('/search?page=2&draft=false&tag=a&tag=b&q=12');
    expect(r1.json).toEqual({ page: 2, draft: false, tag: ['a', 'b'], q: '12', args: ['a', 'b'] });
    const r2 = await c.get('/search?tag=only');
    expect(r2.json).toEqual({ page: 1, tag: ['only'], args: ['only'] });
    const r3 = await c.get('/search?page=zero');
    expect(r3.status).toBe(422);
    expect((r3.json as { detail: { loc: unknown[] }[] }).detail[0]?.loc).toEqual(['query', 'page']);
  });

  it('with a schema without JSON Schema, values stay strings and repeated keys become arrays', async () => {
    const app = makeApp();
    const Q = v.object({ tag: v.union([v.string(), v.array(v.string())]), n: v.string() });
    app.get('/v', { query: Q }, (req) => ({ ...req.query }));
    const c = app.testClient();
    expect((await c.get('/v?tag=a&tag=b&n=1')).json).toEqual({ tag: ['a', 'b'], n: '1' });
    expect((await c.get('/v?tag=a&n=1')).json).toEqual({ tag: 'a', n: '1' });
  });

  it('validates params, headers and cookies, reporting every location at once', async () => {
    const app = makeApp();
    app.get(
      '/users/<int:id>',
      {
        params: z.object({ id: z.number().max(100) }),
        headers: z.object({ 'x-token': z.string().min(3), 'x-count': z.number().optional() }),
        cookies: z.object({ theme: z.enum(['dark', 'light']) }),
      },
      (req) => ({
        id: req.params.id,
        token: req.headersData['x-token'],
        n: req.headersData['x-count'],
        theme: req.cookiesData.theme,
      }),
    );
    const c = app.testClient();
    c.setCookie('theme', 'dark');
    const ok = await c.get('/users/7', { headers: { 'X-Token': 'abcd', 'X-Count': '3' } });
    expect(ok.json).toEqual({ id: 7, token: 'abcd', n: 3, theme: 'dark' });
    c.setCookie('theme', 'blue');
    const bad = await c.get('/users/700', { headers: { 'X-Token': 'a' } });
    expect(bad.status).toBe(422);
    const locs = (bad.json as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc);
    expect(locs).toEqual([
      ['path', 'id'],
      ['header', 'x-token'],
      ['cookie', 'theme'],
    ]);
  });
});

describe('errors', () => {
  it('RequestValidationError is overridable by errorHandler and carries issues and location', async () => {
    const app = makeApp();
    app.post('/items', { body: Item }, (req) => ({ ...req.body }));
    app.errorHandler(RequestValidationError, (e) =>
      makeResponse({ errors: e.issues.length, where: e.location, first: e.detail[0]?.loc }, 400),
    );
    const res = await app.testClient().post('/items', { json: { name: 'a' } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: 1, where: 'body', first: ['body', 'price'] });
  });

  it('errorHandler(422) sees validation errors too, and TESTING does not turn them into exceptions', async () => {
    const app = makeApp();
    app.testing = true;
    app.post('/items', { body: Item }, (req) => ({ ...req.body }));
    app.errorHandler(422, (e) => makeResponse({ generic: e instanceof RequestValidationError }, 422));
    const res = await app.testClient().post('/items', { json: {} });
    expect([res.status, res.json]).toEqual([422, { generic: true }]);
  });

  it('errorHandler(ZodError) registers and catches zod 4 errors thrown by a view', async () => {
    const app = makeApp();
    app.post('/parse', (req) => ({ ...Item.parse(req.json) }));
    app.errorHandler(Error, () => makeResponse({ generic: true }, 500));
    app.errorHandler(z.ZodError, (e) => makeResponse({ zod: e.issues.length }, 400));
    app.post('/other', () => {
      throw new Error('not zod');
    });
    expect((await app.testClient().post('/other')).json).toEqual({ generic: true });
    const res = await app.testClient().post('/parse', { json: {} });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ zod: 2 });
  });

  it('a response that does not match its schema is a 500, logged, never sent', async () => {
    const app = makeApp();
    const Out = z.object({ id: z.number(), name: z.string() });
    // @ts-expect-error the response schema types the view's return: this mistake is caught when written too
    app.get('/bad', { response: Out }, () => ({ id: 'secret-value', name: 'x' }));
    app.get('/good', { response: Out }, () => ({ id: 1, name: 'x', password: 'hunter2' }));
    app.post('/created', { response: { 201: Out, 404: z.object({ error: z.string() }) } }, () =>
      makeResponse({ id: 2, name: 'y', password: 'p' }, 201),
    );
    app.get('/nf', { response: { 200: Out, 404: z.object({ error: z.string() }) } }, () =>
      makeResponse({ oops: 1 }, 404),
    );
    const logged = vi.spyOn(app.logger, 'error').mockImplementation(() => undefined);
    const c = app.testClient();
    const bad = await c.get('/bad');
    expect(bad.status).toBe(500);
    expect(bad.text).not.toContain('secret-value');
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]?.[1]).toBeInstanceOf(ResponseValidationError);
    // the output of the schema is what is sent: unknown keys stripped
    expect((await c.get('/good')).json).toEqual({ id: 1, name: 'x' });
    const created = await c.post('/created');
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: 2, name: 'y' });
    expect((await c.get('/nf')).status).toBe(500);
    logged.mockRestore();
  });

  it('statusCode answers plain objects with that status, validated, in OpenAPI too', async () => {
    const app = makeApp();
    const Out = z.object({ id: z.number(), name: z.string() });
    app.post('/things', { body: Item, response: Out, statusCode: 201 }, (req) => ({ id: 7, ...req.body }));
    app.post('/plain', { statusCode: 202 }, () => ({ queued: true }));
    // @ts-expect-error an id that is not a number (the type check; the test is about the run-time one)
    app.post('/bad', { response: Out, statusCode: 201 }, () => ({ id: 'x' }));
    const c = app.testClient();
    const made = await c.post('/things', { json: { name: 'pen', price: 2 } });
    expect(made.status).toBe(201);
    expect(made.headers.get('content-type')).toMatch(/^application\/json/);
    expect(made.json).toEqual({ id: 7, name: 'pen' });
    const plain = await c.post('/plain');
    expect([plain.status, plain.json]).toEqual([202, { queued: true }]);
    const logged = vi.spyOn(app.logger, 'error').mockImplementation(() => undefined);
    expect((await c.post('/bad')).status).toBe(500);
    logged.mockRestore();
    expect(() => app.post('/no', { statusCode: 1000 }, () => ({}))).toThrow(/statusCode/);
  });

  it('raises ResponseValidationError in tests (TESTING propagates)', async () => {
    const app = makeApp();
    app.testing = true;
    // @ts-expect-error an id that is not a number (the type check; the test is about the run-time one)
    app.get('/bad', { response: z.object({ id: z.number() }) }, () => ({ id: 'x' }));
    await expect(app.testClient().get('/bad')).rejects.toBeInstanceOf(ResponseValidationError);
  });

  it("always sends the schema's output: no config turns the filtering off (a password hash never leaks)", async () => {
    const app = makeApp();
    const Out = z.object({ id: z.number() });
    app.get('/u', { response: Out }, () => ({ id: 1, passwordHash: 'x' }));
    app.get('/r', { response: Out }, () => makeResponse({ id: 2, passwordHash: 'x' }));
    app.config.VALIDATE_RESPONSES = false;
    const c = app.testClient();
    expect((await c.get('/u')).text).toBe('{"id":1}\n');
    expect((await c.get('/r')).text).toBe('{"id":2}\n');
  });

  it('checks a makeResponse/jsonify body as the value it was made from (a Date stays a Date)', async () => {
    const app = makeApp();
    const D = z.object({ at: z.date() });
    app.get('/plain', { response: D }, () => ({ at: new Date(0) }));
    app.get('/made', { response: D }, () => makeResponse({ at: new Date(0) }, 201));
    app.get('/jsonify', { response: D }, () => jsonify({ at: new Date(0) }));
    const c = app.testClient();
    const expected = { at: 'Thu, 01 Jan 1970 00:00:00 GMT' };
    expect((await c.get('/plain')).json).toEqual(expected);
    const made = await c.get('/made');
    expect([made.status, made.json]).toEqual([201, expected]);
    expect((await c.get('/jsonify')).json).toEqual(expected);
  });

  it('a statusCode the response map has no schema for is a clear error when the route is added', () => {
    const app = makeApp();
    const Out = z.object({ id: z.number() });
    expect(() => app.post('/u', { response: { 200: Out }, statusCode: 201 }, () => ({ id: 1 }))).toThrow(
      "The route option 'statusCode' is 201, but 'response' has no schema for 201 (it has 200): add a 201 entry, or give one schema for every 2xx status.",
    );
    // a map that only documents error bodies leaves the success answer to the view
    expect(() =>
      app.post('/v', { response: { 404: z.object({ error: z.string() }) }, statusCode: 201 }, () => ({
        id: 1,
      })),
    ).not.toThrow();
  });

  it('sets Location with afterThisRequest while the return stays typed (the documented 201 pattern)', async () => {
    const app = makeApp();
    const Item = z.object({ id: z.number(), name: z.string() });
    app.get('/items/<int:id>', function getItem(req) {
      return String(req.params.id);
    });
    app.post(
      '/items',
      { body: z.object({ name: z.string() }), response: Item, statusCode: 201 } as const,
      (req) => {
        const item = { id: 7, name: req.body.name, secret: 's' };
        afterThisRequest((res) => {
          res.headers.set('Location', urlFor('getItem', { id: item.id }));
          return res;
        });
        return item;
      },
    );
    // @ts-expect-error the return must be the schema's input type
    app.post('/wrong', { response: Item, statusCode: 201 } as const, () => ({ id: 'x', name: 'n' }));
    const res = await app.testClient().post('/items', { json: { name: 'pen' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/items/7');
    expect(res.json).toEqual({ id: 7, name: 'pen' });
  });

  it('names each unknown key of a strict object in its own 422 entry', async () => {
    const app = makeApp();
    app.post(
      '/s',
      { body: z.object({ a: z.string(), inner: z.object({ b: z.number() }).strict() }).strict() },
      (r) => r.body,
    );
    const res = await app
      .testClient()
      .post('/s', { json: { a: 'x', admin: true, root: 1, inner: { b: 1, c: 2 } } });
    expect(res.status).toBe(422);
    expect((res.json as { detail: unknown[] }).detail).toEqual([
      { loc: ['body', 'inner', 'c'], msg: 'Unrecognized key: "c"', type: 'unrecognized_keys' },
      { loc: ['body', 'admin'], msg: 'Unrecognized key: "admin"', type: 'unrecognized_keys' },
      { loc: ['body', 'root'], msg: 'Unrecognized key: "root"', type: 'unrecognized_keys' },
    ]);
  });

  it('takes JSON only unless contentTypes lists form types (415 for a cross-site form post)', async () => {
    const app = makeApp();
    app.post('/j', { body: z.object({ name: z.string() }) }, (r) => r.body);
    const c = app.testClient();
    const form = await c.post('/j', { form: { name: 'x' } });
    expect(form.status).toBe(415);
    expect(form.text).toContain('must be application/json, not &#39;application/x-www-form-urlencoded&#39;');
    expect((await c.post('/j', { form: { name: 'x', f: new File(['1'], 'f.txt') } })).status).toBe(415);
    expect((await c.post('/j', { json: { name: 'x' } })).json).toEqual({ name: 'x' });
  });

  it('a schema that throws is a 500 with the error logged, and the app keeps serving', async () => {
    const app = makeApp();
    const Broken = z.object({ a: z.string() }).transform(() => {
      throw new Error('bug in a schema');
    });
    app.post('/broken', { body: Broken }, () => ({ ok: true }));
    app.get('/ok', () => ({ ok: true }));
    const logged = vi.spyOn(app.logger, 'error').mockImplementation(() => undefined);
    const c = app.testClient();
    expect((await c.post('/broken', { json: { a: 'x' } })).status).toBe(500);
    expect(String(logged.mock.calls[0]?.[1])).toContain('bug in a schema');
    expect((await c.get('/ok')).status).toBe(200);
    logged.mockRestore();
  });
});

describe('other libraries, async schemas, blueprints and MethodView', () => {
  it('valibot and arktype validate bodies with the same 422 shape', async () => {
    const app = makeApp();
    app.post('/v', { body: v.object({ name: v.string(), n: v.pipe(v.number(), v.integer()) }) }, (req) => ({
      ...req.body,
    }));
    app.post('/a', { body: type({ name: 'string', n: 'number.integer >= 1' }) }, (req) => ({ ...req.body }));
    const c = app.testClient();
    expect((await c.post('/v', { json: { name: 'x', n: 2 } })).json).toEqual({ name: 'x', n: 2 });
    const bv = await c.post('/v', { json: { name: 1, n: 0.5 } });
    expect(bv.status).toBe(422);
    expect((bv.json as { detail: { loc: unknown[]; type: string }[] }).detail).toMatchObject([
      { loc: ['body', 'name'], type: 'string' },
      { loc: ['body', 'n'], type: 'integer' },
    ]);
    expect((await c.post('/a', { json: { name: 'x', n: 2 } })).json).toEqual({ name: 'x', n: 2 });
    const ba = await c.post('/a', { json: { name: 'x', n: 0 } });
    expect(ba.status).toBe(422);
    expect((ba.json as { detail: { loc: unknown[]; type: string }[] }).detail[0]).toMatchObject({
      loc: ['body', 'n'],
      type: 'min',
    });
  });

  it('async schemas (refinements) work', async () => {
    const app = makeApp();
    const Name = z.object({ name: z.string().refine(async (s) => s !== 'taken', 'name is taken') });
    app.post('/n', { body: Name }, (req) => ({ ...req.body }));
    const c = app.testClient();
    expect((await c.post('/n', { json: { name: 'free' } })).status).toBe(200);
    const taken = await c.post('/n', { json: { name: 'taken' } });
    expect(taken.status).toBe(422);
    expect((taken.json as { detail: { msg: string }[] }).detail[0]?.msg).toBe('name is taken');
  });

  it('blueprint routes validate; MethodView takes per-method schemas', async () => {
    const app = makeApp();
    const bp = new Blueprint('shop', import.meta.url, { urlPrefix: '/shop' });
    bp.post('/items', { body: Item }, (req) => ({ ...req.body }));
    class ItemApi extends MethodView {
      static schemas = { post: { body: Item }, get: { query: z.object({ n: z.number() }) } };
      get(req: { query?: unknown }) {
        return { query: req.query };
      }
      post(req: { body?: unknown }) {
        return { body: req.body };
      }
    }
    app.addUrlRule('/api', { view: ItemApi.asView('api') });
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.post('/shop/items', { json: { name: 'a', price: 1 } })).json).toEqual({
      name: 'a',
      price: 1,
    });
    expect((await c.post('/shop/items', { json: {} })).status).toBe(422);
    expect((await c.post('/api', { json: { name: 'a', price: 1 } })).json).toEqual({
      body: { name: 'a', price: 1 },
    });
    expect((await c.post('/api', { json: { name: 'a' } })).status).toBe(422);
    expect((await c.get('/api?n=3')).json).toEqual({ query: { n: 3 } });
    expect((await c.get('/api')).status).toBe(422);
  });

  it('routes without schemas carry no validation plan (nothing runs for them)', () => {
    const app = makeApp();
    app.get('/plain', () => ({}));
    app.get('/docs-only', { summary: 'Only documented' }, () => ({}));
    app.post('/checked', { body: Item }, (req) => ({ ...req.body }));
    const plan = (path: string) =>
      (app.urlMap.rules().find((r) => r.rule === path) as unknown as { validation?: unknown }).validation;
    expect(plan('/plain')).toBeUndefined();
    expect(plan('/docs-only')).toBeUndefined();
    expect(plan('/checked')).toBeDefined();
  });

  it('without schemas, req.body/query/headersData/cookiesData are undefined and the raw views unchanged', async () => {
    const app = makeApp();
    app.post('/raw', (req) => ({
      none: [req.body, req.query, req.headersData, req.cookiesData].every((x) => x === undefined),
      json: req.json,
    }));
    const res = await app.testClient().post('/raw?x=1', { json: { a: 1 } });
    expect(res.json).toEqual({ none: true, json: { a: 1 } });
  });

  it('valibot schemas with a JSON Schema (toStandardJsonSchema) get converted query values', async () => {
    const app = makeApp();
    const Q = toStandardJsonSchema(v.object({ n: v.number(), on: v.boolean(), tag: v.array(v.string()) }));
    app.get('/q', { query: Q }, (req) => ({ ...req.query }));
    app.get('/h', { query: z.object({ n: z.number() }) }, (req) => ({ ...req.query }));
    const c = app.testClient();
    expect((await c.get('/q?n=1.5&on=off&tag=x')).json).toEqual({ n: 1.5, on: false, tag: ['x'] });
    // HEAD on a validated GET validates too
    expect((await c.head('/h?n=x')).status).toBe(422);
    expect((await c.head('/h?n=1')).status).toBe(200);
  });

  it('rejects options that are not schemas at registration', () => {
    const app = makeApp();
    expect(() => app.post('/x', { body: { parse() {} } as never }, () => ({}))).toThrow(/Standard Schema/);
    expect(() => app.post('/y', { response: { abc: Item } as never }, () => ({}))).toThrow(/status code/);
  });
});
