/** Type tests: the request a view receives is typed from the route's schemas, whatever the library. */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  Blueprint,
  type LocatedIssue,
  MethodView,
  makeResponse,
  Phial,
  type Request,
  RequestValidationError,
  type ResponseReturnValue,
  type RouteReturnValue,
  type SchemaInput,
  type SchemaOutput,
  type ValidatedRequest,
  type ValidationDetail,
} from '../../src/index.js';

describe('typed requests', () => {
  it('zod: body, query, params, headers, cookies carry the output types', () => {
    const app = new Phial('t');
    app.post(
      '/items/<int:shop>',
      {
        body: z.object({
          name: z.string(),
          price: z.number(),
          when: z.string().transform((s) => new Date(s)),
        }),
        query: z.object({ dryRun: z.coerce.boolean().optional() }),
        headers: z.object({ 'x-token': z.string() }),
        cookies: z.object({ theme: z.enum(['dark', 'light']) }),
      },
      (req) => {
        expectTypeOf(req.body).toEqualTypeOf<{ name: string; price: number; when: Date }>();
        expectTypeOf(req.query).toEqualTypeOf<{ dryRun?: boolean | undefined }>();
        expectTypeOf(req.params).toEqualTypeOf<{ shop: number }>();
        expectTypeOf(req.headersData).toEqualTypeOf<{ 'x-token': string }>();
        expectTypeOf(req.cookiesData).toEqualTypeOf<{ theme: 'dark' | 'light' }>();
        expectTypeOf(req.json).toBeUnknown();
        return { ok: true };
      },
    );
    app.get('/users/<id>', { params: z.object({ id: z.coerce.number() }) }, (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ id: number }>();
      // no body/query schema: nothing is known about them
      expectTypeOf(req.body).toBeUnknown();
      expectTypeOf(req.query).toBeUnknown();
      return {};
    });
  });

  it('valibot: output types (pipes and transforms included)', () => {
    const app = new Phial('t');
    const Body = v.object({ name: v.string(), n: v.pipe(v.string(), v.transform(Number)) });
    app.put('/v', { body: Body, query: v.object({ tag: v.array(v.string()) }) }, (req) => {
      expectTypeOf(req.body).toEqualTypeOf<{ name: string; n: number }>();
      expectTypeOf(req.query).toEqualTypeOf<{ tag: string[] }>();
      return {};
    });
    // toStandardJsonSchema keeps the types
    app.patch('/vj', { body: toStandardJsonSchema(Body) }, (req) => {
      expectTypeOf(req.body).toEqualTypeOf<{ name: string; n: number }>();
      return {};
    });
  });

  it('arktype: output types', () => {
    const bp = new Blueprint('a', import.meta.url);
    bp.post('/a', { body: type({ name: 'string', 'age?': 'number.integer' }) }, (req) => {
      expectTypeOf(req.body).toEqualTypeOf<{ name: string; age?: number }>();
      return {};
    });
    bp.delete('/a/<int:id>', { query: type({ force: 'boolean' }) }, (req) => {
      expectTypeOf(req.query).toEqualTypeOf<{ force: boolean }>();
      expectTypeOf(req.params).toEqualTypeOf<{ id: number }>();
      return {};
    });
  });

  it('routes without schemas keep the rule-typed request; helpers infer schema types', () => {
    const app = new Phial('t');
    app.get('/p/<int:id>', { endpoint: 'p' }, (req) => {
      expectTypeOf(req).toEqualTypeOf<Request<{ id: number }>>();
      return {};
    });
    const S = z.object({ a: z.string().transform((s) => s.length) });
    expectTypeOf<SchemaInput<typeof S>>().toEqualTypeOf<{ a: string }>();
    expectTypeOf<SchemaOutput<typeof S>>().toEqualTypeOf<{ a: number }>();
    expectTypeOf<ValidatedRequest<'/x/<int:n>', { body: typeof S }>['body']>().toEqualTypeOf<{ a: number }>();
    expectTypeOf<ValidatedRequest<'/x/<int:n>', { body: typeof S }>['params']>().toEqualTypeOf<{
      n: number;
    }>();
  });

  it('errors are typed', () => {
    const app = new Phial('t');
    app.errorHandler(RequestValidationError, (e) => {
      expectTypeOf(e.issues).toEqualTypeOf<readonly LocatedIssue[]>();
      expectTypeOf(e.detail).toEqualTypeOf<ValidationDetail[]>();
      expectTypeOf(e.location).toEqualTypeOf<'body' | 'query' | 'path' | 'header' | 'cookie' | 'response'>();
      return { detail: e.detail };
    });
    app.errorHandler(z.ZodError, (e) => {
      expectTypeOf(e.issues).toBeArray();
      return { n: e.issues.length };
    });
  });

  it("MethodView methods type their request from the class's schemas (the docs' example, strict)", async () => {
    const BookIn = z.object({ title: z.string() });
    const BookQuery = z.object({ q: z.string().optional() });
    const schemas = { post: { body: BookIn, statusCode: 201 }, get: { query: BookQuery } } as const;
    class BookApi extends MethodView {
      static schemas = schemas;
      get(req: ValidatedRequest<'/books', typeof schemas.get>) {
        expectTypeOf(req.query).toEqualTypeOf<{ q?: string | undefined }>();
        return { q: req.query.q ?? null };
      }
      post(req: ValidatedRequest<'/books', typeof schemas.post>) {
        expectTypeOf(req.body).toEqualTypeOf<{ title: string }>();
        return { title: req.body.title };
      }
    }
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.addUrlRule('/books', { view: BookApi.asView('books') });
    const c = app.testClient();
    expect((await c.get('/books', { query: { q: 'x' } })).json).toEqual({ q: 'x' });
    const created = await c.post('/books', { json: { title: 't' } });
    expect([created.status, created.json]).toEqual([201, { title: 't' }]);
    expect((await c.post('/books', { json: {} })).status).toBe(422);
  });

  it('a response schema types what the view returns (plain objects and arrays; a Response or string passes)', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const Out = z.object({ id: z.number(), name: z.string() });
    const row = { id: 1, name: 'a', password: 'x' };
    app.get('/ok', { response: Out }, () => ({ id: 1, name: 'a' }));
    app.get('/async', { response: Out }, async () => ({ id: 1, name: 'a' }));
    // a value with more keys (a database row) is fine: the schema strips them before sending
    app.get('/row', { response: Out }, () => row);
    app.get('/list', { response: z.array(Out) }, () => [row]);
    app.get('/resp', { response: Out }, () => makeResponse({ anything: true }, 202));
    app.get('/text', { response: Out }, () => 'not JSON: passes as it is');
    // @ts-expect-error id must be a number
    app.get('/wrong', { response: Out }, () => ({ id: '1', name: 'a' }));
    // @ts-expect-error name is missing
    app.get('/missing', { response: Out }, async () => ({ id: 1 }));
    // a map: the schema of the status the plain value answers with (statusCode, else 200)
    app.get('/map', { response: { 200: Out, 404: z.object({ error: z.string() }) } }, () => ({
      id: 1,
      name: 'a',
    }));
    app.post('/made', { response: { 201: Out }, statusCode: 201 } as const, () => ({ id: 1, name: 'a' }));
    // @ts-expect-error the 201 schema applies, and this is not it
    app.post('/made2', { response: { 201: Out }, statusCode: 201 } as const, () => ({ error: 'x' }));
    // no schema for the status: unconstrained, as at run time
    app.get('/other', { response: { 404: z.object({ error: z.string() }) } }, () => ({ free: 1 }));
    app.get('/none', {}, () => ({ free: 1 }));
    expectTypeOf<RouteReturnValue<{ response: typeof Out }>>().toMatchTypeOf<ResponseReturnValue>();
    expectTypeOf<RouteReturnValue<{ query: typeof Out }>>().toEqualTypeOf<ResponseReturnValue>();
  });
});
