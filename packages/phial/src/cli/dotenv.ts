/**
 * `.env` / `.phialenv` loading (Flask's `load_dotenv`): values already in the environment win; an
 * `--env-file` beats `.env`, which beats `.phialenv`. `PHIAL_SKIP_DOTENV=1` skips the default files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/** Finds `name` in `start` or the closest parent folder (python-dotenv's `find_dotenv`). */
export function findUp(name: string, start: string): string | null {
  let dir = path.resolve(start);
  for (;;) {
    const p = path.join(dir, name);
    try {
      if (existsSync(p) && statSync(p).isFile()) return p;
    } catch {
      // unreadable: keep looking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Reads a dotenv file into a plain object (Node's parser: quotes, `export`, comments, multi-line). */
export function readEnvFile(file: string): Record<string, string> {
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/**
 * Loads the default dotenv files (unless `loadDefaults` is false) and `envFile`; sets only variables that
 * are not set yet. Returns the files that were read, in order of precedence (lowest first).
 */
export function loadDotenv(
  envFile: string | null | undefined,
  options: { cwd?: string; loadDefaults?: boolean; env?: NodeJS.ProcessEnv } = {},
): string[] {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const loadDefaults = options.loadDefaults ?? !isTrue(env.PHIAL_SKIP_DOTENV);
  const files: string[] = [];
  if (loadDefaults) {
    for (const name of ['.phialenv', '.env']) {
      const f = findUp(name, cwd);
      if (f !== null) files.push(f);
    }
  }
  if (envFile) {
    const f = path.resolve(cwd, envFile);
    if (!existsSync(f)) throw new Error(`The env file '${envFile}' does not exist.`);
    files.push(f);
  }
  const data: Record<string, string> = {};
  for (const f of files) Object.assign(data, readEnvFile(f));
  for (const [k, v] of Object.entries(data)) {
    if (env[k] === undefined) {
      env[k] = v;
      if (env === process.env) loaded.keys.add(k);
    }
  }
  if (env === process.env) loaded.files.push(...files);
  return files;
}

/** What `loadDotenv` put into `process.env`: the files, and the keys it set (the real environment's win). */
const loaded = { files: [] as string[], keys: new Set<string>() };

/**
 * The dotenv files' values as they are now, for a process started later (the reloader's next worker): the
 * keys the files set before, with their new values (undefined: no longer in a file), and keys the files
 * gained that the real environment does not have. Variables that were in the environment before stay out.
 */
export function freshDotenv(): Record<string, string | undefined> {
  const now: Record<string, string> = {};
  for (const f of loaded.files) {
    try {
      Object.assign(now, readEnvFile(f));
    } catch {
      // deleted or unreadable: its keys are gone
    }
  }
  const out: Record<string, string | undefined> = {};
  for (const k of loaded.keys) out[k] = now[k];
  for (const [k, v] of Object.entries(now)) {
    if (loaded.keys.has(k) || process.env[k] === undefined) out[k] = v;
  }
  return out;
}

/** `1`, `true`, `yes`, `on` (any case). */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|t|yes|y|on)$/i.test(value.trim());
}
