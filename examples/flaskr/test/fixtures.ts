/**
 * What Flask tutorial's `conftest.py` provides: an app with test data, its client, and login helpers.
 */
import type { Phial, TestClient, TestResponse } from 'phial';
import { createApp } from '../src/app.js';
import { generatePasswordHash, getDb } from '../src/db.js';

// Hashing is deliberately slow: hash the two test passwords once for the whole file.
let hashes: Promise<[string, string]> | null = null;
function testHashes(): Promise<[string, string]> {
  hashes ??= Promise.all([generatePasswordHash('test'), generatePasswordHash('other')]);
  return hashes;
}

/** A testing app holding the tutorial's `data.sql`: users test/test and other/other, one post by test. */
export async function makeApp(): Promise<Phial> {
  const app = createApp({ TESTING: true });
  const [testHash, otherHash] = await testHashes();
  await app.appContext(() => {
    const db = getDb();
    db.insertUser('test', testHash);
    db.insertUser('other', otherHash);
    db.insertPost({
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
export async function setup(): Promise<{ app: Phial; client: TestClient; auth: AuthActions }> {
  const app = await makeApp();
  const client = app.testClient();
  return { app, client, auth: new AuthActions(client) };
}
