import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { describe, expectTypeOf, it } from 'vitest';
import type { Database, Pagination } from '../src/index.js';
import type { pgSchema, sqliteSchema } from './fixtures.js';

describe('types', () => {
  it('types db.orm by the dialect, both when unknown', () => {
    expectTypeOf<Database<typeof sqliteSchema, 'sqlite'>['orm']>().toEqualTypeOf<
      LibSQLDatabase<typeof sqliteSchema>
    >();
    expectTypeOf<Database<typeof pgSchema, 'postgres'>['orm']>().toEqualTypeOf<
      NodePgDatabase<typeof pgSchema>
    >();
    expectTypeOf<Database<typeof pgSchema>['orm']>().toEqualTypeOf<
      LibSQLDatabase<typeof pgSchema> | NodePgDatabase<typeof pgSchema>
    >();
  });

  it('types getOr404 by the table and pagination items', () => {
    type Db = Database<typeof sqliteSchema, 'sqlite'>;
    expectTypeOf<Awaited<ReturnType<Db['getOr404']>>>().toHaveProperty('title');
    expectTypeOf<Pagination<{ id: number }>['items']>().toEqualTypeOf<{ id: number }[]>();
    expectTypeOf<Pagination<{ id: number }>['nextNum']>().toEqualTypeOf<number | null>();
  });
});
