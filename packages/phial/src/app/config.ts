/**
 * `app.config` (Flask's `Config`): Flask's keys with Flask's defaults as plain properties, plus the loaders
 * Flask offers (object, JSON file, env var naming a file, prefixed env vars, mapping).
 */
import { isAbsolute, join } from 'node:path';
import { nodeFs, workingDirectory } from '../http/node-builtins.js';
import type { ProxyFixOptions } from '../http/request.js';

/** A secret used to sign cookies: text or raw bytes. */
export type SecretKey = string | Uint8Array;

/** Flask's configuration keys and their types (durations in seconds, Flask's `None` is `null`). */
export interface BuiltinConfigValues {
  DEBUG: boolean;
  TESTING: boolean;
  PROPAGATE_EXCEPTIONS: boolean | null;
  SECRET_KEY: SecretKey | null;
  SECRET_KEY_FALLBACKS: SecretKey[] | null;
  PERMANENT_SESSION_LIFETIME: number;
  USE_X_SENDFILE: boolean;
  TRUSTED_HOSTS: string[] | null;
  SERVER_NAME: string | null;
  APPLICATION_ROOT: string;
  SESSION_COOKIE_NAME: string;
  SESSION_COOKIE_DOMAIN: string | null;
  SESSION_COOKIE_PATH: string | null;
  SESSION_COOKIE_HTTPONLY: boolean;
  SESSION_COOKIE_SECURE: boolean;
  SESSION_COOKIE_PARTITIONED: boolean;
  SESSION_COOKIE_SAMESITE: 'Strict' | 'Lax' | 'None' | null;
  SESSION_REFRESH_EACH_REQUEST: boolean;
  MAX_CONTENT_LENGTH: number | null;
  MAX_FORM_MEMORY_SIZE: number | null;
  MAX_FORM_PARTS: number | null;
  /** Bytes of one body held in memory (JSON, raw data; a multipart body's fields and small files): 413 beyond. */
  MAX_BODY_MEMORY_SIZE: number | null;
  /** An uploaded file larger than this is written to a temporary file (removed after the request). */
  MAX_FILE_MEMORY_SIZE: number | null;
  /** Slow-body guard window in seconds (0 or null: off). */
  BODY_TIMEOUT: number | null;
  /** Bytes per second a body must average over each `BODY_TIMEOUT` window, else 408. */
  BODY_MIN_RATE: number | null;
  SEND_FILE_MAX_AGE_DEFAULT: number | null;
  TRAP_BAD_REQUEST_ERRORS: boolean | null;
  TRAP_HTTP_EXCEPTIONS: boolean;
  EXPLAIN_TEMPLATE_LOADING: boolean;
  PREFERRED_URL_SCHEME: string;
  TEMPLATES_AUTO_RELOAD: boolean | null;
  MAX_COOKIE_SIZE: number;
  PROVIDE_AUTOMATIC_OPTIONS: boolean;
  /**
   * The proxies in front of the app, per `X-Forwarded-*` header (Werkzeug's `ProxyFix`): `{ xFor: 1, xProto:
   * 1 }` behind one proxy that sets both. Null (default): the headers are ignored. Applies to every request,
   * WebSocket upgrades included.
   */
  PROXY_FIX: ProxyFixOptions | null;
  /**
   * The header a proxy or load balancer in front sets to a request ID (`request.id` keeps it when it is a
   * plain token; the access log writes it). Default `'X-Request-ID'`; null: every request gets a new UUID.
   */
  REQUEST_ID_HEADER: string | null;
}

/**
 * The configuration's keys: Flask's (`BuiltinConfigValues`) and yours. Augment it to type your own:
 * `declare module 'phial' { interface ConfigValues { MAX_CLIENTS: number } }`.
 */
export interface ConfigValues extends BuiltinConfigValues {
  /** Your own keys (Flask only loads upper-case ones through fromObject/fromMapping/fromFile). */
  [key: string]: unknown;
}

