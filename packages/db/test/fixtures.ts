import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import * as pgCore from 'drizzle-orm/pg-core';
import * as liteCore from 'drizzle-orm/sqlite-core';
import { Phial } from 'phial';
import { onTestFinished } from 'vitest';
import { Database } from '../src/index.js';

const liteAuthor = liteCore.sqliteTable('author', {
  id: liteCore.integer('id').primaryKey({ autoIncrement: true }),
  name: liteCore.text('name').notNull().unique(),
});

export const sqliteSchema = {
  author: liteAuthor,
  book: liteCore.sqliteTable('book', {
    id: liteCore.integer('id').primaryKey({ autoIncrement: true }),
    title: liteCore.text('title').notNull(),
    authorId: liteCore.integer('author_id').references(() => liteAuthor.id),
  }),
};

const pgAuthor = pgCore.pgTable('author', {
  id: pgCore.serial('id').primaryKey(),
  name: pgCore.text('name').notNull().unique(),
});

export const pgSchema = {
  author: pgAuthor,
  book: pgCore.pgTable('book', {
    id: pgCore.serial('id').primaryKey(),
    title: pgCore.text('title').notNull(),
    authorId: pgCore.integer('author_id').references(() => pgAuthor.id),
  }),
};

export type AnySchema = typeof sqliteSchema | typeof pgSchema;

/** An app in a temporary root with the book routes a Flask-SQLAlchemy user would write. */
/** A temporary app root, removed when the test ends. */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'phial-db-app-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function makeApp(url: string | null, schema: AnySchema): { app: Phial; db: Database<AnySchema> } {
  const root = tempRoot();
  const app = new Phial(root, { staticFolder: null });
  app.config.TESTING = true;
  app.config.PROPAGATE_EXCEPTIONS = false;
  if (url !== null) app.config.DATABASE_URL = url;
  const db = new Database<AnySchema>(app, { schema });
  const { book } = schema;

  app.get('/books/<id>', async (req) => {
    const row = await db.getOr404(book, req.params.id);
    return { id: row.id, title: row.title };
  });
  app.get('/first/<title>', async (req) => {
    const row = await db.firstOr404<{ id: number; title: string }>(
      // biome-ignore lint/suspicious/noExplicitAny: one query text for both dialects' tables
      (db.orm as any).select().from(book).where(eqTitle(book, req.params.title)),
    );
    return { id: row.id };
  });
  app.get('/books', async () => {
    const page = await db.paginate<{ id: number; title: string }>(
      // biome-ignore lint/suspicious/noExplicitAny: one query for both dialects' tables
      (db.orm as any).select().from(book).orderBy(asc(book.id)),
      {
        maxPerPage: 5,
      },
    );
    return {
      items: page.items.map((b) => b.title),
      page: page.page,
      perPage: page.perPage,
      total: page.total,
      pages: page.pages,
      hasNext: page.has_next,
      nextNum: page.next_num,
      iter: [...page.iterPages()],
    };
  });
  return { app, db };
}

function eqTitle(book: AnySchema['book'], title: string) {
  return eq(book.title, title);
}

/** Inserts `n` books titled "Book 1" … "Book n". */
export async function seedBooks(db: Database<AnySchema>, schema: AnySchema, n: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({ title: `Book ${i + 1}` }));
  // biome-ignore lint/suspicious/noExplicitAny: both dialects' insert builders
  await (db.orm as any).insert(schema.book).values(rows);
}
