/**
 * Schema to SQL through drizzle-kit's own API (the tool Drizzle users already run), loaded only when tables
 * are created or migrations generated: `createAll()` and `phial db generate` never disagree with drizzle-kit.
 */
import { getTableName, is, Table } from 'drizzle-orm';
import type { Dialect } from './url.js';

type KitApi = typeof import('drizzle-kit/api');
let kit: Promise<KitApi> | null = null;
function loadKit(): Promise<KitApi> {
  kit ??= import('drizzle-kit/api').catch((e: unknown) => {
    kit = null;
    throw new Error('Creating tables and migrations needs drizzle-kit: npm install -D drizzle-kit', {
      cause: e,
    });
  });
  return kit;
}

/** The tables of a schema module, in declaration order. */
export function tablesOf(schema: Record<string, unknown>): Table[] {
  return Object.values(schema).filter((v): v is Table => is(v, Table));
}

/** A snapshot of the schema as drizzle-kit writes it (for diffs and migrations). */
export async function snapshot(
  dialect: Dialect,
  schema: Record<string, unknown>,
  prevId?: string,
): Promise<unknown> {
  const api = await loadKit();
  return dialect === 'sqlite'
    ? api.generateSQLiteDrizzleJson(schema, prevId)
    : api.generateDrizzleJson(schema, prevId);
}

/** The statements that turn snapshot `prev` into `cur`. */
export async function diff(dialect: Dialect, prev: unknown, cur: unknown): Promise<string[]> {
  const api = await loadKit();
  return dialect === 'sqlite'
    ? api.generateSQLiteMigration(prev as never, cur as never)
    : api.generateMigration(prev as never, cur as never);
}

/** CREATE statements for the schema's tables (`skip` lists tables that already exist). */
export async function createAllStatements(
  dialect: Dialect,
  schema: Record<string, unknown>,
  skip: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const wanted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!is(value, Table) || !skip.has(getTableName(value))) wanted[key] = value;
  }
  if (tablesOf(wanted).length === 0) return [];
  const empty = await snapshot(dialect, {});
  return diff(dialect, empty, await snapshot(dialect, wanted, (empty as { id: string }).id));
}

/** DROP statements for the schema's tables, dependents first. */
export function dropAllStatements(dialect: Dialect, schema: Record<string, unknown>): string[] {
  const q = dialect === 'sqlite' ? '`' : '"';
  return tablesOf(schema)
    .reverse()
    .map((t) => `DROP TABLE IF EXISTS ${q}${getTableName(t)}${q}${dialect === 'postgres' ? ' CASCADE' : ''}`);
}
