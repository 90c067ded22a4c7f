/**
 * `Database`: Flask-SQLAlchemy's role on Drizzle ORM. One object serves every app it is bound to (app
 * factories): each app gets its own connection, chosen by its `DATABASE_URL`, kept in
 * `app.extensions.db` and closed when the app is closed. Views reach the current app's database
 * through `db.orm` (Drizzle) or the dialect-neutral `db.all`/`db.get`/`db.run` (SQL with Drizzle's `sql` tag).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { getTableColumns, getTableName, is, SQL, sql, Table } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { abort, currentApp, hasRequestContext, NotFound, Phial, request } from 'phial';
import { registerDbCommands } from './cli.js';
import { type Connection, connect } from './connect.js';
import { DatabaseUnavailable, isConnectionError } from './errors.js';
import { Pagination } from './pagination.js';
import { createAllStatements, dropAllStatements } from './schema-sql.js';
import { type Dialect, resolveDatabaseUrl } from './url.js';

/** A schema module: Drizzle tables (and relations) by name, as `import * as schema from './schema.js'`. */
export type Schema = Record<string, unknown>;

/**
 * The dialect a schema's tables are written for, when they all agree (either, when the schema does not say):
 * so `new Database({ schema })` with `sqliteTable`s types `db.orm` as SQLite without repeating `dialect`.
 */
export type SchemaDialect<S extends Schema> = [TableDialect<S[keyof S]>] extends [never]
  ? Dialect
  : [TableDialect<S[keyof S]>] extends ['sqlite']
    ? 'sqlite'
    : [TableDialect<S[keyof S]>] extends ['pg']
      ? 'postgres'
      : Dialect;
/** Drizzle's name for a table's dialect ('sqlite', 'pg', ...), never for what is not a table. */
type TableDialect<T> = T extends Table ? T['_']['config']['dialect'] : never;

/** The Drizzle database for a dialect (both when the app may run on either). */
export type Orm<S extends Schema, D extends Dialect> = D extends 'sqlite'
  ? LibSQLDatabase<S>
  : D extends 'postgres'
    ? NodePgDatabase<S>
    : LibSQLDatabase<S> | NodePgDatabase<S>;

/** Options of `new Database(options)` or `new Database(app, options)`. */
export interface DatabaseOptions<S extends Schema = Schema, D extends Dialect = SchemaDialect<S>> {
  /** The Drizzle schema (tables, relations): typed `db.orm.query`, `createAll()`, migrations. */
  schema?: S;
  /**
   * The dialect the schema is written for (default: its tables' dialect). It types `db.orm`, and a
   * `DATABASE_URL` of the other kind is refused at `initApp`.
   */
  dialect?: D;
  /** Where `phial db generate` writes migrations and `phial db migrate` reads them (relative to the app root). */
  migrationsFolder?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Options of `db.paginate`, with Flask-SQLAlchemy's defaults. */
export interface PaginateOptions {
  /** Page number; default: the request's `?page=`, else 1. */
  page?: number;
  /** Rows per page; default: the request's `?per_page=`, else 20. */
  perPage?: number;
  /** Upper bound for `perPage` (default 100), so `?per_page=1000000000` cannot load a table. */
  maxPerPage?: number | null;
  /** 404 for a page out of range or a bad number (default true); false clamps instead. */
  errorOut?: boolean;
  /** Count the total rows (default true). */
  count?: boolean;
}

/** What `initApp` keeps per app. */
export interface DatabaseState {
  dialect: Dialect;
  url: string;
  connection: Connection | null;
  /** The options' migrations folder, resolved against the app root. */
  migrationsFolder: string;
}

/** A query Drizzle can run and limit: a select builder (`db.orm.select().from(t)`) or an `sql` tag. */
// biome-ignore lint/suspicious/noExplicitAny: Drizzle's builders are generic in a dozen parameters
type SelectLike = { limit(n: number): any; offset?(n: number): any; as?(alias: string): any } | SQL;

const EXTENSION_KEY = 'db';
const OPTION_KEYS: ReadonlySet<string> = new Set(['schema', 'dialect', 'migrationsFolder', 'poolSize']);

/**
 * The database extension, made as Flask-SQLAlchemy's is: `new Database({ schema })` then `db.initApp(app)` in an
 * app factory, or `new Database(app, { schema })` for a single app.
 */
export class Database<S extends Schema = Schema, D extends Dialect = SchemaDialect<S>> {
  /** The schema given to the constructor. */
  readonly schema: S;
  readonly options: DatabaseOptions<S, D>;

