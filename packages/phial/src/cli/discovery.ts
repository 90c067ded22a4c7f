/**
 * App discovery for the `phial` command (Flask's `--app` / `FLASK_APP` rules): a module path, an optional
 * `:name` or `:factory(args)`, else the default files in the working folder.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Phial } from '../app/phial.js';

/** The app could not be found or loaded; the message names what was tried. The CLI exits with 2. */
export class NoAppException extends Error {
  override name = 'NoAppException';
}

/** The files tried, in order, when neither `--app` nor `PHIAL_APP` is given. */
export const DEFAULT_APP_FILES = [
  'app.ts',
  'app.js',
  'app.mjs',
  'wsgi.ts',
  'wsgi.js',
  'wsgi.mjs',
  'src/app.ts',
  'src/app.js',
  'src/app.mjs',
];

const EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs', '.cjs', '.cts'];
const TS_EXT = /\.(?:[mc]?ts|tsx)$/i;

/** `module[:name | :factory(args)]` split into its parts. */
export interface AppSpec {
  /** The module part (a path, with or without extension, or a dotted name). */
  module: string;
  /** The export to use, or null to search. */
  name: string | null;
  /** Literal arguments when `name` is called as a factory (`createApp('dev')`), else null. */
  args: unknown[] | null;
}

/** A located app and where it came from. */
export interface LoadedApp {
  app: Phial;
  /** Absolute path of the module file. */
  file: string;
  /** What the user would write in `--app` for this app (shown in banners). */
  importPath: string;
}

/** Splits `--app` text. A `:` followed by a slash (a Windows drive) is part of the path. */
export function parseAppSpec(text: string): AppSpec {
  const m = /^(.*?):(?![\\/])(.*)$/s.exec(text);
  let module = text;
  let rest: string | null = null;
  if (m && !/^[a-zA-Z]$/.test(m[1] as string)) {
    module = m[1] as string;
    rest = (m[2] as string).trim();
  }
  if (rest === null || rest === '') return { module, name: null, args: null };
  const call = /^([A-Za-z_$][\w$]*)\s*(?:\((.*)\))?$/s.exec(rest);
  if (!call)
    throw new NoAppException(`Failed to parse ${JSON.stringify(rest)} as an export name or function call.`);
  const name = call[1] as string;
  if (call[2] === undefined) return { module, name, args: null };
  return { module, name, args: parseLiteralArgs(call[2], rest) };
}

/** Parses `'dev', 2, true, null, {"a": 1}`: literals only (strings in either quote style, JSON otherwise). */
export function parseLiteralArgs(src: string, whole = src): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new NoAppException(
      `Failed to parse arguments as literal values: ${JSON.stringify(whole)} (${why}). Only strings, numbers, booleans, null, arrays and JSON objects are allowed.`,
    );
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
  };
  ws();
  if (i === src.length) return out;
  for (;;) {
    ws();
    const start = i;
    const c = src[i];
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          const n = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
          s += n === undefined ? '' : (map[n] ?? n);
          i += 2;
        } else s += src[i++];
      }
      if (src[i] !== c) fail('unterminated string');
      i++;
      out.push(s);
    } else {
      // a JSON value: scan to the next top-level comma
      let depth = 0;
      let inStr = false;
      for (; i < src.length; i++) {
        const ch = src[i];
        if (inStr) {
          if (ch === '\\') i++;
          else if (ch === '"') inStr = false;
        } else if (ch === '"') inStr = true;
        else if (ch === '[' || ch === '{') depth++;
        else if (ch === ']' || ch === '}') depth--;
        else if (ch === ',' && depth === 0) break;
      }
      const text = src.slice(start, i).trim();
      if (text === 'undefined') out.push(undefined);
      else {
        try {
          out.push(JSON.parse(text));
        } catch {
          fail(`${JSON.stringify(text)} is not a literal`);
        }
      }
    }
    ws();
    if (i === src.length) return out;
    if (src[i] !== ',') fail(`unexpected ${JSON.stringify(src[i])}`);
    i++;
    ws();
    if (i === src.length) return out; // trailing comma
  }
}