/** A fresh copy of Flask 3.1's `default_config` (DEBUG is `false` rather than Flask's unset `None`). */
export function defaultConfig(): BuiltinConfigValues {
  return {
    DEBUG: false,
    TESTING: false,
    PROPAGATE_EXCEPTIONS: null,
    SECRET_KEY: null,
    SECRET_KEY_FALLBACKS: null,
    PERMANENT_SESSION_LIFETIME: 31 * 24 * 3600,
    USE_X_SENDFILE: false,
    TRUSTED_HOSTS: null,
    SERVER_NAME: null,
    APPLICATION_ROOT: '/',
    SESSION_COOKIE_NAME: 'session',
    SESSION_COOKIE_DOMAIN: null,
    SESSION_COOKIE_PATH: null,
    SESSION_COOKIE_HTTPONLY: true,
    SESSION_COOKIE_SECURE: false,
    SESSION_COOKIE_PARTITIONED: false,
    SESSION_COOKIE_SAMESITE: null,
    SESSION_REFRESH_EACH_REQUEST: true,
    MAX_CONTENT_LENGTH: null,
    MAX_FORM_MEMORY_SIZE: 500_000,
    MAX_FORM_PARTS: 1_000,
    MAX_BODY_MEMORY_SIZE: 4 * 1024 * 1024,
    MAX_FILE_MEMORY_SIZE: 512 * 1024,
    BODY_TIMEOUT: 20,
    BODY_MIN_RATE: 500,
    SEND_FILE_MAX_AGE_DEFAULT: null,
    TRAP_BAD_REQUEST_ERRORS: null,
    TRAP_HTTP_EXCEPTIONS: false,
    EXPLAIN_TEMPLATE_LOADING: false,
    PREFERRED_URL_SCHEME: 'http',
    TEMPLATES_AUTO_RELOAD: null,
    MAX_COOKIE_SIZE: 4093,
    PROVIDE_AUTOMATIC_OPTIONS: true,
    PROXY_FIX: null,
    REQUEST_ID_HEADER: 'X-Request-ID',
  };
}

/** Python's `str.isupper()`: at least one cased letter and no lower-case one (`DEBUG`, `A_1`; not `_`). */
export function isUpperKey(key: string): boolean {
  return key !== key.toLowerCase() && key === key.toUpperCase();
}

/** Options of `fromFile`. */
export interface FromFileOptions {
  /** Missing file (or a directory) returns false instead of throwing. */
  silent?: boolean;
}

/** Options of `fromEnvVar`. */
export interface FromEnvVarOptions extends FromFileOptions {
  /** Parser of the file's text (default `JSON.parse`). */
  load?: (text: string) => unknown;
}

/** Options of `fromPrefixedEnv`. */
export interface FromPrefixedEnvOptions {
  /** Parser tried on each value; a value it rejects stays a string (default `JSON.parse`). */
  loads?: (text: string) => unknown;
  /** The environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of `getNamespace`. */
export interface GetNamespaceOptions {
  /** Lower-case the returned keys (default true). */
  lowercase?: boolean;
  /** Drop the prefix from the returned keys (default true). */
  trimNamespace?: boolean;
}

const METHOD_NAMES = new Set<string>();

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * `app.config` has every key of `ConfigValues`, including keys an app adds by augmenting it:
 * `declare module 'phial' { interface ConfigValues { MAX_CLIENTS: number } }` types `app.config.MAX_CLIENTS`.
 */
export interface Config extends ConfigValues {}

/**
 * The configuration: values are plain own properties (`config.DEBUG`, `config['MY_KEY']`), methods load
 * them. Relative file paths resolve against `rootPath` (the app's root).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class Config implements ConfigValues {
  declare DEBUG: boolean;
  declare TESTING: boolean;
  declare PROPAGATE_EXCEPTIONS: boolean | null;
  declare SECRET_KEY: SecretKey | null;
  declare SECRET_KEY_FALLBACKS: SecretKey[] | null;
  declare PERMANENT_SESSION_LIFETIME: number;
  declare USE_X_SENDFILE: boolean;
  declare TRUSTED_HOSTS: string[] | null;
  declare SERVER_NAME: string | null;
  declare APPLICATION_ROOT: string;
  declare SESSION_COOKIE_NAME: string;
  declare SESSION_COOKIE_DOMAIN: string | null;
  declare SESSION_COOKIE_PATH: string | null;
  declare SESSION_COOKIE_HTTPONLY: boolean;
  declare SESSION_COOKIE_SECURE: boolean;
  declare SESSION_COOKIE_PARTITIONED: boolean;
  declare SESSION_COOKIE_SAMESITE: 'Strict' | 'Lax' | 'None' | null;
  declare SESSION_REFRESH_EACH_REQUEST: boolean;
  declare MAX_CONTENT_LENGTH: number | null;
  declare MAX_FORM_MEMORY_SIZE: number | null;
  declare MAX_FORM_PARTS: number | null;
  declare MAX_BODY_MEMORY_SIZE: number | null;
  declare MAX_FILE_MEMORY_SIZE: number | null;
  declare BODY_TIMEOUT: number | null;
  declare BODY_MIN_RATE: number | null;
  declare SEND_FILE_MAX_AGE_DEFAULT: number | null;
  declare TRAP_BAD_REQUEST_ERRORS: boolean | null;
  declare TRAP_HTTP_EXCEPTIONS: boolean;
  declare EXPLAIN_TEMPLATE_LOADING: boolean;
  declare PREFERRED_URL_SCHEME: string;
  declare TEMPLATES_AUTO_RELOAD: boolean | null;
  declare MAX_COOKIE_SIZE: number;
  declare PROVIDE_AUTOMATIC_OPTIONS: boolean;
  declare PROXY_FIX: ProxyFixOptions | null;
  declare REQUEST_ID_HEADER: string | null;
  [key: string]: unknown;

  /** Where relative `fromFile` paths start (not a config key: non-enumerable). */
  declare readonly rootPath: string;