  /** Not bound yet (app factories): call `db.initApp(app)` for each app. */
  constructor(options?: DatabaseOptions<S, D>);
  /** Bound to `app` now (`null`/`undefined`: not yet). */
  constructor(app: Phial | null | undefined, options?: DatabaseOptions<S, D>);
  constructor(appOrOptions?: Phial | DatabaseOptions<S, D> | null, maybeOptions?: DatabaseOptions<S, D>) {
    let app: Phial | null = null;
    let options: DatabaseOptions<S, D>;
    if (appOrOptions === null || appOrOptions === undefined) {
      options = maybeOptions ?? {};
    } else if (isApp(appOrOptions)) {
      app = appOrOptions;
      options = maybeOptions ?? {};
    } else if (maybeOptions === undefined) {
      options = appOrOptions;
    } else {
      throw new TypeError('new Database(app, options): the first argument is not a Phial app.');
    }
    checkOptions(options);
    this.options = options;
    this.schema = (options.schema ?? {}) as S;
    if (app) this.initApp(app);
  }

  /** Binds the database to `app`: reads `DATABASE_URL`, registers the 503 mapping, teardown and `phial db`. */
  initApp(app: Phial): void {
    if (!isApp(app)) throw new TypeError('db.initApp(app): the argument is not a Phial app.');
    const configured =
      (app.config.DATABASE_URL as string | null | undefined) ?? process.env.DATABASE_URL ?? null;
    const target = resolveDatabaseUrl(configured, app.instancePath);
    const declared = this.options.dialect ?? schemaDialect(this.schema);
    if (declared !== null && declared !== target.dialect) {
      throw new Error(
        `This Database's schema is written for ${declared}, but DATABASE_URL names a ${target.dialect} database.`,
      );
    }
    const state: DatabaseState = {
      dialect: target.dialect,
      url: target.url,
      connection: null,
      migrationsFolder: `${app.rootPath}/${this.options.migrationsFolder ?? 'migrations'}`,
    };
    app.extensions[EXTENSION_KEY] = state;
    // A database that is down answers 503 from the view's error path; the pool reconnects when it returns.
    app.errorHandler(DrizzleQueryError, (e: DrizzleQueryError) => {
      if (isConnectionError(e.cause)) return new DatabaseUnavailable(undefined, { cause: e });
      throw e;
    });
    registerDbCommands(app, this);
  }

  /** This app's state (throws a clear error when `initApp` was not called for it). */
  state(app: Phial = currentApp): DatabaseState {
    const state = app.extensions[EXTENSION_KEY] as DatabaseState | undefined;
    if (state === undefined) {
      throw new Error(
        'The database is not registered on this app: call db.initApp(app) (or new Database(app)).',
      );
    }
    return state;
  }

  /** The dialect of the current app's database. */
  get dialect(): Dialect {
    return this.state().dialect;
  }

  /** The connection of `app` (opened on first use; SQLite's instance folder is created then). */
  connection(app: Phial = currentApp): Connection {
    const state = this.state(app);
    if (state.connection === null) {
      if (state.dialect === 'sqlite' && state.url.startsWith('file:')) {
        mkdirSync(dirname(state.url.slice('file:'.length)), { recursive: true });
      }
      state.connection = connect(state.dialect, state.url, this.schema, { poolSize: this.options.poolSize });
    }
    return state.connection;
  }

  /** The current app's Drizzle database. */
  get orm(): Orm<S, D> {
    return this.connection().orm as Orm<S, D>;
  }

  /** Rows of a query (Drizzle's `sql` tag or a string without parameters), on either dialect. */
  all<T = Record<string, unknown>>(query: SQL | string): Promise<T[]> {
    return this.connection().all<T>(typeof query === 'string' ? sql.raw(query) : query);
  }

  /** The first row of a query, or undefined. */
  async get<T = Record<string, unknown>>(query: SQL | string): Promise<T | undefined> {
    return (await this.all<T>(query))[0];
  }

  /** Runs a statement; resolves to the number of rows it changed. */
  run(query: SQL | string): Promise<{ rowsAffected: number }> {
    return this.connection().run(typeof query === 'string' ? sql.raw(query) : query);
  }

