/**
 * `phial db ...` (Flask-Migrate's `flask db` and Flask-SQLAlchemy's `create_all`): `create`, `drop`,
 * `generate` (a migration from the schema's changes, in drizzle-kit's folder format), `migrate` (applies
 * pending migrations with Drizzle's own migrator) and `stamp` (records them as applied without running them).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { type MigrationMeta, readMigrationFiles } from 'drizzle-orm/migrator';
import type { Phial } from 'phial';
import type { Database } from './database.js';
import { diff, snapshot } from './schema-sql.js';
import type { Dialect } from './url.js';

interface Journal {
  version: string;
  dialect: string;
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/** Adds the `db` command group to `app.cli` (once per app). */
export function registerDbCommands(app: Phial, db: Database): void {
  if (app.cli.commands.some((c) => c.name() === 'db')) return;
  const group = app.cli.command('db').description('Database tables and migrations (@phial/db).');
  group
    .command('create')
    .description("Create the schema's tables that do not exist yet.")
    .action(async () => {
      await db.createAll(app);
      console.log(`Created the tables of ${db.state(app).dialect} database.`);
      await db.close(app);
    });
  group
    .command('drop')
    .description("Drop the schema's tables.")
    .action(async () => {
      await db.dropAll(app);
      console.log('Dropped the tables.');
      await db.close(app);
    });
  group
    .command('generate')
    .description('Write a migration for the changes between the last migration and the schema.')
    .option('-n, --name <name>', 'a name for the migration', 'migration')
    .action(async (opts: { name: string }) => {
      const file = await generateMigration(db, app, opts.name);
      console.log(file === null ? 'No schema changes, nothing to generate.' : `Wrote ${file}`);
    });
  group
    .command('migrate')
    .description('Apply the migrations that have not run yet.')
    .action(async () => {
      const applied = await explained(db, app, () => migrate(db, app));
      console.log(
        applied.length === 0
          ? 'Database is up to date.'
          : `Applied ${applied.length} migration(s): ${applied.join(', ')}.`,
      );
      await db.close(app);
    });
  group
    .command('stamp')
    .description(
      'Record every migration as applied without running it (for a database made by `phial db create`).',
    )
    .action(async () => {
      const tags = await explained(db, app, () => stamp(db, app));
      console.log(
        tags.length === 0
          ? 'Every migration is already recorded as applied; nothing to stamp.'
          : `Recorded ${tags.length} migration(s) as applied without running them: ${tags.join(', ')}.`,
      );
      await db.close(app);
    });
}

/**
 * A failure the user can act on, said in a paragraph: the CLI prints it without a stack trace, as Flask-Migrate
 * prints Alembic's command errors.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Runs `fn`; a `MigrationError` ends the command with its message and exit code 1, not a stack trace. */
async function explained<T>(db: Database, app: Phial, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    console.error(`Error: ${e.message}`);
    await db.close(app);
    process.exit(1);
  }
}

/** Writes the next migration (SQL + drizzle-kit snapshot + journal entry); null when nothing changed. */
export async function generateMigration(db: Database, app: Phial, name: string): Promise<string | null> {
  const { dialect, migrationsFolder: folder } = db.state(app);
  const metaDir = join(folder, 'meta');
  const journalPath = join(metaDir, '_journal.json');
  const journal: Journal = existsSync(journalPath)
    ? (JSON.parse(readFileSync(journalPath, 'utf8')) as Journal)
    : { version: '7', dialect: dialect === 'sqlite' ? 'sqlite' : 'postgresql', entries: [] };
  const last = journal.entries.at(-1);
  const prev = last
    ? JSON.parse(readFileSync(join(metaDir, `${String(last.idx).padStart(4, '0')}_snapshot.json`), 'utf8'))
    : await snapshot(dialect, {});
  const cur = (await snapshot(dialect, db.schema, (prev as { id: string }).id)) as { id: string };
  const statements = await diff(dialect, prev, cur);
  if (statements.length === 0) return null;
  const idx = last === undefined ? 0 : last.idx + 1;
  const tag = `${String(idx).padStart(4, '0')}_${name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
  mkdirSync(metaDir, { recursive: true });
  writeFileSync(join(folder, `${tag}.sql`), statements.join('\n--> statement-breakpoint\n'));
  writeFileSync(join(metaDir, `${String(idx).padStart(4, '0')}_snapshot.json`), JSON.stringify(cur, null, 2));
  journal.entries.push({
    idx,
    version: dialect === 'sqlite' ? '6' : '7',
    when: Date.now(),
    tag,
    breakpoints: true,
  });
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return join(folder, `${tag}.sql`);
}

/**
 * Applies pending migrations from the app's migrations folder. A migration that creates a table the database
 * already has (a database made by `createAll()`) is a `MigrationError` saying to run `phial db stamp`.
 */
export async function migrate(db: Database, app: Phial): Promise<string[]> {
  const { dialect, migrationsFolder } = db.state(app);
  const migrations = readMigrations(app, migrationsFolder);
  // what the migrator will apply, by its own rule (newer than the last one recorded)
  const [last] = await db
    .connection(app)
    .all<{ created_at: unknown }>(
      sql`select created_at from ${migrationsTable(dialect)} order by created_at desc limit 1`,
    )
    .catch(() => []);
  const after = last === undefined ? null : Number(last.created_at);
  const pending = migrations.filter((m) => after === null || after < m.meta.folderMillis).map((m) => m.tag);
  const orm = db.connection(app).orm;
  try {
    if (dialect === 'sqlite') {
      const { migrate: run } = await import('drizzle-orm/libsql/migrator');
      await run(orm as never, { migrationsFolder });
    } else {
      const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
      await run(orm as never, { migrationsFolder });
    }
  } catch (e) {
    const existing = alreadyExists(e);
    if (existing === null) throw e;
    const applied = await db
      .connection(app)
      .all<{ n: unknown }>(sql`select count(*) as n from ${migrationsTable(dialect)}`)
      .catch(() => []);
    const recorded = Number(applied[0]?.n ?? 0);
    const where = relative(app.rootPath, migrationsFolder) || migrationsFolder;
    throw new MigrationError(
      recorded === 0
        ? `The migrations in ${where}/ create ${existing}, which this database already has, and the database has no record of any migration having run: it was most likely made by db.createAll() (\`phial db create\`, or an init-db command) rather than by migrations. No migration was applied. If its tables already match the migrations, run \`phial db stamp\` to record them as applied without running them; later migrations then apply normally. Otherwise start from an empty database (\`phial db drop\`, then \`phial db migrate\`).`
        : `A pending migration in ${where}/ creates ${existing}, which this database already has (${recorded} earlier migration(s) are recorded as applied), so it was made or changed outside the migrations. No migration was applied. Bring the database back in line with the migrations, or, if it already matches all of them, run \`phial db stamp\` to record them as applied.`,
      { cause: e },
    );
  }
  return pending;
}

