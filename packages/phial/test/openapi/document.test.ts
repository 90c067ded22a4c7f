import { Validator } from '@seriousme/openapi-schema-validator';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FileStorage } from '../../src/http/datastructures/file-storage.js';
import { BaseConverter, Blueprint, MethodView, makeResponse, Phial } from '../../src/index.js';
import { OpenAPI } from '../../src/openapi/index.js';
import { makeApi } from './fixture.js';

type Op = {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, Record<string, unknown>>;
  security?: unknown;
  deprecated?: boolean;
  [key: string]: unknown;
};

function op(doc: ReturnType<OpenAPI['document']>, path: string, method: string): Op {
  const item = doc.paths[path];
  if (!item) throw new Error(`no path ${path} in ${Object.keys(doc.paths).join(', ')}`);
  return item[method] as Op;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const { api } = makeApi();
    const result = await new Validator().validate(api.document() as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(api.document().openapi).toBe('3.1.0');
    expect(api.document().info).toEqual({ title: 'Pet shop', version: '1.2.3', description: 'A test API.' });
  });

  it('types path parameters from converters', () => {
    const doc = makeApi().api.document();
    const param = (path: string, method: string, name: string) =>
      op(doc, path, method).parameters?.find((p) => p.name === name && p.in === 'path')?.schema;
    expect(param('/pets/{id}', 'get', 'id')).toEqual({ type: 'integer', minimum: 1 });
    expect(param('/kinds/{kind}/{ref}', 'get', 'kind')).toEqual({ type: 'string', enum: ['cat', 'dog'] });
    expect(param('/kinds/{kind}/{ref}', 'get', 'ref')).toEqual({ type: 'string', format: 'uuid' });
    expect(param('/scale/{x}/{code}', 'get', 'x')).toEqual({ type: 'number', minimum: 0, maximum: 10 });
    expect(param('/scale/{x}/{code}', 'get', 'code')).toEqual({ type: 'string', minLength: 2, maxLength: 2 });
    expect(param('/files/{name}', 'get', 'name')).toMatchObject({ type: 'string' });
  });

  it('lists methods, blueprint tags, parameters, bodies, responses and errors', () => {
    const doc = makeApi().api.document();
    expect(Object.keys(doc.paths['/multi'] ?? {})).toEqual(['get', 'post']);
    expect(doc.paths['/hidden']).toBeUndefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
    const list = op(doc, '/pets/', 'get');
    expect(list.tags).toEqual(['pets']);
    expect(list.summary).toBe('List pets');
    expect(list.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['tag', 'query', false],
    ]);
    expect(list.parameters?.[1]?.schema).toEqual({ type: 'array', items: { type: 'string' } });
    expect(list.responses['200']).toMatchObject({
      content: {
        'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } },
      },
    });
    expect(list.responses['422']).toEqual({ $ref: '#/components/responses/ValidationError' });
    const create = op(doc, '/pets/', 'post');
    expect(create.summary).toBe('Create Pet');
    expect(create.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['name'],
    });
    expect(create.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
    });
    const get = op(doc, '/pets/{id}', 'get');
    expect(get.responses['404']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    const del = op(doc, '/pets/{id}', 'delete');
    expect(del.security).toEqual([{ bearer: [] }]);
    expect(del.deprecated).toBe(true);
    expect(del.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    const echo = op(doc, '/echo/{word}', 'post');
    expect(echo.operationId).toBe('echo');
    expect(echo.description).toBe('Echoes the body.');
    expect(echo['x-internal']).toBe(false);
    expect(echo.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['word', 'path', true],
      ['x-trace', 'header', true],
      ['session', 'cookie', false],
    ]);
    // valibot through toStandardJsonSchema
    expect(echo.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' }, n: { type: 'number' } },
      required: ['text'],
    });
    const c = doc.components;
    expect(Object.keys(c.schemas ?? {})).toEqual(
      expect.arrayContaining(['Pet', 'Error', 'ValidationError', 'HTTPValidationError']),
    );
    expect(Object.keys(c.responses ?? {})).toEqual(['NotFound', 'MethodNotAllowed', 'ValidationError']);
    expect(c.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(JSON.stringify(doc)).not.toContain('$defs');
    expect(JSON.stringify(doc)).not.toContain('$schema');
  });

  it('is served at /openapi.json, cached, and rebuilt when routes are added', async () => {
    const { app, api } = makeApi();
    const c = app.testClient();
    const res = await c.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual(api.document());
    expect(api.document()).toBe(api.document());
    app.get('/late', function late() {
      return {};
    });
    expect((await c.get('/openapi.json')).json).toHaveProperty(['paths', '/late']);
  });

  it('documents a path parameter as both its converter and its params schema (the tighter bounds win)', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.get('/b/<int(min=1):id>', { params: z.object({ id: z.number().max(10) }) }, (req) => ({
      id: req.params.id,
    }));
    app.get('/c/<int(min=1):id>', { params: z.object({ id: z.number().int().max(10) }) }, (req) => ({
      id: req.params.id,
    }));
    app.get(
      '/d/<string(length=2):code>',
      { params: z.object({ code: z.string().regex(/^[a-z]+$/) }) },
      (req) => ({
        code: req.params.code,
      }),
    );
    const doc = new OpenAPI(app, { title: 'T', version: '1' }).document();
    const schemaOf = (path: string) =>
      op(doc, path, 'get').parameters?.[0]?.schema as Record<string, unknown>;
    expect(schemaOf('/b/{id}')).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    expect(schemaOf('/c/{id}')).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    // two patterns cannot be one: both are kept
    const d = schemaOf('/d/{code}');
    expect(JSON.stringify(d)).toContain('^[a-z]+$');
    expect(d).toMatchObject({ minLength: 2, maxLength: 2 });
  });

  it("keeps a route's own 422 schema instead of the default ValidationError", () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const Problem = z.object({ type: z.string(), title: z.string(), status: z.number() });
    app.post(
      '/orders',
      { body: z.object({ n: z.number() }), response: { 201: z.object({ id: z.number() }), 422: Problem } },
      () => makeResponse({ id: 1 }, 201),
    );
    app.post('/plain', { body: z.object({ n: z.number() }) }, () => ({}));
    const doc = new OpenAPI(app, { title: 'T', version: '1' }).document();
    const own = op(doc, '/orders', 'post').responses['422'] as {
      content: Record<string, { schema: unknown }>;
    };
    expect(own.content['application/json']?.schema).toMatchObject({
      properties: { type: {}, title: {}, status: {} },
    });
    expect(op(doc, '/plain', 'post').responses['422']).toEqual({
      $ref: '#/components/responses/ValidationError',
    });
  });

  it('leaves WebSocket routes out (a plain GET there answers 426, not an operation), as FastAPI does', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    const bp = new Blueprint('live', import.meta.url, { urlPrefix: '/live' });
    app.websocket('/ws/<room>', async (ws) => {
      for await (const m of ws) void ws.send(m);
    });
    bp.websocket('/feed', () => {});
    app.get('/rooms/<room>', function room() {
      return {};
    });
    app.registerBlueprint(bp);
    const doc = new OpenAPI(app, { title: 'Live', version: '1' }).document();
    expect(Object.keys(doc.paths)).toEqual(['/rooms/{room}']);
    expect((await app.testClient().get('/ws/lobby')).status).toBe(426);
  });

  it('takes its URLs from options (null turns a page off) and works with app factories', async () => {
    const api = new OpenAPI(null, { openapiUrl: '/api/schema.json', docsUrl: null, redocUrl: '/api/redoc' });
    const create = () => {
      const app = new Phial('factory');
      app.get('/x', () => ({}));
      api.initApp(app);
      return app;
    };
    const app = create();
    expect(app.extensions.openapi).toBe(api);
    const c = app.testClient();
    expect((await c.get('/api/schema.json')).status).toBe(200);
    expect((await c.get('/openapi.json')).status).toBe(404);
    expect((await c.get('/docs')).status).toBe(404);
    const redoc = await c.get('/api/redoc');
    expect(redoc.text).toContain('spec-url="/api/schema.json"');
  });

  it('serves the vendored Swagger UI and ReDoc files with an ETag, a day of caching and 304 when unchanged', async () => {
    const { app } = makeApi();
    const c = app.testClient();
    for (const url of ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/redoc/redoc.standalone.js']) {
      const first = await c.get(url);
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('public, max-age=86400');
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();
      const again = await c.get(url, { headers: { 'If-None-Match': etag as string } });
      expect([again.status, again.text]).toEqual([304, '']);
    }
    expect((await c.get('/docs/swagger-ui.css')).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await c.get('/docs/nope.js')).status).toBe(404);
  });

  it('hoists $defs and names input/output variants that differ', () => {
    const app = new Phial('defs');
    const Tag = z.object({ name: z.string() }).meta({ id: 'Tag' });
    const Post = z.object({ title: z.string(), tags: z.array(Tag) }).meta({ id: 'Post' });
    app.post('/posts', { body: Post, response: Post }, (req) => ({ ...req.body }));
    const doc = new OpenAPI(app).document();
    const names = Object.keys(doc.components.schemas ?? {});
    // zod's input schemas allow extra keys, its output schemas do not: two variants
    expect(names).toEqual(expect.arrayContaining(['Tag', 'Post', 'Tag-Output', 'Post-Output']));
    const out = doc.components.schemas?.['Post-Output'] as { properties: { tags: { items: unknown } } };
    expect(out.properties.tags.items).toEqual({ $ref: '#/components/schemas/Tag-Output' });
  });

  it('blueprints without tags are tagged with their name; MethodView documents each method', () => {
    const app = new Phial('bp');
    const bp = new Blueprint('admin', import.meta.url, { urlPrefix: '/admin' });
    bp.get('/stats', function stats() {
      return {};
    });
    app.registerBlueprint(bp);
    class ItemApi extends MethodView {
      static schemas = {
        get: { query: z.object({ page: z.number().optional() }), summary: 'List items' },
        post: { body: z.object({ name: z.string() }), statusCode: 201 },
      };
      get() {
        return {};
      }
      post() {
        return {};
      }
    }
    app.addUrlRule('/items', { view: ItemApi.asView('items') });
    app.post('/anon/<int:id>', () => ({}));
    const doc = new OpenAPI(app).document();
    const anon = op(doc, '/anon/{id}', 'post');
    expect([anon.operationId, anon.summary]).toEqual(['post_anon_by_id', 'Post Anon By Id']);
    expect(op(doc, '/admin/stats', 'get').tags).toEqual(['admin']);
    const get = op(doc, '/items', 'get');
    expect([get.summary, get.parameters?.[0]?.name, get.operationId]).toEqual([
      'List items',
      'page',
      'items_get',
    ]);
    const post = op(doc, '/items', 'post');
    expect(post.requestBody?.content['application/json']?.schema).toMatchObject({ required: ['name'] });
    expect(Object.keys(post.responses)).toEqual(['201', '422']);
  });

  it('documents custom converters by their regex and converts plain valibot schemas with the jsonSchema option', () => {
    class HexConverter extends BaseConverter {
      override regex = '[0-9a-f]+';
    }
    const app = new Phial('custom');
    app.urlMap.converters.hex = HexConverter;
    app.get('/colors/<hex:rgb>', function color() {
      return {};
    });
    const Plain = v.object({ name: v.string() });
    app.post('/plain', { body: Plain }, function plain() {
      return {};
    });
    const without = new OpenAPI(app).document();
    expect(op(without, '/colors/{rgb}', 'get').parameters?.[0]?.schema).toEqual({
      type: 'string',
      pattern: '^[0-9a-f]+$',
    });
    // a schema with no JSON Schema of its own documents as "anything"
    expect(op(without, '/plain', 'post').requestBody?.content['application/json']?.schema).toEqual({});
    const withConverter = new OpenAPI(null, {
      jsonSchema: (schema) => toJsonSchema(schema as never) as Record<string, unknown>,
    }).document(app);
    expect(
      op(withConverter, '/plain', 'post').requestBody?.content['application/json']?.schema,
    ).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
  });

  it('documents multipart uploads (a file field marked as binary) and still validates them', async () => {
    const app = new Phial('upload');
    const Upload = z.object({
      title: z.string(),
      doc: z.instanceof(FileStorage).meta({ type: 'string', format: 'binary' }),
    });
    app.post('/upload', { body: Upload, contentTypes: ['multipart/form-data'] }, function upload(req) {
      return { title: req.body.title, size: req.body.doc.size };
    });
    const doc = new OpenAPI(app).document();
    expect(op(doc, '/upload', 'post').requestBody?.content).toEqual({
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: { title: { type: 'string' }, doc: { type: 'string', format: 'binary' } },
          required: ['title', 'doc'],
        },
      },
    });
    const c = app.testClient();
    const ok = await c.post('/upload', { form: { title: 't', doc: new File(['abc'], 'a.txt') } });
    expect(ok.json).toEqual({ title: 't', size: 3 });
    expect((await c.post('/upload', { json: { title: 't', doc: 'x' } })).status).toBe(415);
  });

  it("a blueprint's security applies to its routes (nested ones too); a route's own wins", async () => {
    const app = new Phial('secured', { staticFolder: null });
    const api = new Blueprint('api', 'secured', { urlPrefix: '/api', security: [{ bearer: [] }] });
    api.get('/me', function me() {
      return { id: 1 };
    });
    api.get('/health', { security: [] }, function health() {
      return 'ok';
    });
    const admin = new Blueprint('admin', 'secured', { urlPrefix: '/admin', security: [{ apiKey: [] }] });
    admin.get('/stats', function stats() {
      return {};
    });
    const inner = new Blueprint('inner', 'secured', { urlPrefix: '/inner' });
    inner.get('/x', function x() {
      return {};
    });
    api.registerBlueprint(admin);
    api.registerBlueprint(inner);
    app.registerBlueprint(api);
    app.get('/open', function open() {
      return 'open';
    });
    const doc = new OpenAPI(app, {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    }).document();
    expect(op(doc, '/api/me', 'get').security).toEqual([{ bearer: [] }]);
    expect(op(doc, '/api/health', 'get').security).toEqual([]);
    expect(op(doc, '/api/admin/stats', 'get').security).toEqual([{ apiKey: [] }]);
    expect(op(doc, '/api/inner/x', 'get').security).toEqual([{ bearer: [] }]);
    expect(op(doc, '/open', 'get').security).toBeUndefined();
    const result = await new Validator().validate(doc as never);
    expect(result.valid).toBe(true);
  });

  it('generates the 100-route document quickly', () => {
    const app = new Phial('big');
    const Body = z.object({ name: z.string(), n: z.number().int(), tags: z.array(z.string()) });
    for (let i = 0; i < 100; i++) {
      app.post(`/r${i}/<int:id>`, { body: Body, response: Body, endpoint: `r${i}` }, (req) => ({
        ...req.body,
      }));
    }
    const api = new OpenAPI(app);
    const t0 = performance.now();
    const doc = api.document();
    const ms = performance.now() - t0;
    expect(Object.keys(doc.paths)).toHaveLength(100);
    console.log(`openapi document for 100 routes: ${ms.toFixed(1)} ms`);
  });
});
