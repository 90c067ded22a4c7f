/**
 * What Flask tutorial's `conftest.py` provides: an app with test data in a database of its own (dropped when
 * the test ends), its client, and login helpers.
 */
import { generatePasswordHash, type Phial, type TestClient, type TestResponse } from 'phial';
import { onTestFinished } from 'vitest';
import { createApp } from '../src/app.js';
import { getDb } from '../src/db.js';

// Hashing is deliberately slow: hash the two test passwords once for the whole file.
let hashes: Promise<[string, string]> | null = null;
function testHashes(): Promise<[string, string]> {
  hashes ??= Promise.all([generatePasswordHash('test'), generatePasswordHash('other')]);
  return hashes;
}

/**
 * A testing app holding the tutorial's `data.sql` (users test/test and other/other, one post by test) in a
 * fresh database: SQLite in a temporary folder, or a new PostgreSQL database when `databaseUrl` names a server.
 */
export async function makeApp(databaseUrl?: string): Promise<Phial> {
  const app = createApp({
    TESTING: true,
    // tests post forms without tokens; CSRF itself is tested on its own and in the browser
    WTF_CSRF_ENABLED: false,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const store = getDb(app);
  const dispose = await store.db.useTestDatabase(app);
  onTestFinished(dispose);
  const [testHash, otherHash] = await testHashes();
  await app.appContext(async () => {
    const db = getDb();
    await db.insertUser('test', testHash, 'test@example.com');
    await db.insertUser('other', otherHash, 'other@example.com');
    await db.insertPost({
      title: 'test title',
      body: 'test\nbody',
      authorId: 1,
      created: new Date(2018, 0, 1, 0, 0, 0),
    });
  });
  return app;
}

/** The tutorial's `AuthActions`. */
export class AuthActions {
  constructor(private readonly client: TestClient) {}

  login(username = 'test', password = 'test'): Promise<TestResponse> {
    return this.client.post('/auth/login', { form: { username, password } });
  }

  logout(): Promise<TestResponse> {
    return this.client.get('/auth/logout');
  }
}

/** An app, its client and the login helper (the tutorial's `app`, `client` and `auth` fixtures). */
export async function setup(
  databaseUrl?: string,
): Promise<{ app: Phial; client: TestClient; auth: AuthActions }> {
  const app = await makeApp(databaseUrl);
  const client = app.testClient();
  return { app, client, auth: new AuthActions(client) };
}
