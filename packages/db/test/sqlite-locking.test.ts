/**
 * Two processes writing one SQLite file, as `phial serve --workers 2` does: a writer that finds the file
 * locked waits for the lock (busy_timeout) instead of failing with SQLITE_BUSY.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Phial } from 'phial';
import { describe, expect, it } from 'vitest';
import { Database } from '../src/index.js';
import { sqliteSchema, tempRoot } from './fixtures.js';

/** A second process that takes the write lock, says so, holds it for `ms`, then commits. */
const HOLDER = `
const [lib, url, ms] = process.argv.slice(1);
const { createClient } = await import(lib);
const c = createClient({ url });
const tx = await c.transaction('write');
await tx.execute("INSERT INTO author (name) VALUES ('holder')");
process.stdout.write('locked\\n');
await new Promise((r) => setTimeout(r, Number(ms)));
await tx.commit();
c.close();
`;

describe('SQLite under several processes', () => {
  it('a write waits while another process holds the lock, then succeeds', async () => {
    const root = tempRoot();
    const file = join(root, 'shared.sqlite');
    const app = new Phial(root, { staticFolder: null });
    app.config.DATABASE_URL = `sqlite:///${file}`;
    const db = new Database(app, { schema: sqliteSchema });
    await app.appContext(() => db.createAll());
    const libsql = import.meta.resolve('@libsql/client');
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', HOLDER, '--', libsql, `file:${file}`, '400'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<number | null>((r) => holder.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d) => String(d).includes('locked') && resolve());
      holder.on('exit', () => reject(new Error('the holder exited before locking')));
    });
    const started = Date.now();
    await app.appContext(() => db.run("INSERT INTO author (name) VALUES ('waiter')"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(await exited).toBe(0);
    const names = await app.appContext(() => db.all<{ name: string }>('SELECT name FROM author ORDER BY id'));
    expect(names.map((r) => r.name)).toEqual(['holder', 'waiter']);
    await app.appContext(() => db.close());
  });
});
