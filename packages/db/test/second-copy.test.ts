// A file of its own: vi.resetModules() gives the rest of a file fresh copies of phial's modules.
import { Phial } from 'phial';
import { expect, it, vi } from 'vitest';
import { Database } from '../src/index.js';
import { sqliteSchema, tempRoot } from './fixtures.js';

it('knows an app from a second copy of phial in node_modules, where instanceof fails', async () => {
  vi.resetModules();
  const other = (await import('phial')) as typeof import('phial');
  expect(other.Phial).not.toBe(Phial);
  const a = new other.Phial(tempRoot(), { staticFolder: null }) as unknown as Phial;
  expect(a instanceof Phial).toBe(false);
  const db = new Database(a, { schema: sqliteSchema });
  expect(db.state(a).dialect).toBe('sqlite');
  expect(db.options.schema).toBe(sqliteSchema);
  const b = new other.Phial(tempRoot(), { staticFolder: null }) as unknown as Phial;
  new Database({ schema: sqliteSchema }).initApp(b);
  expect(b.extensions.db).toMatchObject({ dialect: 'sqlite' });
});
