/**
 * Opening a database: a libSQL client for SQLite (native, N-API, so one install serves every Node version),
 * a node-postgres pool for PostgreSQL, each wrapped in Drizzle. `all`/`run` give both dialects one shape.
 */
import { createClient } from '@libsql/client';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/libsql';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Dialect } from './url.js';

/** An open database: its Drizzle instance and dialect-neutral helpers. */
export interface Connection {
  dialect: Dialect;
  /** The Drizzle database (`LibSQLDatabase` or `NodePgDatabase`). */
  orm: unknown;
  all<T>(query: SQL): Promise<T[]>;
  run(query: SQL): Promise<{ rowsAffected: number }>;
  close(): Promise<void>;
}

interface SqliteOrm {
  all<T>(q: SQL): Promise<T[]>;
  run(q: SQL): Promise<{ rowsAffected: number }>;
}
interface PgOrm {
  execute(q: SQL): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** How long a SQLite writer waits for another connection's lock (Python's sqlite3 default). */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Opens a connection (no I/O until the first query). */
export function connect(
  dialect: Dialect,
  url: string,
  schema: Record<string, unknown>,
  options: { poolSize?: number | undefined } = {},
): Connection {
  if (dialect === 'sqlite') {
    const client = createClient({ url });
    const orm = drizzleSqlite(client, { schema });
    const o = orm as unknown as SqliteOrm;
    // SQLite enforces foreign keys only when asked, per connection; and a writer that finds the file locked
    // by another process (`phial serve --workers N`) waits up to 5 s, as Python's sqlite3 does, instead of
    // failing at once with SQLITE_BUSY
    const ready = client
      .execute('PRAGMA foreign_keys = ON')
      .then(() => client.execute(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`));
    return {
      dialect,
      orm,
      all: async <T>(q: SQL) => {
        await ready;
        return o.all<T>(q);
      },
      run: async (q) => {
        await ready;
        const r = await o.run(q);
        return { rowsAffected: Number(r.rowsAffected) };
      },
      close: async () => client.close(),
    };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const orm = drizzlePg(pool, { schema });
  const o = orm as unknown as PgOrm;
  return {
    dialect,
    orm,
    all: async <T>(q: SQL) => (await o.execute(q)).rows as T[],
    run: async (q) => ({ rowsAffected: (await o.execute(q)).rowCount ?? 0 }),
    close: () => pool.end(),
  };
}
