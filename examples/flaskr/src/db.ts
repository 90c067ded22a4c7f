/**
 * Flaskr's data: users and posts kept in memory (Flask's tutorial uses sqlite; Node 20 has none built in).
 * One store per app, kept in `app.extensions` like a Flask extension keeps its state, and reached from
 * views with `getDb()` through the current app, as the tutorial's `get_db()` does.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { currentApp, type Phial } from 'phial';

/** A registered user. */
export interface User {
  id: number;
  username: string;
  /** `scrypt:N:r:p$salt$hash`, the format of Werkzeug's `generate_password_hash`. */
  password: string;
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

/** Thrown when a username is taken (sqlite's IntegrityError in the tutorial). */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** The in-memory store: the tutorial's `user` and `post` tables. */
export class Database {
  private users = new Map<number, User>();
  private posts = new Map<number, Post>();
  private nextUserId = 1;
  private nextPostId = 1;

  /** Empties both tables and restarts the ids (the tutorial's `init-db`). */
  clear(): void {
    this.users.clear();
    this.posts.clear();
    this.nextUserId = 1;
    this.nextPostId = 1;
  }

  /** Adds a user whose password is already hashed; a taken username throws IntegrityError. */
  insertUser(username: string, passwordHash: string): User {
    if (this.getUserByName(username) !== undefined) {
      throw new IntegrityError(`UNIQUE constraint failed: user.username (${username})`);
    }
    const user: User = { id: this.nextUserId++, username, password: passwordHash };
    this.users.set(user.id, user);
    return user;
  }

  getUser(id: number): User | undefined {
    return this.users.get(id);
  }

  getUserByName(username: string): User | undefined {
    for (const user of this.users.values()) if (user.username === username) return user;
    return undefined;
  }

  insertPost(values: { title: string; body: string; authorId: number; created?: Date }): Post {
    const post: Post = {
      id: this.nextPostId++,
      authorId: values.authorId,
      created: values.created ?? new Date(),
      title: values.title,
      body: values.body,
    };
    this.posts.set(post.id, post);
    return post;
  }

  /** One post with its author's name, or undefined. */
  getPost(id: number): PostWithAuthor | undefined {
    const post = this.posts.get(id);
    return post === undefined ? undefined : this.withAuthor(post);
  }

  /** Every post, newest first. */
  listPosts(): PostWithAuthor[] {
    return [...this.posts.values()]
      .sort((a, b) => b.created.getTime() - a.created.getTime() || b.id - a.id)
      .map((p) => this.withAuthor(p));
  }

  updatePost(id: number, values: Partial<Pick<Post, 'title' | 'body' | 'authorId'>>): void {
    const post = this.posts.get(id);
    if (post !== undefined) Object.assign(post, values);
  }

  deletePost(id: number): boolean {
    return this.posts.delete(id);
  }

  countPosts(): number {
    return this.posts.size;
  }

  private withAuthor(post: Post): PostWithAuthor {
    return { ...post, username: this.users.get(post.authorId)?.username ?? '' };
  }
}

const EXTENSION = 'flaskr.db';

/** Gives `app` its own store (what the tutorial's `init_app` does for sqlite). */
export function initApp(app: Phial): Database {
  const db = new Database();
  app.extensions[EXTENSION] = db;
  return db;
}

/** The current app's store; needs an app context (a request, or `app.appContext(fn)`). */
export function getDb(app: Phial = currentApp): Database {
  const db = app.extensions[EXTENSION];
  if (!(db instanceof Database)) throw new Error('The database was not set up: call initApp(app).');
  return db;
}

// --------------------------------------------------------------------------- passwords

// Werkzeug's defaults for scrypt. N * r * 128 bytes = 32 MiB, so maxmem must be raised above Node's 32 MiB.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

function scryptAsync(password: string, salt: string, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with a random salt (Werkzeug's `generate_password_hash` format). */
export async function generatePasswordHash(password: string): Promise<string> {
  const salt = randomBytes(12).toString('base64url');
  const { N, r, p } = SCRYPT;
  const key = await scryptAsync(password, salt, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt:${N}:${r}:${p}$${salt}$${key.toString('hex')}`;
}

/** Checks a password against a hash made by {@link generatePasswordHash} (constant-time compare). */
export async function checkPasswordHash(hash: string, password: string): Promise<boolean> {
  const [method, salt, hex] = hash.split('$');
  const parts = method?.split(':') ?? [];
  if (parts[0] !== 'scrypt' || salt === undefined || hex === undefined || parts.length !== 4) return false;
  const [N, r, p] = parts.slice(1).map(Number) as [number, number, number];
  const expected = Buffer.from(hex, 'hex');
  const key = await scryptAsync(password, salt, { N, r, p, maxmem: 128 * N * r * 2 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
