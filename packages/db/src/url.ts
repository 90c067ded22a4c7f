/**
 * Which database a URL names. Flask-SQLAlchemy users write SQLAlchemy URLs (`sqlite:///app.db`,
 * `postgresql://...`); Node users write `file:` or `postgres://` URLs. Both are understood.
 */
import { isAbsolute, join } from 'node:path';

/** The two databases `@phial/db` speaks. */
export type Dialect = 'sqlite' | 'postgres';

/** A database URL, resolved: the dialect and what its driver connects with. */
export interface DatabaseTarget {
  dialect: Dialect;
  /** For SQLite a `file:` URL (or `:memory:`); for PostgreSQL the connection string. */
  url: string;
  /** For SQLite, the file's path (null in memory). */
  file: string | null;
}

/**
 * Resolves `DATABASE_URL`: unset → `<instancePath>/app.sqlite`; relative SQLite paths are relative to the
 * instance folder (Flask-SQLAlchemy 3's rule), absolute ones are kept.
 */
export function resolveDatabaseUrl(url: string | null | undefined, instancePath: string): DatabaseTarget {
  if (url === null || url === undefined || url === '') return sqliteFile(join(instancePath, 'app.sqlite'));
  if (/^postgres(ql)?(\+\w+)?:\/\//i.test(url)) {
    // SQLAlchemy's driver suffix (`postgresql+psycopg://`) means nothing to node-postgres
    return { dialect: 'postgres', url: url.replace(/^postgres(ql)?\+\w+:/i, 'postgresql:'), file: null };
  }
  if (url === ':memory:' || url === 'sqlite://' || url === 'sqlite:///:memory:' || url === 'file::memory:') {
    return { dialect: 'sqlite', url: ':memory:', file: null };
  }
  let path: string | null = null;
  if (url.startsWith('sqlite:///')) path = url.slice('sqlite:///'.length);
  else if (url.startsWith('file:')) path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  else if (url.startsWith('sqlite:')) path = url.slice('sqlite:'.length);
  if (path === null || path === '') {
    throw new Error(
      `DATABASE_URL ${JSON.stringify(url)} names no database @phial/db knows (sqlite or postgres).`,
    );
  }
  return sqliteFile(isAbsolute(path) ? path : join(instancePath, path));
}

function sqliteFile(path: string): DatabaseTarget {
  return { dialect: 'sqlite', url: `file:${path}`, file: path };
}
