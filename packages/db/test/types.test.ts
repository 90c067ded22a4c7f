import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyPgSelect } from 'drizzle-orm/pg-core';
import type { AnySQLiteSelect } from 'drizzle-orm/sqlite-core';
import { Phial } from 'phial';
import { describe, expectTypeOf, it } from 'vitest';
import { Database, type Pagination } from '../src/index.js';
import { pgSchema, sqliteSchema, tempRoot } from './fixtures.js';

type Book = { id: number; title: string; authorId: number | null };

describe('types', () => {
  it('types db.orm by the dialect, both when unknown', () => {
    expectTypeOf<Database<typeof sqliteSchema, 'sqlite'>['orm']>().toEqualTypeOf<
      LibSQLDatabase<typeof sqliteSchema>
    >();
    expectTypeOf<Database<typeof pgSchema, 'postgres'>['orm']>().toEqualTypeOf<
      NodePgDatabase<typeof pgSchema>
    >();
    expectTypeOf<Database<typeof pgSchema | typeof sqliteSchema>['orm']>().toEqualTypeOf<
      | LibSQLDatabase<typeof pgSchema | typeof sqliteSchema>
      | NodePgDatabase<typeof pgSchema | typeof sqliteSchema>
    >();
    expectTypeOf<Database['orm']>().toEqualTypeOf<
      LibSQLDatabase<Record<string, unknown>> | NodePgDatabase<Record<string, unknown>>
    >();
  });

  it('new Database({ schema, dialect }) (the app-factory form) infers the dialect into db.orm', () => {
    const lite = new Database({ schema: sqliteSchema, dialect: 'sqlite' });
    expectTypeOf(lite).toEqualTypeOf<Database<typeof sqliteSchema, 'sqlite'>>();
    expectTypeOf<typeof lite.orm>().toEqualTypeOf<LibSQLDatabase<typeof sqliteSchema>>();
    // never called: db.orm needs an app context; only the types matter here
    const liteQuery = () => lite.orm.select().from(sqliteSchema.book);
    expectTypeOf(liteQuery).returns.toExtend<AnySQLiteSelect>();
    expectTypeOf(liteQuery).returns.not.toExtend<AnyPgSelect>();
    expectTypeOf(liteQuery).returns.resolves.toEqualTypeOf<Book[]>();
    const liteInsert = () => lite.orm.insert(sqliteSchema.book).values({ title: 'x' }).returning();
    expectTypeOf(liteInsert).returns.resolves.toEqualTypeOf<Book[]>();

    const pg = new Database({ schema: pgSchema, dialect: 'postgres' });
    expectTypeOf(pg).toEqualTypeOf<Database<typeof pgSchema, 'postgres'>>();
    expectTypeOf<typeof pg.orm>().toEqualTypeOf<NodePgDatabase<typeof pgSchema>>();
    const pgQuery = () => pg.orm.select().from(pgSchema.book);
    expectTypeOf(pgQuery).returns.toExtend<AnyPgSelect>();
    expectTypeOf(pgQuery).returns.not.toExtend<AnySQLiteSelect>();
    expectTypeOf(pgQuery).returns.resolves.toEqualTypeOf<Book[]>();
  });

  it('every constructor form type-checks and keeps the dialect', () => {
    const app = new Phial(tempRoot(), { staticFolder: null });
    const bound = new Database(app, { schema: sqliteSchema, dialect: 'sqlite' });
    expectTypeOf<typeof bound.orm>().toEqualTypeOf<LibSQLDatabase<typeof sqliteSchema>>();
    const later = new Database(null, { schema: pgSchema, dialect: 'postgres' });
    expectTypeOf<typeof later.orm>().toEqualTypeOf<NodePgDatabase<typeof pgSchema>>();
    // without `dialect`, the schema's tables say which
    const bySchema = new Database({ schema: sqliteSchema });
    expectTypeOf<typeof bySchema.orm>().toEqualTypeOf<LibSQLDatabase<typeof sqliteSchema>>();
    expectTypeOf<Database<typeof pgSchema>['orm']>().toEqualTypeOf<NodePgDatabase<typeof pgSchema>>();
    // no schema at all: either dialect
    expectTypeOf(new Database(app)).toEqualTypeOf<Database>();
    expectTypeOf(new Database()).toEqualTypeOf<Database>();
    // a schema module in place of the options, and a dialect this package does not speak, are refused
    // @ts-expect-error the schema goes in as { schema }
    expectTypeOf(() => new Database(sqliteSchema)).toBeFunction();
    // @ts-expect-error 'postgres' is the name
    expectTypeOf(() => new Database({ schema: pgSchema, dialect: 'postgresql' })).toBeFunction();
  });

  it('types getOr404 by the table and pagination items', () => {
    type Db = Database<typeof sqliteSchema, 'sqlite'>;
    expectTypeOf<Awaited<ReturnType<Db['getOr404']>>>().toHaveProperty('title');
    expectTypeOf<Pagination<{ id: number }>['items']>().toEqualTypeOf<{ id: number }[]>();
    expectTypeOf<Pagination<{ id: number }>['nextNum']>().toEqualTypeOf<number | null>();
  });
});
