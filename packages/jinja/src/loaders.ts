/**
 * Template loaders: where template source comes from and how the environment learns it changed.
 */
import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import { TemplateNotFound } from './errors.js';
import type { PrecompiledTemplate } from './precompiled.js';

/**
 * Node's `fs`/`path`, loaded on first use (`process.getBuiltinModule`): the engine itself runs where
 * there is no file system (Cloudflare Workers, browsers); only FileSystemLoader needs them.
 */
function nodeModule<T>(id: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const mod = typeof get === 'function' ? (get(id) as T | undefined) : undefined;
  if (mod === undefined) throw new Error(`FileSystemLoader needs Node's ${id}, which this runtime lacks`);
  return mod;
}
const fs = (): typeof NodeFs => nodeModule<typeof NodeFs>('node:fs');
const path = (): typeof NodePath => nodeModule<typeof NodePath>('node:path');

/** The platform's path separator ('/' where there is no Node). */
function pathSep(): string {
  const p = (globalThis as { process?: { platform?: string } }).process;
  return p?.platform === 'win32' ? '\\' : '/';
}

/** What a loader returns for one template. */
export interface TemplateSource {
  source: string;
  /** A file path (for error messages), or null. */
  filename: string | null;
  /** Returns false once the source changed; null means "always up to date". */
  uptodate: (() => boolean) | null;
  /** A precompiled template (from a ModuleLoader): used instead of compiling `source`. */
  compiled?: PrecompiledTemplate;
}

/** Base class of every loader: implement `getSource`. */
export abstract class BaseLoader {
  /** Whether `listTemplates` is supported. */
  hasSourceAccess = true;
  /** Looks a template up; throws TemplateNotFound when missing. `env` is the asking environment. */
  abstract getSource(env: unknown, name: string): TemplateSource;
  /** Names of every template this loader can find (when supported). */
  listTemplates(): string[] {
    throw new TypeError('this loader cannot iterate over all templates');
  }
}

/** Splits a template name into path segments, refusing `..` escapes (Jinja's split_template_path). */
export function splitTemplatePath(template: string): string[] {
  const sep = pathSep();
  const pieces: string[] = [];
  for (const piece of template.split('/')) {
    if (piece.includes(sep) || (sep !== '/' && piece.includes('/')) || piece === '..') {
      throw new TemplateNotFound(template);
    }
    if (piece && piece !== '.') pieces.push(piece);
  }
  return pieces;
}

