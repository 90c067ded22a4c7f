/**
 * A small JSON API: a book catalogue with create, read, update, delete, paging and filters. Route schemas
 * (zod) validate what comes in (422 with FastAPI's `detail` list) and what goes out, and describe the API:
 * `/openapi.json`, `/docs` (Swagger UI) and `/redoc`.
 *
 *   npx phial --app examples/api/app.ts run --debug     then open http://127.0.0.1:5000/docs
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { abort, Blueprint, HTTPException, makeResponse, Phial, RequestValidationError } from 'phial';
import { OpenAPI } from 'phial/openapi';
import { Book, BookIn, BookPage, BookPatch, BookQuery, ErrorOut } from './schemas.js';
import { BookStore, SEED } from './store.js';

/** Every `<int(min=1):id>` route answers 404 with this body when the book does not exist. */
const notFound = { 404: ErrorOut };

/** The books blueprint: `/books/...`, tagged `books` in the docs. */
export function booksBlueprint(store: BookStore): Blueprint {
  const books = new Blueprint('books', import.meta.url, { urlPrefix: '/books', tags: ['books'] });

  books.get('/', { query: BookQuery, response: BookPage, summary: 'List books' }, function listBooks(req) {
    const { page, perPage, ...filters } = req.query;
    const { items, total } = store.list({ page, perPage, ...filters });
    return { items, page, perPage, total, pages: Math.max(1, Math.ceil(total / perPage)) };
  });

  books.post(
    '/',
    { body: BookIn, response: Book, statusCode: 201, summary: 'Add a book' },
    function createBook(req) {
      return store.create(req.body);
    },
  );

  books.get(
    '/<int(min=1):id>',
    { response: { 200: Book, ...notFound }, summary: 'Get a book' },
    function getBook(req) {
      return store.get(req.params.id) ?? abort(404);
    },
  );

  books.put(
    '/<int(min=1):id>',
    { body: BookIn, response: { 200: Book, ...notFound }, summary: 'Replace a book' },
    function replaceBook(req) {
      return store.replace(req.params.id, req.body) ?? abort(404);
    },
  );

  books.patch(
    '/<int(min=1):id>',
    { body: BookPatch, response: { 200: Book, ...notFound }, summary: 'Change some fields of a book' },
    function updateBook(req) {
      return store.update(req.params.id, req.body) ?? abort(404);
    },
  );

  books.delete(
    '/<int(min=1):id>',
    { response: notFound, summary: 'Delete a book', statusCode: 204 },
    function deleteBook(req) {
      if (!store.delete(req.params.id)) abort(404);
      return makeResponse('', 204);
    },
  );
  return books;
}

/** The app factory: a fresh store per app (tests get their own). */
export function createApp(options: { seed?: boolean } = {}): Phial {
  const app = new Phial(import.meta.url);
  const store = new BookStore(options.seed === false ? [] : SEED);
  app.registerBlueprint(booksBlueprint(store));

  // HTTP errors as JSON, FastAPI's way: { "detail": "Not Found" }. A RequestValidationError is an
  // HTTPException (422) too: it keeps its own answer, the `detail` list.
  app.errorHandler(HTTPException, (e) => {
    if (e instanceof RequestValidationError) return e;
    const res = makeResponse({ detail: e.name }, e.code);
    for (const [k, v] of Object.entries(e.getHeaders()))
      if (k.toLowerCase() !== 'content-type') res.headers.set(k, v);
    return res;
  });

  new OpenAPI(app, {
    title: 'Book catalogue',
    version: '1.0.0',
    description: 'A small JSON API built with Phial: books with paging, filters and validation.',
    tags: [{ name: 'books', description: 'The books of the catalogue.' }],
  });
  return app;
}

export const app = createApp();

// Serve only when this file is the program (`npx tsx app.ts`), not when a test imports it.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  app.run({ debug: true });
}