/** Duck-typed: the app may come from another copy of the package (built vs source). */
export function isPhialApp(value: unknown): value is Phial {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.appContext === 'function' &&
    typeof v.urlMap === 'object' &&
    v.urlMap !== null &&
    typeof v.config === 'object' &&
    'cli' in v
  );
}

/** Candidate files for a module part: as given, with each extension, as a folder's index, or dotted. */
function moduleCandidates(module: string, cwd: string): string[] {
  const base = path.resolve(cwd, module);
  const out = [base];
  for (const ext of EXTENSIONS) out.push(base + ext);
  for (const ext of EXTENSIONS) out.push(path.join(base, `index${ext}`));
  if (!/[\\/]/.test(module) && module.includes('.') && !/\.[cm]?[jt]sx?$/.test(module)) {
    const dotted = path.resolve(cwd, ...module.split('.'));
    for (const ext of EXTENSIONS) out.push(dotted + ext);
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

let tsxRegistered: Promise<void> | null = null;

/** True when this Node strips TypeScript types itself (22.18+ / 23.6+, or `--experimental-strip-types`). */
export function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: string | false }).typescript);
}

/** Node's own type stripping, or a clear error when this Node has none. */
function nativeTypeScript(): void {
  if (nodeStripsTypes()) return;
  throw new Error(
    `Loading a TypeScript app needs tsx on Node ${process.version} (npm install tsx), or Node 22.18+ / 23.6+, which runs TypeScript itself.`,
  );
}

/**
 * Makes `.ts` modules importable, once: tsx's ESM hooks when tsx is installed (an optional peer dependency; it
 * also maps `./x.js` imports to `./x.ts`), else Node's own type stripping (imports then name `.ts` files).
 * `PHIAL_TS_LOADER=node` picks Node's own even when tsx is there. Nothing when a TS loader is already active.
 */
/** tsx's registration API (an optional peer dependency of phial). */
const TSX_API = 'tsx/esm/api';

function ensureTypeScript(): Promise<void> {
  if (tsxRegistered !== null) return tsxRegistered;
  // a vitest worker transforms `.ts` itself; a process it spawns inherits VITEST but not the worker's global
  const already =
    '__vitest_worker__' in globalThis || process.execArgv.some((a) => /(^|[\\/=\s])tsx([\\/]|$)/.test(a));
  if (already) tsxRegistered = Promise.resolve();
  else if (process.env.PHIAL_TS_LOADER === 'node') tsxRegistered = Promise.resolve().then(nativeTypeScript);
  else {
    // a specifier bundlers do not follow: an app bundled for Workers (which reaches this module through
    // `app.testCliRunner`) must not carry tsx and esbuild, whose own dynamic imports workerd refuses
    const tsxApi: string = TSX_API;
    tsxRegistered = (import(tsxApi) as Promise<typeof import('tsx/esm/api')>).then(
      (m) => {
        m.register();
      },
      (e: unknown) => {
        if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
        nativeTypeScript();
      },
    );
  }
  return tsxRegistered;
}

/** Imports a module file (registering TypeScript support when the file needs it). */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  if (TS_EXT.test(file)) await ensureTypeScript();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return typeof value;
}

/** Calls a factory; a factory that returns a promise is awaited. */
async function callFactory(fn: (...a: unknown[]) => unknown, args: unknown[], label: string, file: string) {
  let rv: unknown;
  try {
    rv = await fn(...args);
  } catch (e) {
    if (e instanceof NoAppException) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new NoAppException(`The factory ${label} in '${file}' raised an error: ${msg}`, { cause: e });
  }
  if (!isPhialApp(rv)) {
    throw new NoAppException(
      `A valid Phial application was not obtained from '${file}:${label}' (it returned ${describe(rv)}).`,
    );
  }
  return rv;
}