  /** Runs `fn` in a transaction (rolled back if it throws). */
  transaction<T>(fn: (tx: Orm<S, D>) => Promise<T>): Promise<T> {
    const orm = this.orm as unknown as { transaction(f: (tx: unknown) => Promise<T>): Promise<T> };
    return orm.transaction((tx) => fn(tx as Orm<S, D>));
  }

  /**
   * The row of `table` whose primary key is `id`, or a 404 (Flask-SQLAlchemy's `get_or_404`). An id that cannot
   * be a key of that column (`'1 or 1=1'` for an integer key) is a 404 too, never a query.
   */
  async getOr404<T extends Table>(table: T, id: unknown, description?: string): Promise<T['$inferSelect']> {
    const key = primaryKey(table);
    const value = coerceKey(key.dataType, id);
    if (value === undefined) abort(404, description);
    const rows = await this.all<T['$inferSelect']>(
      sql`select * from ${table} where ${sql.identifier(key.name)} = ${value} limit 1`,
    );
    if (rows.length === 0) abort(404, description);
    return mapRow(table, rows[0] as Record<string, unknown>) as T['$inferSelect'];
  }

  /** The first row of a query, or a 404 (Flask-SQLAlchemy's `first_or_404`). */
  async firstOr404<T>(query: PromiseLike<T[]> & SelectLike, description?: string): Promise<T>;
  async firstOr404<T = Record<string, unknown>>(query: SQL, description?: string): Promise<T>;
  async firstOr404(query: SelectLike, description?: string): Promise<unknown> {
    const rows = is(query, SQL)
      ? await this.all(sql`${query} limit 1`)
      : await (query.limit(1) as PromiseLike<unknown[]>);
    if (rows.length === 0) throw new NotFound(description);
    return rows[0];
  }

  /**
   * One page of a query (Flask-SQLAlchemy's `paginate`). Page and size come from the options, else from the
   * request's `?page=` and `?per_page=`. Bad or out-of-range numbers are a 404 (or clamped with
   * `errorOut: false`); `perPage` never exceeds `maxPerPage`.
   */
  async paginate<T>(query: PromiseLike<T[]> & SelectLike, options?: PaginateOptions): Promise<Pagination<T>>;
  async paginate<T = Record<string, unknown>>(query: SQL, options?: PaginateOptions): Promise<Pagination<T>>;
  async paginate(query: SelectLike, options: PaginateOptions = {}): Promise<Pagination<unknown>> {
    const errorOut = options.errorOut ?? true;
    let page = options.page ?? argInt('page', 1, errorOut);
    let perPage = options.perPage ?? argInt('per_page', 20, errorOut);
    const maxPerPage = options.maxPerPage === undefined ? 100 : options.maxPerPage;
    if (maxPerPage !== null) perPage = Math.min(perPage, maxPerPage);
    if (!Number.isSafeInteger(page) || page < 1) {
      if (errorOut) abort(404);
      page = 1;
    }
    if (!Number.isSafeInteger(perPage) || perPage < 1) {
      if (errorOut) abort(404);
      perPage = 20;
    }
    const offset = (page - 1) * perPage;
    let items: unknown[];
    let total = 0;
    if (is(query, SQL)) {
      items = await this.all(sql`${query} limit ${perPage} offset ${offset}`);
      if (options.count ?? true) {
        const row = await this.get<{ n: unknown }>(sql`select count(*) as n from (${query}) as phial_page`);
        total = Number(row?.n ?? 0);
      }
    } else {
      if (options.count ?? true) {
        const sub = (query as { as(alias: string): unknown }).as('phial_page');
        const orm = this.orm as unknown as {
          select(f: Record<string, unknown>): { from(s: unknown): PromiseLike<{ n: unknown }[]> };
        };
        const rows = await orm.select({ n: sql`count(*)` }).from(sub);
        total = Number(rows[0]?.n ?? 0);
      }
      items = await (query.limit(perPage).offset(offset) as PromiseLike<unknown[]>);
    }
    if (items.length === 0 && page !== 1 && errorOut) abort(404);
    return new Pagination(items, page, perPage, total);
  }

  /** Creates every table of the schema that does not exist yet (Flask-SQLAlchemy's `create_all`). */
  async createAll(app: Phial = currentApp): Promise<void> {
    const conn = this.connection(app);
    const existing = await conn.all<{ name: string }>(
      conn.dialect === 'sqlite'
        ? sql`select name from sqlite_master where type = 'table'`
        : sql`select table_name as name from information_schema.tables where table_schema = current_schema()`,
    );
    const skip = new Set(existing.map((r) => r.name));
    for (const statement of await createAllStatements(conn.dialect, this.schema, skip)) {
      await conn.run(sql.raw(statement));
    }
  }

