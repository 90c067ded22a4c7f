/** Flaskr on a real PostgreSQL server (DATABASE_URL), the tutorial's flow through the test client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, postgresAvailable, startPostgres } from '../../../test-support/postgres.js';
import { getDb } from '../src/db.js';
import { setup } from './fixtures.js';

describe.skipIf(!postgresAvailable)('Flaskr on PostgreSQL', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.destroy();
  });

  it('registers, logs in, writes, edits and deletes; only the author may edit', async () => {
    const { app, client, auth } = await setup(pg.url);
    expect(getDb(app).db.state(app).dialect).toBe('postgres');
    expect(
      (
        await client.post('/auth/register', {
          form: { username: 'ann', email: 'ann@example.com', password: 'pw' },
        })
      ).status,
    ).toBe(302);
    expect((await auth.login('ann', 'pw')).headers.get('Location')).toBe('/');
    expect((await client.post('/create', { form: { title: 'On PG', body: 'b' } })).status).toBe(302);
    const index = await client.get('/');
    expect(index.text).toContain('On PG');
    expect(index.text).toContain('test title');
    expect((await client.post('/2/update', { form: { title: 'Edited', body: 'b2' } })).status).toBe(302);
    expect((await app.appContext(() => getDb().getPost(2)))?.title).toBe('Edited');
    // post 1 belongs to "test"
    expect((await client.get('/1/update')).status).toBe(403);
    expect((await client.post('/2/delete')).status).toBe(302);
    expect(await app.appContext(() => getDb().countPosts())).toBe(1);
    expect((await client.get('/99/update')).status).toBe(404);
  }, 60_000);
});