  /** Starts from Flask's defaults, then `defaults` on top. */
  constructor(rootPath: string = workingDirectory(), defaults?: Partial<ConfigValues> | null) {
    Object.defineProperty(this, 'rootPath', { value: rootPath, enumerable: false, writable: true });
    Object.assign(this, defaultConfig());
    if (defaults) for (const k of Object.keys(defaults)) this.setKey(k, defaults[k]);
  }

  /** Sets one key, refusing names that would hide a Config method. */
  private setKey(key: string, value: unknown): void {
    if (METHOD_NAMES.has(key))
      throw new TypeError(`Config key ${JSON.stringify(key)} would hide a Config method`);
    Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
  }

  /** The value of `key`, or `defaultValue` (also what templates' `config['KEY']` reads). */
  get<K extends keyof ConfigValues & string>(key: K): ConfigValues[K];
  get(key: string, defaultValue?: unknown): unknown;
  get(key: string, defaultValue?: unknown): unknown {
    return Object.hasOwn(this, key) ? this[key] : defaultValue;
  }

  /** Sets a key (same as assigning the property). */
  set(key: string, value: unknown): this {
    this.setKey(key, value);
    return this;
  }

  has(key: string): boolean {
    return Object.hasOwn(this, key);
  }

  /** The configured keys. */
  keys(): string[] {
    return Object.keys(this);
  }

  /** `[key, value]` pairs. */
  entries(): [string, unknown][] {
    return Object.entries(this);
  }

  /** Same as `entries()` (Python's `dict.items()`, for templates written for Flask). */
  items(): [string, unknown][] {
    return Object.entries(this);
  }

  /** The values. */
  values(): unknown[] {
    return Object.values(this);
  }

  /** Sets every key of `mapping` (no upper-case filter, like `dict.update`):
   *  `app.config.update({ SECRET_KEY: '...', DEBUG: true })`. */
  update(mapping: Readonly<Record<string, unknown>> | Iterable<readonly [string, unknown]>): this {
    if (typeof (mapping as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const [k, v] of mapping as Iterable<readonly [string, unknown]>) this.setKey(k, v);
    } else {
      const rec = mapping as Readonly<Record<string, unknown>>;
      for (const k of Object.keys(rec)) this.setKey(k, rec[k]);
    }
    return this;
  }

  /** The value of `key`, storing `value` first when the key is missing. */
  setDefault(key: string, value: unknown): unknown {
    if (!Object.hasOwn(this, key)) this.setKey(key, value);
    return this[key];
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    if (!Object.hasOwn(this, key)) return false;
    return delete this[key];
  }

  /** A plain copy of the values. */
  toObject(): Record<string, unknown> {
    return { ...this };
  }

  /** Copies the upper-case attributes of an object, a class (its statics) or an instance (its own and
   *  inherited properties, getters included), like Flask's `from_object`. */
  fromObject(obj: object): true {
    if (!isObject(obj) && typeof obj !== 'function') {
      throw new TypeError('fromObject expects an object or a class');
    }
    const seen = new Set<string>();
    let cur: object | null = obj;
    while (cur !== null && cur !== Object.prototype && cur !== Function.prototype) {
      for (const key of Object.getOwnPropertyNames(cur)) {
        if (seen.has(key) || !isUpperKey(key)) continue;
        seen.add(key);
        this.setKey(key, (obj as Record<string, unknown>)[key]);
      }
      cur = Object.getPrototypeOf(cur) as object | null;
    }
    return true;
  }

