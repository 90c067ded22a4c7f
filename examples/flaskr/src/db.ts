/**
 * Flaskr's data, on `@phial/db`: the tutorial's `user` and `post` tables in SQLite (the instance folder's
 * `app.sqlite`) or PostgreSQL (DATABASE_URL), queried with plain SQL as the tutorial does. One store per app,
 * reached from views with `getDb()` through the current app, as the tutorial's `get_db()` does.
 */
import { Database, resolveDatabaseUrl } from '@phial/db';
import { UserMixin } from '@phial/login';
import { sql } from 'drizzle-orm';
import { currentApp, type Phial } from 'phial';
import { pgSchema, sqliteSchema } from './schema.js';

/** A registered user (Flask-Login's user protocol through `UserMixin`). */
export class User extends UserMixin {
  constructor(
    override readonly id: number,
    readonly username: string,
    /** Where password-reset links go (null for users made before addresses were asked for). */
    readonly email: string | null,
    /** `scrypt:32768:8:1$salt$hash`, Werkzeug's format: a Flask app's user table moves over as it is. */
    readonly password: string,
  ) {
    super();
  }
}

/** A blog post. */
export interface Post {
  id: number;
  authorId: number;
  created: Date;
  title: string;
  body: string;
}

/** A post with its author's name, as the index page lists them (the tutorial's JOIN). */
export interface PostWithAuthor extends Post {
  username: string;
}

/** Thrown when a username is taken (the tutorial's IntegrityError). */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

interface UserRow {
  id: number;
  username: string;
  email: string | null;
  password: string;
}

function toUser(row: UserRow | undefined): User | undefined {
  return row && new User(Number(row.id), row.username, row.email, row.password);
}

interface PostRow {
  id: number;
  author_id: number;
  created: string | Date;
  title: string;
  body: string;
  username?: string;
}

function toPost(row: PostRow): PostWithAuthor {
  return {
    id: Number(row.id),
    authorId: Number(row.author_id),
    created: new Date(row.created),
    title: row.title,
    body: row.body,
    username: row.username ?? '',
  };
}

/** The tutorial's queries. */
export class Store {
  constructor(readonly db: Database) {}

  /** Drops and creates the tables (the tutorial's `init-db`). */
  async init(): Promise<void> {
    await this.db.dropAll();
    await this.db.createAll();
  }

  /** Adds a user whose password is already hashed; a taken username throws IntegrityError. */
  async insertUser(username: string, passwordHash: string, email: string | null = null): Promise<User> {
    if ((await this.getUserByName(username)) !== undefined) {
      throw new IntegrityError(`UNIQUE constraint failed: user.username (${username})`);
    }
    await this.db.run(
      sql`INSERT INTO "user" (username, email, password) VALUES (${username}, ${email}, ${passwordHash})`,
    );
    return (await this.getUserByName(username)) as User;
  }

  async getUser(id: number | string): Promise<User | undefined> {
    if (!/^\d{1,15}$/.test(String(id))) return undefined;
    return toUser(
      await this.db.get<UserRow>(
        sql`SELECT id, username, email, password FROM "user" WHERE id = ${Number(id)}`,
      ),
    );
  }

  async getUserByName(username: string): Promise<User | undefined> {
    return toUser(
      await this.db.get<UserRow>(
        sql`SELECT id, username, email, password FROM "user" WHERE username = ${username}`,
      ),
    );
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    return toUser(
      await this.db.get<UserRow>(
        sql`SELECT id, username, email, password FROM "user" WHERE lower(email) = ${email.toLowerCase()} ORDER BY id`,
      ),
    );
  }

  async updatePassword(id: number, passwordHash: string): Promise<void> {
    await this.db.run(sql`UPDATE "user" SET password = ${passwordHash} WHERE id = ${id}`);
  }

  async insertPost(values: { title: string; body: string; authorId: number; created?: Date }): Promise<void> {
    const created = (values.created ?? new Date()).toISOString();
    await this.db.run(
      sql`INSERT INTO post (title, body, author_id, created) VALUES (${values.title}, ${values.body}, ${values.authorId}, ${created})`,
    );
  }

  /** One post with its author's name, or undefined. */
  async getPost(id: number): Promise<PostWithAuthor | undefined> {
    const row = await this.db.get<PostRow>(
      sql`SELECT p.id, title, body, created, author_id, username FROM post p JOIN "user" u ON p.author_id = u.id WHERE p.id = ${id}`,
    );
    return row && toPost(row);
  }

  /** Every post, newest first. */
  async listPosts(): Promise<PostWithAuthor[]> {
    const rows = await this.db.all<PostRow>(
      sql`SELECT p.id, title, body, created, author_id, username FROM post p JOIN "user" u ON p.author_id = u.id ORDER BY created DESC, p.id DESC`,
    );
    return rows.map(toPost);
  }

  async updatePost(id: number, values: { title?: string; body?: string; authorId?: number }): Promise<void> {
    const post = await this.getPost(id);
    if (post === undefined) return;
    const next = { ...post, ...values };
    await this.db.run(
      sql`UPDATE post SET title = ${next.title}, body = ${next.body}, author_id = ${next.authorId} WHERE id = ${id}`,
    );
  }

  async deletePost(id: number): Promise<boolean> {
    return (await this.db.run(sql`DELETE FROM post WHERE id = ${id}`)).rowsAffected > 0;
  }

  async countPosts(): Promise<number> {
    return Number((await this.db.get<{ n: unknown }>(sql`SELECT count(*) AS n FROM post`))?.n ?? 0);
  }
}

const EXTENSION = 'flaskr.store';

/** Gives `app` its database (SQLite unless DATABASE_URL names PostgreSQL) and the `init-db` command. */
export function initApp(app: Phial): Store {
  const url = (app.config.DATABASE_URL as string | undefined) ?? process.env.DATABASE_URL;
  const dialect = resolveDatabaseUrl(url, app.instancePath).dialect;
  const db = new Database(app, { schema: dialect === 'postgres' ? pgSchema : sqliteSchema });
  const store = new Store(db);
  app.extensions[EXTENSION] = store;
  app.cli
    .command('init-db')
    .description('Clear the existing data and create new tables.')
    .action(async () => {
      await store.init();
      console.log('Initialized the database.');
      await db.close(app);
    });
  return store;
}

/** The current app's store; needs an app context (a request, or `app.appContext(fn)`). */
export function getDb(app: Phial = currentApp): Store {
  const store = app.extensions[EXTENSION];
  if (!(store instanceof Store)) throw new Error('The database was not set up: call initApp(app).');
  return store;
}