  /** Drops every table of the schema (Flask-SQLAlchemy's `drop_all`). */
  async dropAll(app: Phial = currentApp): Promise<void> {
    const conn = this.connection(app);
    for (const statement of dropAllStatements(conn.dialect, this.schema)) await conn.run(sql.raw(statement));
  }

  /** Closes `app`'s connection (the next use opens a new one). */
  async close(app: Phial = currentApp): Promise<void> {
    const state = this.state(app);
    const conn = state.connection;
    state.connection = null;
    if (conn) await conn.close();
  }

  /**
   * Points `app` at a database of its own for one test and creates the tables: a new SQLite file in a temporary
   * folder, or a new PostgreSQL schema on the configured server. The returned function drops it again.
   */
  async useTestDatabase(app: Phial): Promise<() => Promise<void>> {
    const { isolate } = await import('./testing.js');
    return isolate(this, app);
  }
}

/**
 * True for a Phial app. `instanceof` misses an app from a second copy of `phial` in node_modules, so an object
 * with an app's config, extensions, instance path and errorHandler counts too; an options object has none.
 */
function isApp(value: unknown): value is Phial {
  if (value instanceof Phial) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'config' | 'extensions' | 'instancePath' | 'errorHandler', unknown>>;
  return (
    typeof v.config === 'object' &&
    v.config !== null &&
    typeof v.extensions === 'object' &&
    v.extensions !== null &&
    typeof v.instancePath === 'string' &&
    typeof v.errorHandler === 'function'
  );
}

/** Refuses what is neither an app nor options, e.g. `new Database(schema)` for `new Database({ schema })`. */
function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('new Database(options): options must be an object such as { schema, dialect }.');
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `new Database(options): unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')} (options are ${[...OPTION_KEYS].join(', ')}; a schema module goes in as new Database({ schema })).`,
    );
  }
}

/** The dialect of the schema's tables when they all agree, else null (the URL decides). */
function schemaDialect(schema: Schema): Dialect | null {
  let found: Dialect | null = null;
  for (const value of Object.values(schema)) {
    if (!is(value, Table)) continue;
    const d: Dialect | null = is(value, SQLiteTable) ? 'sqlite' : is(value, PgTable) ? 'postgres' : null;
    if (d === null || (found !== null && found !== d)) return null;
    found = d;
  }
  return found;
}

/** The primary-key column of a table (a single-column key). */
function primaryKey(table: Table): { name: string; dataType: string } {
  const columns = getTableColumns(table) as Record<
    string,
    { name: string; primary: boolean; dataType: string }
  >;
  const keys = Object.values(columns).filter((c) => c.primary);
  if (keys.length !== 1) {
    throw new Error(`getOr404 needs a table with a single-column primary key (${getTableName(table)}).`);
  }
  return keys[0] as { name: string; dataType: string };
}

/** The key value in the column's type, or undefined when it cannot be one (→ 404). */
function coerceKey(dataType: string, id: unknown): unknown {
  if (dataType === 'number' || dataType === 'bigint') {
    const text = typeof id === 'number' ? String(id) : typeof id === 'string' ? id : '';
    if (!/^-?\d{1,15}$/.test(text)) return undefined;
    return Number(text);
  }
  if (typeof id === 'string' || typeof id === 'number') return id;
  return undefined;
}

/** A raw row (column names) as Drizzle's select type (property names, decoded values). */
function mapRow(table: Table, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const columns = getTableColumns(table) as Record<
    string,
    { name: string; mapFromDriverValue(v: unknown): unknown }
  >;
  for (const [prop, column] of Object.entries(columns)) {
    const v = row[column.name];
    out[prop] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  }
  return out;
}

/** An integer from the query string, Flask-SQLAlchemy's way (404 or the default when it is not a number). */
function argInt(name: string, fallback: number, errorOut: boolean): number {
  if (!hasRequestContext()) return fallback;
  const raw = request.args.get(name);
  if (raw === undefined || raw === null) return fallback;
  const s = String(raw).trim();
  if (/^[+-]?\d{1,15}$/.test(s)) return Number(s);
  if (errorOut) abort(404);
  return fallback;
}