/**
 * Records the migrations that have not run as applied, without running them (Flask-Migrate's `stamp head`),
 * in the table Drizzle's migrator reads and with the same hash and timestamp, so `phial db migrate` then
 * skips them and applies only later ones. Resolves to the tags it recorded.
 */
export async function stamp(db: Database, app: Phial): Promise<string[]> {
  const { dialect, migrationsFolder } = db.state(app);
  const migrations = readMigrations(app, migrationsFolder);
  const table = migrationsTable(dialect);
  const conn = db.connection(app);
  // the table exactly as Drizzle's migrator creates it (drizzle-orm/{libsql,pg-core} migrate)
  if (dialect === 'postgres') await conn.run(sql`CREATE SCHEMA IF NOT EXISTS ${sql.identifier('drizzle')}`);
  await conn.run(
    sql`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at ${sql.raw(dialect === 'sqlite' ? 'numeric' : 'bigint')})`,
  );
  const [last] = await conn.all<{ created_at: unknown }>(
    sql`select created_at from ${table} order by created_at desc limit 1`,
  );
  // the migrator's own rule: a migration is pending when it is newer than the last one recorded
  const after = last === undefined ? null : Number(last.created_at);
  const pending = migrations.filter((m) => after === null || after < m.meta.folderMillis);
  if (pending.length > 0) {
    const rows = pending.map((m) => sql`(${m.meta.hash}, ${m.meta.folderMillis})`);
    await conn.run(sql`insert into ${table} ("hash", "created_at") values ${sql.join(rows, sql`, `)}`);
  }
  return pending.map((m) => m.tag);
}

/** Where Drizzle's migrator records applied migrations (its defaults, which `migrate` uses). */
function migrationsTable(dialect: Dialect): SQL {
  return dialect === 'sqlite'
    ? sql`${sql.identifier('__drizzle_migrations')}`
    : sql`${sql.identifier('drizzle')}.${sql.identifier('__drizzle_migrations')}`;
}

/** The folder's migrations as Drizzle's migrator reads them (same hashes), with their tags. */
function readMigrations(app: Phial, folder: string): { tag: string; meta: MigrationMeta }[] {
  const journalPath = join(folder, 'meta', '_journal.json');
  if (!existsSync(journalPath)) {
    const where = relative(app.rootPath, folder) || folder;
    throw new MigrationError(
      `There are no migrations in ${where}/ (no meta/_journal.json). Write the first one with \`phial db generate\`.`,
    );
  }
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const metas = readMigrationFiles({ migrationsFolder: folder });
  return metas.map((meta, i) => ({ tag: journal.entries[i]?.tag ?? String(i), meta }));
}

/** The object an "already exists" error names (`table \`posts\``), or null for any other error. */
function alreadyExists(e: unknown): string | null {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as { code?: unknown }).code;
    const named =
      /\b(table|relation|index|type|view|trigger|schema)\s+([`"'][^`"']+[`"']|\S+)\s+already exists/i.exec(
        err.message,
      );
    // PostgreSQL's "relation" is a table or an index: the name alone says enough
    if (named) return named[1]?.toLowerCase() === 'relation' ? `${named[2]}` : `${named[1]} ${named[2]}`;
    // PostgreSQL's duplicate_table, duplicate_object
    if (code === '42P07' || code === '42710') return 'an object';
  }
  return null;
}
