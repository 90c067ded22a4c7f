/**
 * `@phial/db`: Flask-SQLAlchemy's role for Phial, on Drizzle ORM. SQLite in the instance folder by default,
 * PostgreSQL by `DATABASE_URL`; `getOr404`, `firstOr404`, `paginate`, `createAll`, `phial db` migrations,
 * and a per-test database.
 */
export { generateMigration, MigrationError, migrate, stamp } from './cli.js';
export type { Connection } from './connect.js';
export type {
  DatabaseOptions,
  DatabaseState,
  Orm,
  PaginateOptions,
  Schema,
  SchemaDialect,
} from './database.js';
export { Database } from './database.js';
export { DatabaseUnavailable, isConnectionError } from './errors.js';
export type { IterPagesOptions } from './pagination.js';
export { Pagination } from './pagination.js';
export type { DatabaseTarget, Dialect } from './url.js';
export { resolveDatabaseUrl } from './url.js';
