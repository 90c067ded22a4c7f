import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Phial, renderTemplateString } from 'phial';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PostgresServer, postgresAvailable, startPostgres } from '../../../test-support/postgres.js';
import { Database, Pagination, resolveDatabaseUrl } from '../src/index.js';
import { type AnySchema, makeApp, pgSchema, seedBooks, sqliteSchema, tempRoot } from './fixtures.js';

describe('DATABASE_URL', () => {
  it('defaults to a SQLite file in the instance folder and accepts SQLAlchemy and node spellings', () => {
    expect(resolveDatabaseUrl(undefined, '/srv/app/instance')).toEqual({
      dialect: 'sqlite',
      url: 'file:/srv/app/instance/app.sqlite',
      file: '/srv/app/instance/app.sqlite',
    });
    expect(resolveDatabaseUrl('sqlite:///blog.db', '/i').url).toBe('file:/i/blog.db');
    expect(resolveDatabaseUrl('sqlite:////abs/blog.db', '/i').url).toBe('file:/abs/blog.db');
    expect(resolveDatabaseUrl('sqlite://', '/i').url).toBe(':memory:');
    expect(resolveDatabaseUrl('postgresql+psycopg://u@h/db', '/i')).toMatchObject({
      dialect: 'postgres',
      url: 'postgresql://u@h/db',
    });
    expect(() => resolveDatabaseUrl('mysql://x', '/i')).toThrow('names no database');
  });

  it('creates the instance folder on first use, not at start-up', async () => {
    const { app, db } = makeApp(null, sqliteSchema);
    expect(existsSync(app.instancePath)).toBe(false);
    await app.appContext(() => db.createAll());
    expect(existsSync(join(app.instancePath, 'app.sqlite'))).toBe(true);
    await app.appContext(() => db.close());
  });

  it('refuses a URL of the other dialect than the schema declares', () => {
    const app = new Phial(tempRoot(), { staticFolder: null });
    app.config.DATABASE_URL = 'postgresql://127.0.0.1:1/x';
    expect(() => new Database(app, { schema: sqliteSchema, dialect: 'sqlite' })).toThrow(
      'written for sqlite',
    );
  });

  it('says clearly when the app was never bound', async () => {
    const app = new Phial(tempRoot(), { staticFolder: null });
    const db = new Database();
    await expect(app.appContext(() => db.all('select 1'))).rejects.toThrow('initApp');
  });
});

describe('new Database', () => {
  const app = () => {
    const a = new Phial(tempRoot(), { staticFolder: null });
    a.config.TESTING = true;
    return a;
  };

  it('takes the options alone (app factories), then initApp binds each app', async () => {
    const db = new Database({ schema: sqliteSchema, dialect: 'sqlite' });
    for (const a of [app(), app()]) {
      db.initApp(a);
      await a.appContext(async () => {
        await db.createAll();
        await db.orm.insert(sqliteSchema.book).values({ title: 'Dune' });
        expect(await db.orm.select().from(sqliteSchema.book)).toEqual([
          { id: 1, title: 'Dune', authorId: null },
        ]);
        await db.close();
      });
    }
  });

  it('takes (app, options), (app), (null, options) and ()', async () => {
    const a = app();
    const bound = new Database(a, { schema: sqliteSchema, migrationsFolder: 'db/migrations' });
    expect(bound.state(a).migrationsFolder).toBe(join(a.rootPath, 'db/migrations'));
    expect(bound.schema).toBe(sqliteSchema);

    const b = app();
    const bare = new Database(b);
    expect(bare.state(b).dialect).toBe('sqlite');
    expect(bare.schema).toEqual({});

    const later = new Database(null, { schema: sqliteSchema, poolSize: 3 });
    expect(later.options.poolSize).toBe(3);
    expect(() => later.state(app())).toThrow('initApp'); // not bound yet
    expect(() => new Database().state(app())).toThrow('initApp');
  });

  it('refuses what is neither an app nor options, saying what to write', () => {
    expect(() => new Database(sqliteSchema as never)).toThrow(
      /unknown option "author", "book".*new Database\(\{ schema \}\)/,
    );
    expect(() => new Database({} as never, { schema: sqliteSchema })).toThrow('not a Phial app');
    expect(() => new Database({ schema: sqliteSchema }).initApp({ schema: sqliteSchema } as never)).toThrow(
      'not a Phial app',
    );
  });

  it("takes the dialect from the schema's tables when `dialect` is not given", () => {
    const a = app();
    a.config.DATABASE_URL = 'postgresql://127.0.0.1:1/x';
    expect(() => new Database(a, { schema: sqliteSchema })).toThrow('written for sqlite');
    const b = app(); // unset URL: SQLite
    expect(() => new Database(b, { schema: pgSchema })).toThrow('written for postgres');
  });
});