/** Flask's `find_best_app`: `app`/`application`, the default export, a single app export, then a factory. */
export async function findBestApp(mod: Record<string, unknown>, file: string): Promise<Phial> {
  for (const key of ['app', 'application', 'default']) {
    const v = mod[key];
    if (isPhialApp(v)) return v;
  }
  const apps = Object.entries(mod).filter(([, v]) => isPhialApp(v));
  if (apps.length === 1) return apps[0]?.[1] as Phial;
  if (apps.length > 1) {
    throw new NoAppException(
      `Detected multiple Phial applications in module '${file}' (${apps.map(([k]) => k).join(', ')}). Use '--app ${path.basename(file)}:name' to specify the correct one.`,
    );
  }
  for (const key of ['createApp', 'makeApp', 'create_app', 'make_app']) {
    const v = mod[key];
    if (typeof v === 'function') return callFactory(v as (...a: unknown[]) => unknown, [], `${key}()`, file);
  }
  const def = mod.default;
  if (typeof def === 'function' && !isPhialApp(def) && def.length === 0 && !/^class\b/.test(String(def))) {
    // `export default function createApp() {...}`
    return callFactory(def as (...a: unknown[]) => unknown, [], 'default()', file);
  }
  throw new NoAppException(
    `Failed to find a Phial application or factory in module '${file}'. Export 'app' (or a default export), or a 'createApp()' factory, or use '--app ${path.basename(file)}:name'.`,
  );
}

/** Picks `name` (or calls it with `args`) from a module. */
async function findAppByName(mod: Record<string, unknown>, spec: AppSpec, file: string): Promise<Phial> {
  const name = spec.name as string;
  if (!(name in mod)) {
    throw new NoAppException(`Failed to find attribute '${name}' in '${file}'.`);
  }
  const v = mod[name];
  if (spec.args !== null) {
    if (typeof v !== 'function') {
      throw new NoAppException(`'${name}' in '${file}' is ${describe(v)}, not a function to call.`);
    }
    return callFactory(v as (...a: unknown[]) => unknown, spec.args, `${name}(...)`, file);
  }
  if (isPhialApp(v)) return v;
  if (typeof v === 'function') return callFactory(v as (...a: unknown[]) => unknown, [], `${name}()`, file);
  throw new NoAppException(
    `A valid Phial application was not obtained from '${file}:${name}' (it is ${describe(v)}).`,
  );
}

/** Imports `file`; errors while importing name the file and keep the cause. */
async function importApp(file: string): Promise<Record<string, unknown>> {
  try {
    return await importFile(file);
  } catch (e) {
    const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
    throw new NoAppException(`While importing '${file}', an error was raised:\n\n${msg}`, { cause: e });
  }
}

/** Where an app would be loaded from, found without importing anything. */
export interface AppLocation {
  file: string;
  /** The parsed `--app` text, or null when a default file was found. */
  spec: AppSpec | null;
  importPath: string;
}

/** Resolves the module file of `appSpec` (or a default file in `cwd`). Throws NoAppException naming what was tried. */
export function resolveAppFile(appSpec: string | null | undefined, cwd = process.cwd()): AppLocation {
  if (appSpec) {
    const spec = parseAppSpec(appSpec);
    const tried = moduleCandidates(spec.module, cwd);
    const file = tried.find(isFile);
    if (file === undefined) {
      throw new NoAppException(
        `Could not import '${spec.module}': no such module. Tried:\n${tried.map((t) => `  ${t}`).join('\n')}`,
      );
    }
    return { file, spec, importPath: appSpec };
  }
  for (const rel of DEFAULT_APP_FILES) {
    const file = path.join(cwd, rel);
    if (existsSync(file) && isFile(file)) {
      return { file, spec: null, importPath: rel.replace(/\.[cm]?[jt]sx?$/, '') };
    }
  }
  throw new NoAppException(
    `Could not locate a Phial application. Use the 'phial --app' option, the 'PHIAL_APP' environment variable, or an 'app.ts', 'app.js' or 'wsgi.ts' file in the current directory (looked in '${cwd}' for: ${DEFAULT_APP_FILES.join(', ')}).`,
  );
}

/**
 * Finds and loads the app: `appSpec` (from `--app` or `PHIAL_APP`), else the default files in `cwd`.
 * Throws NoAppException naming what was tried.
 */
export async function locateApp(appSpec: string | null | undefined, cwd = process.cwd()): Promise<LoadedApp> {
  const loc = resolveAppFile(appSpec, cwd);
  const mod = await importApp(loc.file);
  const spec = loc.spec;
  const app =
    spec === null || spec.name === null
      ? await findBestApp(mod, loc.file)
      : await findAppByName(mod, spec, loc.file);
  return { app, file: loc.file, importPath: loc.importPath };
}
