/**
 * `phial db ...` (Flask-Migrate's `flask db` and Flask-SQLAlchemy's `create_all`): `create`, `drop`,
 * `generate` (a migration from the schema's changes, in drizzle-kit's folder format) and `migrate` (applies
 * pending migrations with Drizzle's own migrator).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Phial } from 'phial';
import type { Database } from './database.js';
import { diff, snapshot } from './schema-sql.js';

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
      await migrate(db, app);
      console.log('Database is up to date.');
      await db.close(app);
    });
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

/** Applies pending migrations from the app's migrations folder. */
export async function migrate(db: Database, app: Phial): Promise<void> {
  const { dialect, migrationsFolder } = db.state(app);
  const orm = db.connection(app).orm;
  if (dialect === 'sqlite') {
    const { migrate: run } = await import('drizzle-orm/libsql/migrator');
    await run(orm as never, { migrationsFolder });
  } else {
    const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
    await run(orm as never, { migrationsFolder });
  }
}