describe('Pagination', () => {
  it('draws the page links as Flask-SQLAlchemy does', () => {
    const p = new Pagination([1], 10, 1, 20);
    expect([...p.iterPages()]).toEqual([1, 2, null, 8, 9, 10, 11, 12, 13, 14, null, 19, 20]);
    expect([...new Pagination([1], 1, 1, 3).iterPages()]).toEqual([1, 2, 3]);
    expect([...new Pagination([], 1, 20, 0).iterPages()]).toEqual([]);
    expect(new Pagination([1, 2], 2, 2, 5)).toMatchObject({
      pages: 3,
      first: 3,
      last: 4,
      prevNum: 1,
      nextNum: 3,
    });
  });

  it('renders in a Flask template with snake_case names', () => {
    const app = new Phial(tempRoot(), { staticFolder: null });
    const out = app.testRequestContext('/', {}, () =>
      renderTemplateString(
        '{% for p in pagination.iter_pages() %}{{ p if p else "…" }} {% endfor %}|{{ pagination.has_next }} {{ pagination.next_num }}|{% for i in pagination %}{{ i }}{% endfor %}',
        { pagination: new Pagination(['a', 'b'], 1, 2, 9) },
      ),
    );
    return expect(out).resolves.toBe('1 2 3 4 5 |True 2|ab');
  });
});

const dialects: { name: string; schema: AnySchema; url: () => string | null }[] = [
  { name: 'sqlite', schema: sqliteSchema, url: () => null },
];
let pg: PostgresServer | undefined;
if (postgresAvailable) {
  dialects.push({ name: 'postgres', schema: pgSchema, url: () => (pg as PostgresServer).url });
}

beforeAll(async () => {
  if (postgresAvailable) pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.destroy();
});