  /** Loads a file through `load` (default `JSON.parse` of its text), synchronously, and applies the result
   *  with `fromMapping` (upper-case keys only). `silent` turns a missing file into `false`. */
  fromFile(
    path: string,
    load: (text: string) => unknown = JSON.parse,
    options: FromFileOptions = {},
  ): boolean {
    const file = isAbsolute(path) ? path : join(this.rootPath, path);
    let text: string;
    try {
      text = nodeFs().readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (options.silent && (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')) return false;
      const err = new Error(`Unable to load configuration file (${(e as Error).message})`);
      (err as NodeJS.ErrnoException).code = code;
      throw err;
    }
    const obj = load(text);
    if (!isObject(obj) || Array.isArray(obj)) {
      throw new TypeError(`Configuration file ${JSON.stringify(file)} did not load to an object`);
    }
    return this.fromMapping(obj);
  }

  /** Loads the file named by environment variable `name` with `fromFile`. An unset variable throws (or
   *  returns false when `silent`). */
  fromEnvVar(name: string, options: FromEnvVarOptions = {}): boolean {
    const path = process.env[name];
    if (!path) {
      if (options.silent) return false;
      throw new Error(
        `The environment variable ${JSON.stringify(name)} is not set and as such configuration could not be loaded. Set this variable and make it point to a configuration file`,
      );
    }
    return this.fromFile(path, options.load ?? JSON.parse, { silent: options.silent ?? false });
  }

  /** Loads every `PREFIX_*` environment variable (sorted), the prefix removed, the value parsed with
   *  `loads` (JSON) when it parses and kept as a string otherwise; `__` in a name sets a nested key
   *  (`PHIAL_DB__HOST` → `config.DB.HOST`). Keys are taken as written (no upper-case filter, as Flask). */
  fromPrefixedEnv(prefix = 'PHIAL', options: FromPrefixedEnvOptions = {}): true {
    const loads = options.loads ?? JSON.parse;
    const env = options.env ?? process.env;
    const full = `${prefix}_`;
    for (const envKey of Object.keys(env).sort()) {
      if (!envKey.startsWith(full)) continue;
      const raw = env[envKey];
      if (raw === undefined) continue;
      const key = envKey.slice(full.length);
      let value: unknown = raw;
      try {
        value = loads(raw);
      } catch {
        // not parseable: keep the string
      }
      // an integer past 2^53 would lose digits as a number (a token, an account id): Python keeps it exact,
      // here the text is kept
      if (typeof value === 'number' && !Number.isSafeInteger(value) && /^\s*-?\d+\s*$/.test(raw)) value = raw;
      if (!key.includes('__')) {
        this.setKey(key, value);
        continue;
      }
      const parts = key.split('__');
      const tail = parts.pop() as string;
      const head = parts.shift() as string;
      if (!Object.hasOwn(this, head)) this.setKey(head, {});
      let current = this[head];
      for (const part of parts) {
        if (!isObject(current))
          throw new TypeError(`Config key ${JSON.stringify(envKey)}: ${part} is not an object`);
        if (!Object.hasOwn(current, part)) {
          Object.defineProperty(current, part, {
            value: {},
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        current = current[part];
      }
      if (!isObject(current))
        throw new TypeError(`Config key ${JSON.stringify(envKey)}: cannot nest into a non-object`);
      Object.defineProperty(current, tail, { value, enumerable: true, writable: true, configurable: true });
    }
    return true;
  }

  /** Copies the upper-case keys of `mapping` (an object, a Map or pairs) and then of `extra`. */
  fromMapping(
    mapping?: Readonly<Record<string, unknown>> | Iterable<readonly [string, unknown]> | null,
    extra?: Readonly<Record<string, unknown>>,
  ): true {
    const pairs: [string, unknown][] = [];
    if (mapping != null) {
      if (typeof (mapping as Iterable<unknown>)[Symbol.iterator] === 'function') {
        for (const [k, v] of mapping as Iterable<readonly [string, unknown]>) pairs.push([k, v]);
      } else {
        for (const k of Object.keys(mapping)) pairs.push([k, (mapping as Record<string, unknown>)[k]]);
      }
    }
    if (extra) for (const k of Object.keys(extra)) pairs.push([k, extra[k]]);
    for (const [k, v] of pairs) if (isUpperKey(k)) this.setKey(k, v);
    return true;
  }

  /** The keys that start with `prefix` (`'IMAGE_STORE_'`), prefix trimmed and lower-cased by default:
   *  handy to pass a group of settings to a library. */
  getNamespace(prefix: string, options: GetNamespaceOptions = {}): Record<string, unknown> {
    const lowercase = options.lowercase ?? true;
    const trim = options.trimNamespace ?? true;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(this)) {
      if (!k.startsWith(prefix)) continue;
      let key = trim ? k.slice(prefix.length) : k;
      if (lowercase) key = key.toLowerCase();
      Object.defineProperty(out, key, {
        value: this[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  toString(): string {
    return `<Config ${JSON.stringify(this.toObject(), (_k, v: unknown) => (v instanceof Uint8Array ? '<bytes>' : v))}>`;
  }
}

for (const name of Object.getOwnPropertyNames(Config.prototype)) METHOD_NAMES.add(name);
METHOD_NAMES.add('rootPath');
for (const name of Object.getOwnPropertyNames(Object.prototype)) METHOD_NAMES.add(name);
