import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';

type Page = {
  items: { id: number; title: string }[];
  page: number;
  perPage: number;
  total: number;
  pages: number;
};
type Detail = { detail: { loc: (string | number)[]; msg: string; type: string }[] };

const client = () => createApp().testClient();

describe('books: read', () => {
  it('lists the first page with paging fields', async () => {
    const res = await client().get('/books/');
    expect(res.status).toBe(200);
    const page = res.json as Page;
    expect(page).toMatchObject({ page: 1, perPage: 10, total: 5, pages: 1 });
    expect(page.items.map((b) => b.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('pages, sorts and filters (author, repeated tag, words of the title)', async () => {
    const c = client();
    const p2 = (await c.get('/books/?perPage=2&page=2')).json as Page;
    expect([p2.items.map((b) => b.id), p2.total, p2.pages]).toEqual([[3, 4], 5, 3]);
    const byYear = (await c.get('/books/?sort=year')).json as Page;
    expect(byYear.items.map((b) => b.id)).toEqual([1, 2, 5, 4, 3]);
    const leGuin = (await c.get('/books/?author=ursula%20k.%20le%20guin')).json as Page;
    expect(leGuin.items.map((b) => b.title)).toEqual(['The Left Hand of Darkness', 'A Wizard of Earthsea']);
    const sfClassic = (await c.get('/books/?tag=sf&tag=classic')).json as Page;
    expect(sfClassic.items.map((b) => b.id)).toEqual([2, 4]);
    const words = (await c.get('/books/?q=hand%20left')).json as Page;
    expect(words.items.map((b) => b.id)).toEqual([4]);
    const none = (await c.get('/books/?q=zzz')).json as Page;
    expect(none).toMatchObject({ items: [], total: 0, pages: 1 });
  });

  it('rejects a bad query with 422 and every problem listed', async () => {
    const res = await client().get('/books/?page=0&perPage=500&sort=isbn');
    expect(res.status).toBe(422);
    const locs = (res.json as Detail).detail.map((d) => d.loc.join('.'));
    expect(locs).toEqual(['query.page', 'query.perPage', 'query.sort']);
  });

  it('gets one book, 404 (JSON) for a missing one, and 404 for ids the rule refuses', async () => {
    const c = client();
    expect((await c.get('/books/2')).json).toEqual({
      id: 2,
      title: 'Dune',
      author: 'Frank Herbert',
      year: 1965,
      tags: ['sf', 'classic'],
    });
    const missing = await c.get('/books/99');
    expect([missing.status, missing.json]).toEqual([404, { detail: 'Not Found' }]);
    expect((await c.get('/books/0')).status).toBe(404);
    expect((await c.get('/books/abc')).status).toBe(404);
    const wrongMethod = await c.post('/books/1');
    expect([wrongMethod.status, wrongMethod.json]).toEqual([405, { detail: 'Method Not Allowed' }]);
    expect(wrongMethod.headers.get('allow')).toContain('PATCH');
  });
});

describe('books: write', () => {
  it('creates (201), replaces, patches and deletes', async () => {
    const c = client();
    const created = await c.post('/books/', {
      json: { title: '  Kindred ', author: 'Octavia E. Butler', year: 1979, tags: ['sf'] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: 6,
      title: 'Kindred',
      author: 'Octavia E. Butler',
      year: 1979,
      tags: ['sf'],
    });
    const replaced = await c.put('/books/6', {
      json: { title: 'Kindred', author: 'Octavia Butler', year: 1979 },
    });
    expect(replaced.json).toEqual({
      id: 6,
      title: 'Kindred',
      author: 'Octavia Butler',
      year: 1979,
      tags: [],
    });
    const patched = await c.patch('/books/6', { json: { tags: ['classic'] } });
    expect(patched.json).toMatchObject({ id: 6, author: 'Octavia Butler', tags: ['classic'] });
    const deleted = await c.delete('/books/6');
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await c.get('/books/6')).status).toBe(404);
    expect((await c.delete('/books/6')).status).toBe(404);
    expect((await c.patch('/books/6', { json: { year: 2000 } })).status).toBe(404);
  });

  it('answers 422 with loc/msg/type for invalid bodies, 400 for broken JSON, 415 for other types', async () => {
    const c = client();
    const bad = await c.post('/books/', {
      json: { title: '', author: 'X', year: 2999, isbn: '12', color: 'red' },
    });
    expect(bad.status).toBe(422);
    const detail = (bad.json as Detail).detail;
    expect(detail.map((d) => [d.loc.join('.'), d.type])).toEqual([
      ['body.title', 'too_small'],
      ['body.year', 'too_big'],
      ['body.isbn', 'invalid_format'],
      ['body.color', 'unrecognized_keys'],
    ]);
    expect(detail[3]?.msg).toBe('Unrecognized key: "color"');
    expect(detail[2]?.msg).toBe('an ISBN-10 or ISBN-13, digits only');
    expect((await c.post('/books/', { data: '{"title":', contentType: 'application/json' })).status).toBe(
      400,
    );
    expect((await c.post('/books/', { data: 'title=x', contentType: 'text/plain' })).status).toBe(415);
    // a cross-site HTML form cannot post to a JSON route (no CSRF through urlencoded or multipart)
    expect((await c.post('/books/', { form: { title: 'x', author: 'y', year: '2000' } })).status).toBe(415);
    const empty = await c.post('/books/');
    expect([empty.status, (empty.json as Detail).detail[0]?.loc]).toEqual([422, ['body']]);
    expect((await c.patch('/books/1', { json: { id: 5 } })).status).toBe(422);
  });
});

describe('the API description', () => {
  it('serves a valid OpenAPI 3.1 document, the same as the committed openapi.json', async () => {
    const res = await client().get('/openapi.json');
    const doc = res.json as { paths: Record<string, Record<string, unknown>> };
    const result = await new Validator().validate(doc as never);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(['/books/', '/books/{id}']);
    expect(Object.keys(doc.paths['/books/{id}'] ?? {})).toEqual(['get', 'put', 'patch', 'delete']);
    const committed = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
    expect(doc, 'openapi.json is stale: run `npm run openapi -w examples/api`').toEqual(committed);
  });

  it('serves Swagger UI and ReDoc pages', async () => {
    const c = client();
    const docs = await c.get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/docs/swagger-ui-bundle.js');
    expect((await c.get('/docs/swagger-ui-bundle.js')).status).toBe(200);
    expect((await c.get('/redoc')).text).toContain('<redoc spec-url="/openapi.json">');
    expect((await c.get('/redoc/redoc.standalone.js')).status).toBe(200);
  });
});