describe.each(dialects)('on $name', ({ schema, url }) => {
  let app: Phial;
  let db: Database<AnySchema>;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ app, db } = makeApp(url(), schema));
    drop = await db.useTestDatabase(app);
  });
  afterEach(async () => {
    await drop();
  });

  it('getOr404 finds a row by key and 404s for a missing or malformed id', async () => {
    await app.appContext(() => seedBooks(db, schema, 3));
    const client = app.testClient();
    expect((await client.get('/books/2')).json).toEqual({ id: 2, title: 'Book 2' });
    expect((await client.get('/books/99')).status).toBe(404);
    for (const bad of ['1%20or%201=1', "1'%3B%20drop%20table%20book%3B--", 'abc', '99999999999999999999']) {
      expect((await client.get(`/books/${bad}`)).status).toBe(404);
    }
    // the table survived every attempt
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toHaveLength(3);
  });

  it('firstOr404', async () => {
    await app.appContext(() => seedBooks(db, schema, 2));
    const client = app.testClient();
    expect((await client.get('/first/Book%202')).json).toEqual({ id: 2 });
    expect((await client.get('/first/nope')).status).toBe(404);
  });

  it('paginate reads ?page and ?per_page, clamps the size and 404s out of range', async () => {
    await app.appContext(() => seedBooks(db, schema, 12));
    const client = app.testClient();
    const first = await client.get('/books', { query: { per_page: '4' } });
    expect(first.json).toMatchObject({
      items: ['Book 1', 'Book 2', 'Book 3', 'Book 4'],
      page: 1,
      total: 12,
      pages: 3,
      hasNext: true,
      nextNum: 2,
      iter: [1, 2, 3],
    });
    expect((await client.get('/books', { query: { page: '3', per_page: '4' } })).json).toMatchObject({
      items: ['Book 9', 'Book 10', 'Book 11', 'Book 12'],
      hasNext: false,
    });
    // a huge page size is clamped to maxPerPage (5), never a full-table read
    const huge = await client.get('/books', { query: { per_page: '1000000000' } });
    expect(huge.json).toMatchObject({
      perPage: 5,
      items: ['Book 1', 'Book 2', 'Book 3', 'Book 4', 'Book 5'],
    });
    for (const page of ['-1', '0', 'abc', '4', '1e3']) {
      expect((await client.get('/books', { query: { page, per_page: '4' } })).status).toBe(404);
    }
  });

  it('each test gets a database of its own', async () => {
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toEqual([]);
    await app.appContext(() => seedBooks(db, schema, 1));
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toHaveLength(1);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      app.appContext(() =>
        db.transaction(async (tx) => {
          // biome-ignore lint/suspicious/noExplicitAny: either dialect's transaction
          await (tx as any).insert(schema.book).values({ title: 'kept?' });
          throw new Error('boom');
        }),
      ),
    ).rejects.toThrow('boom');
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toEqual([]);
  });

  it('phial db generate writes migrations and phial db migrate applies them', async () => {
    await drop();
    drop = await db.useTestDatabase(app); // tables exist here; migrate into a fresh database below
    const runner = app.testCliRunner();
    const gen = await runner.invoke(['db', 'generate', '--name', 'init']);
    expect(gen.exitCode, gen.output).toBe(0);
    expect(gen.output).toContain('0000_init.sql');
    const folder = join(app.rootPath, 'migrations');
    expect(readdirSync(folder)).toContain('0000_init.sql');
    expect(readFileSync(join(folder, '0000_init.sql'), 'utf8')).toMatch(/CREATE TABLE [`"]book[`"]/);
    expect((await runner.invoke(['db', 'generate'])).output).toContain('No schema changes');
    await app.appContext(() => db.dropAll());
    const mig = await runner.invoke(['db', 'migrate']);
    expect(mig.exitCode, mig.output).toBe(0);
    expect(mig.output).toContain('Applied 1 migration(s): 0000_init.');
    expect((await runner.invoke(['db', 'migrate'])).output).toContain('Database is up to date.');
    await app.appContext(() => seedBooks(db, schema, 1));
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toHaveLength(1);
  });

  it('phial db migrate on a createAll() database explains itself; phial db stamp records the migrations', async () => {
    // the documented development flow: tables from createAll() (useTestDatabase, `phial db create`), rows in them
    await app.appContext(() => seedBooks(db, schema, 2));
    const runner = app.testCliRunner();
    expect((await runner.invoke(['db', 'generate', '--name', 'init'])).exitCode).toBe(0);

    const mig = await runner.invoke(['db', 'migrate']);
    expect(mig.exitCode).toBe(1);
    expect(mig.output).toMatch(
      /migrations\/ create (table )?[`"]author[`"], which this database already has/,
    );
    expect(mig.output).toContain('db.createAll()');
    expect(mig.output).toContain('`phial db stamp`');
    expect(mig.output).not.toMatch(/\n\s+at |BatchError|DrizzleQueryError/); // no stack trace
    const recorded = (conn: Database<AnySchema>) =>
      app.appContext(() =>
        conn.all<{ hash: string; created_at: unknown }>(
          url() === null
            ? sql`select hash, created_at from __drizzle_migrations`
            : sql`select hash, created_at from drizzle.__drizzle_migrations`,
        ),
      );
    expect(await recorded(db)).toEqual([]);
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toHaveLength(2);

    const stamped = await runner.invoke(['db', 'stamp']);
    expect(stamped.exitCode, stamped.output).toBe(0);
    expect(stamped.output).toContain('Recorded 1 migration(s) as applied without running them: 0000_init.');
    // recorded as Drizzle's migrator records them: the file's sha256 and the journal's timestamp
    const folder = join(app.rootPath, 'migrations');
    const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8'));
    const hash = createHash('sha256')
      .update(readFileSync(join(folder, '0000_init.sql')))
      .digest('hex');
    const rows = await recorded(db);
    expect(rows.map((r) => [r.hash, Number(r.created_at)])).toEqual([[hash, journal.entries[0].when]]);
    expect((await runner.invoke(['db', 'stamp'])).output).toContain('nothing to stamp');

    const upToDate = await runner.invoke(['db', 'migrate']);
    expect(upToDate.exitCode, upToDate.output).toBe(0);
    // a later migration still applies, and only it
    writeFileSync(join(folder, '0001_tags.sql'), 'CREATE TABLE "tag" ("id" integer PRIMARY KEY);');
    journal.entries.push({
      idx: 1,
      version: '7',
      when: journal.entries[0].when + 1,
      tag: '0001_tags',
      breakpoints: true,
    });
    writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
    const later = await runner.invoke(['db', 'migrate']);
    expect(later.exitCode, later.output).toBe(0);
    expect(later.output).toContain('Applied 1 migration(s): 0001_tags.');
    expect(await app.appContext(() => db.all(sql`select * from "tag"`))).toEqual([]);
    expect(await recorded(db)).toHaveLength(2);
    expect(await app.appContext(() => db.all(sql`select * from ${schema.book}`))).toHaveLength(2);
  });

  it('phial db migrate and stamp without migrations say to generate one', async () => {
    for (const command of ['migrate', 'stamp']) {
      const out = await app.testCliRunner().invoke(['db', command]);
      expect(out.exitCode).toBe(1);
      expect(out.output).toContain('There are no migrations in migrations/');
      expect(out.output).toContain('phial db generate');
      expect(out.output).not.toMatch(/\n\s+at /);
    }
  });
});

describe.skipIf(!postgresAvailable)('a PostgreSQL server that goes away', () => {
  it('answers 503 while it is down and recovers when it returns', async () => {
    const server = pg as PostgresServer;
    const { app, db } = makeApp(server.url, pgSchema);
    const drop = await db.useTestDatabase(app);
    await app.appContext(() => seedBooks(db, pgSchema, 1));
    const client = app.testClient();
    expect((await client.get('/books/1')).status).toBe(200);
    await server.stop();
    try {
      const down = await client.get('/books/1');
      expect(down.status).toBe(503);
      expect(down.text).toContain('database is unavailable');
    } finally {
      await server.start();
    }
    expect((await client.get('/books/1')).status).toBe(200);
    await drop();
  }, 60_000);
});
