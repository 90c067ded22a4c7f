/**
 * One database per test, so tests never see each other's rows: a fresh SQLite file in a temporary folder,
 * or a fresh PostgreSQL database on the configured server, with the tables created.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Phial } from 'phial';
import { connect } from './connect.js';
import type { Database } from './database.js';

/** @internal the body of `db.useTestDatabase(app)`. */
export async function isolate(db: Database, app: Phial): Promise<() => Promise<void>> {
  const state = db.state(app);
  await db.close(app);
  const original = state.url;
  if (state.dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'phial-db-'));
    state.url = `file:${join(dir, 'test.sqlite')}`;
    await db.createAll(app);
    return async () => {
      await db.close(app);
      state.url = original;
      rmSync(dir, { recursive: true, force: true });
    };
  }
  // a database of its own (drizzle-kit qualifies foreign keys with "public", so a schema would not isolate)
  const name = `phial_test_${randomBytes(6).toString('hex')}`;
  const admin = connect('postgres', original, {});
  await admin.run(sql.raw(`CREATE DATABASE "${name}"`));
  const url = new URL(original);
  url.pathname = `/${name}`;
  state.url = url.toString();
  await db.createAll(app);
  return async () => {
    await db.close(app);
    state.url = original;
    await admin.run(sql.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    await admin.close();
  };
}