function mtimeOf(path: string): number | null {
  try {
    return fs().statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The text encodings a template file may be read in (node's names; no `@types/node` needed to use them). */
export type TemplateEncoding =
  | 'utf8'
  | 'utf-8'
  | 'utf16le'
  | 'utf-16le'
  | 'latin1'
  | 'ascii'
  | 'ucs2'
  | 'ucs-2';

/** Loads templates from one or more folders; reloads when a file's modification time changes. */
export class FileSystemLoader extends BaseLoader {
  readonly searchpath: string[];
  readonly encoding: TemplateEncoding;
  /** Whether `listTemplates` descends into symlinked folders (as Jinja's `followlinks`). */
  readonly followLinks: boolean;

  constructor(
    searchpath: string | readonly string[],
    opts: { encoding?: TemplateEncoding; followLinks?: boolean } = {},
  ) {
    super();
    this.searchpath = (typeof searchpath === 'string' ? [searchpath] : [...searchpath]).map((p) =>
      path().resolve(p),
    );
    this.encoding = opts.encoding ?? 'utf8';
    this.followLinks = opts.followLinks ?? false;
  }

  getSource(_env: unknown, template: string): TemplateSource {
    const pieces = splitTemplatePath(template);
    for (const base of this.searchpath) {
      const filename = path().join(base, ...pieces);
      let source: string;
      let mtime: number;
      try {
        const st = fs().statSync(filename);
        if (!st.isFile()) continue;
        mtime = st.mtimeMs;
        source = fs().readFileSync(filename, this.encoding);
      } catch {
        continue;
      }
      return { source, filename, uptodate: () => mtimeOf(filename) === mtime };
    }
    throw new TemplateNotFound(template);
  }

  override listTemplates(): string[] {
    const found = new Set<string>();
    const walk = (dir: string, prefix: string) => {
      let entries: NodeFs.Dirent[];
      try {
        entries = fs().readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        let isDir = e.isDirectory();
        if (e.isSymbolicLink()) {
          try {
            isDir = fs().statSync(path().join(dir, e.name)).isDirectory();
          } catch {
            continue;
          }
          // like os.walk: symlinked folders are entered only with followLinks
          if (isDir && !this.followLinks) continue;
        }
        if (isDir) walk(path().join(dir, e.name), rel);
        else found.add(rel);
      }
    };
    for (const base of this.searchpath) walk(base, '');
    return [...found].sort();
  }
}

/** Templates from an object or Map of name → source (always up to date unless the entry changes). */
export class DictLoader extends BaseLoader {
  readonly mapping: Record<string, string> | Map<string, string>;
  constructor(mapping: Record<string, string> | Map<string, string>) {
    super();
    this.mapping = mapping;
  }
  private get(name: string): string | undefined {
    if (this.mapping instanceof Map) return this.mapping.get(name);
    return Object.hasOwn(this.mapping, name) ? this.mapping[name] : undefined;
  }
  getSource(_env: unknown, template: string): TemplateSource {
    const source = this.get(template);
    if (source === undefined) throw new TemplateNotFound(template);
    return { source, filename: null, uptodate: () => this.get(template) === source };
  }
  override listTemplates(): string[] {
    return [...(this.mapping instanceof Map ? this.mapping.keys() : Object.keys(this.mapping))].sort();
  }
}

/** What a FunctionLoader's function may return. */
export type FunctionLoaderResult =
  | string
  | { source: string; filename?: string | null; uptodate?: (() => boolean) | null }
  | [string, string | null, (() => boolean) | null]
  | null
  | undefined;

/** Templates produced by a function of the name (null/undefined means not found). */
export class FunctionLoader extends BaseLoader {
  constructor(readonly loadFunc: (name: string) => FunctionLoaderResult) {
    super();
  }
  getSource(_env: unknown, template: string): TemplateSource {
    const rv = this.loadFunc(template);
    if (rv === null || rv === undefined) throw new TemplateNotFound(template);
    if (typeof rv === 'string') return { source: rv, filename: null, uptodate: null };
    if (Array.isArray(rv)) return { source: rv[0], filename: rv[1] ?? null, uptodate: rv[2] ?? null };
    return { source: rv.source, filename: rv.filename ?? null, uptodate: rv.uptodate ?? null };
  }
}

/** Routes `prefix/name` to the loader registered for `prefix`. */
export class PrefixLoader extends BaseLoader {
  constructor(
    readonly mapping: Record<string, BaseLoader>,
    readonly delimiter = '/',
  ) {
    super();
  }
  private getLoader(template: string): [BaseLoader, string] {
    const i = template.indexOf(this.delimiter);
    if (i === -1) throw new TemplateNotFound(template);
    const prefix = template.slice(0, i);
    const name = template.slice(i + this.delimiter.length);
    const loader = Object.hasOwn(this.mapping, prefix) ? this.mapping[prefix] : undefined;
    if (!loader) throw new TemplateNotFound(template);
    return [loader, name];
  }
  getSource(env: unknown, template: string): TemplateSource {
    const [loader, name] = this.getLoader(template);
    try {
      return loader.getSource(env, name);
    } catch (e) {
      if (e instanceof TemplateNotFound) throw new TemplateNotFound(template);
      throw e;
    }
  }
  override listTemplates(): string[] {
    const out: string[] = [];
    for (const [prefix, loader] of Object.entries(this.mapping)) {
      for (const t of loader.listTemplates()) out.push(prefix + this.delimiter + t);
    }
    return out;
  }
}

/** Tries several loaders in order. */
export class ChoiceLoader extends BaseLoader {
  constructor(readonly loaders: BaseLoader[]) {
    super();
  }
  getSource(env: unknown, template: string): TemplateSource {
    for (const loader of this.loaders) {
      try {
        return loader.getSource(env, template);
      } catch (e) {
        if (!(e instanceof TemplateNotFound)) throw e;
      }
    }
    throw new TemplateNotFound(template);
  }
  override listTemplates(): string[] {
    const s = new Set<string>();
    for (const l of this.loaders) for (const t of l.listTemplates()) s.add(t);
    return [...s].sort();
  }
}
