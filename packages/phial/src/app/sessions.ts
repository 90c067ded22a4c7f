/**
 * Sessions: Flask's signed-cookie session, readable by Flask with the same SECRET_KEY and vice versa.
 *
 * The cookie is itsdangerous' `URLSafeTimedSerializer` output (salt `cookie-session`, HMAC-SHA1 key
 * derivation "hmac") over Flask's tagged JSON. Anything wrong with a cookie (bad signature, expired,
 * future-dated, undecodable) opens an empty session: a client can never turn its cookie into an error.
 */

import type { Response } from '../http/response.js';
import { type SecretKey, type TextSerializer, URLSafeTimedSerializer } from '../http/signing.js';
import type { Phial } from './phial.js';
import type { Request } from './request.js';
import { sessionJsonSerializer } from './tag.js';

/**
 * The shape of session data. Augment it to type your keys:
 * `declare module 'phial' { interface SessionData { userId?: number } }`.
 */
export interface SessionData {
  [key: string]: unknown;
}

type Key<D> = keyof D & string;
/** A declared key's type without `undefined`; undeclared keys stay `unknown`. */
type DefinedValue<V> = unknown extends V ? unknown : NonNullable<V>;

/**
 * A request's session: a Map-backed dictionary that tracks whether it was read (`accessed`, which adds
 * `Vary: Cookie`) and written (`modified`, which re-sends the cookie). Changing a nested object in place
 * is not seen: set `session.modified = true` then, as in Flask.
 */
export class Session<D extends SessionData = SessionData> {
  readonly #data: Map<string, unknown>;
  /** True when the session changed and the cookie must be written again. Settable, as in Flask. */
  modified = false;
  /** True when the session was read or written during the request; the response then varies on Cookie. */
  accessed = false;
  /** True when no valid session came with the request. */
  isNew: boolean;
  /** @internal the verified cookie payload this session was loaded from (re-signed as is when unmodified). */
  _payload: string | null = null;

  constructor(
    initial?: Iterable<readonly [string, unknown]> | Record<string, unknown> | null,
    isNew = false,
  ) {
    this.#data = new Map();
    if (initial) {
      if (Symbol.iterator in initial) {
        for (const [k, v] of initial as Iterable<readonly [string, unknown]>) this.#data.set(k, v);
      } else {
        for (const k of Object.keys(initial)) this.#data.set(k, (initial as Record<string, unknown>)[k]);
      }
    }
    this.isNew = isNew;
  }

  /** The value of `key`, or `defaultValue` when it is not set. */
  get<K extends Key<D>>(key: K): D[K] | undefined;
  get<K extends Key<D>>(key: K, defaultValue: NonNullable<D[K]>): DefinedValue<D[K]>;
  get<K extends Key<D>, T>(key: K, defaultValue: T): D[K] | T;
  get(key: string, defaultValue?: unknown): unknown {
    this.accessed = true;
    const v = this.#data.get(key);
    return v === undefined && !this.#data.has(key) ? defaultValue : v;
  }

  /** Stores a value (marks the session modified). */
  set<K extends Key<D>>(key: K, value: D[K]): this {
    this.accessed = true;
    this.modified = true;
    this.#data.set(key, value);
    return this;
  }

  /** True when `key` is set. */
  has(key: Key<D>): boolean {
    this.accessed = true;
    return this.#data.has(key);
  }

  /** Removes `key`; true when it was there. Marks the session modified, as Flask's `del` does. */
  delete(key: Key<D>): boolean {
    this.accessed = true;
    this.modified = true;
    return this.#data.delete(key);
  }

  /** Removes `key` and returns its value (or `defaultValue`); marks modified only when the key was there. */
  pop<K extends Key<D>>(key: K): D[K] | undefined;
  pop<K extends Key<D>, T>(key: K, defaultValue: T): D[K] | T;
  pop(key: string, defaultValue?: unknown): unknown {
    this.accessed = true;
    if (!this.#data.has(key)) return defaultValue;
    const v = this.#data.get(key);
    this.#data.delete(key);
    this.modified = true;
    return v;
  }

  /** Returns the value of `key`, storing `defaultValue` first when it is missing (Flask's `setdefault`). */
  setDefault<K extends Key<D>>(key: K, defaultValue: D[K]): D[K] {
    this.accessed = true;
    if (this.#data.has(key)) return this.#data.get(key) as D[K];
    this.#data.set(key, defaultValue);
    this.modified = true;
    return defaultValue;
  }

  /** Sets several keys at once. */
  update(values: Partial<D> | Iterable<readonly [string, unknown]>): this {
    this.accessed = true;
    this.modified = true;
    if (Symbol.iterator in values) {
      for (const [k, v] of values as Iterable<readonly [string, unknown]>) this.#data.set(k, v);
    } else {
      for (const k of Object.keys(values)) this.#data.set(k, (values as Record<string, unknown>)[k]);
    }
    return this;
  }

  /** Empties the session; the cookie is deleted when the response is saved. */
  clear(): void {
    this.accessed = true;
    this.modified = true;
    this.#data.clear();
  }

  /** The keys (including `_permanent` when the session is permanent). */
  keys(): IterableIterator<string> {
    this.accessed = true;
    return this.#data.keys();
  }

  /** The values. */
  values(): IterableIterator<unknown> {
    this.accessed = true;
    return this.#data.values();
  }

  /** The `[key, value]` pairs. */
  entries(): IterableIterator<[string, unknown]> {
    this.accessed = true;
    return this.#data.entries();
  }

  /** The `[key, value]` pairs as an array: Python's `dict.items()`, so Flask templates work unchanged. */
  items(): [string, unknown][] {
    this.accessed = true;
    return [...this.#data];
  }

  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }

  /** The number of keys. */
  get size(): number {
    this.accessed = true;
    return this.#data.size;
  }

  /** Whether the cookie outlives the browser session (PERMANENT_SESSION_LIFETIME); stored as `_permanent`. */
  get permanent(): boolean {
    this.accessed = true;
    return this.#data.get('_permanent') === true;
  }
  set permanent(value: boolean) {
    this.set('_permanent' as Key<D>, Boolean(value) as D[Key<D>]);
  }

  /** A plain object copy of the data (what the cookie stores). */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.#data)
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }

  /** JSON sees the data. */
  toJSON(): Record<string, unknown> {
    return this.toObject();
  }

  /** @internal the data without marking the session accessed. */
  _raw(): ReadonlyMap<string, unknown> {
    return this.#data;
  }
}

const NO_SECRET_KEY =
  'The session is unavailable because no secret key was set. Set SECRET_KEY on the app ' +
  "(app.secretKey = '...' or app.config.SECRET_KEY) to something unique and secret.";

/** The session of an app without SECRET_KEY: reading gives an empty session, writing throws a clear Error. */
export class NullSession<D extends SessionData = SessionData> extends Session<D> {
  constructor() {
    super(null, true);
  }

  #fail(): never {
    throw new Error(NO_SECRET_KEY);
  }

  override set<K extends Key<D>>(_key: K, _value: D[K]): this {
    this.#fail();
  }
  override delete(_key: Key<D>): boolean {
    this.#fail();
  }
  override pop(_key: string, _defaultValue?: unknown): never {
    this.#fail();
  }
  override setDefault<K extends Key<D>>(_key: K, _defaultValue: D[K]): D[K] {
    this.#fail();
  }
  override update(_values: Partial<D> | Iterable<readonly [string, unknown]>): this {
    this.#fail();
  }
  override clear(): void {
    this.#fail();
  }
  override set permanent(_value: boolean) {
    this.#fail();
  }
  override get permanent(): boolean {
    return false;
  }
}

/** What {@link SecureCookieSessionInterface} needs from the app (a `Phial` fits): its config. */
export interface SessionApp {
  readonly config: object;
}

/** What {@link SecureCookieSessionInterface} needs from the request (a `Request` fits): its cookies. */
export interface SessionRequest {
  readonly cookies: Record<string, string>;
}

/** What {@link SecureCookieSessionInterface} needs from the response (a `Response` fits). */
export interface SessionResponse {
  readonly headers: {
    get(name: string): string | null;
    set(name: string, value: string): unknown;
  };
  setCookie(name: string, value: string, options?: SessionCookieOptions): unknown;
  deleteCookie(name: string, options?: Omit<SessionCookieOptions, 'expires'>): unknown;
}

/** The cookie attributes a session interface sets. */
export interface SessionCookieOptions {
  expires?: Date | null;
  path?: string | null;
  domain?: string | null;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none' | null;
  partitioned?: boolean;
}

/**
 * How an app stores sessions (Flask's `SessionInterface`). Assign your own to `app.sessionInterface`
 * to keep sessions server-side. `openSession` is sync and lazy (first access); returning null means
 * "sessions unavailable" and the app uses a {@link NullSession}. `saveSession` runs after the
 * afterRequest hooks, only when the session was opened.
 */
export interface SessionInterface {
  openSession(app: Phial, req: Request): Session | null;
  saveSession(app: Phial, session: Session, response: Response): void;
}

/** True for the session of an app without a secret key (nothing is saved for it). */
export function isNullSession(session: Session): boolean {
  return session instanceof NullSession;
}

/** Adds `token` to the response's `Vary` header unless it is listed already (or `*`). */
export function addVary(headers: SessionResponse['headers'], token: string): void {
  const current = headers.get('Vary');
  if (!current) {
    headers.set('Vary', token);
    return;
  }
  const lower = token.toLowerCase();
  for (const part of current.split(',')) {
    const t = part.trim().toLowerCase();
    if (t === lower || t === '*') return;
  }
  headers.set('Vary', `${current}, ${token}`);
}

type Config = Record<string, unknown>;

function cfg(app: SessionApp): Config {
  return app.config as Config;
}

function setting<T>(config: Config, key: string, fallback: T): T {
  const v = config[key];
  return v === undefined ? fallback : (v as T);
}

interface CachedSerializer {
  secret: SecretKey;
  fallbacks: readonly SecretKey[];
  settings: string;
  serializer: URLSafeTimedSerializer<unknown>;
}

/** Browsers drop cookies larger than about 4 KB (Werkzeug warns from 4093 bytes). */
const MAX_COOKIE_SIZE = 4093;

function sameKeys(a: readonly SecretKey[], b: readonly SecretKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Flask's default: the whole session in a signed, timestamped cookie. The data is visible to the client
 * (base64 JSON) but cannot be changed without SECRET_KEY. Settings: SECRET_KEY, SECRET_KEY_FALLBACKS
 * (verify only), PERMANENT_SESSION_LIFETIME (seconds; the server rejects older cookies, permanent or
 * not), SESSION_COOKIE_NAME / DOMAIN / PATH / HTTPONLY / SECURE / SAMESITE / PARTITIONED,
 * SESSION_REFRESH_EACH_REQUEST.
 */
export class SecureCookieSessionInterface implements SessionInterface {
  /** The itsdangerous salt; Flask's value, so Flask reads the cookies. */
  salt = 'cookie-session';
  /** Digest of the signature and of the key derivation. */
  digestMethod = 'sha1';
  /** itsdangerous key derivation. */
  keyDerivation: 'hmac' | 'django-concat' | 'concat' | 'none' = 'hmac';
  /** How the data becomes text: Flask's tagged JSON. */
  serializer: TextSerializer = sessionJsonSerializer;
  /** Serializers per app, rebuilt when the keys or the settings above change. */
  readonly #cache = new WeakMap<object, CachedSerializer>();

  /** The serializer for the app's current keys, or null without SECRET_KEY. Cached per app and keys. */
  getSigningSerializer(app: SessionApp): URLSafeTimedSerializer<unknown> | null {
    const config = cfg(app);
    const secret = config.SECRET_KEY as SecretKey | null | undefined;
    if (secret === null || secret === undefined || secret.length === 0) return null;
    const rawFallbacks = config.SECRET_KEY_FALLBACKS;
    const fallbacks = Array.isArray(rawFallbacks) ? (rawFallbacks as SecretKey[]) : [];
    const settings = `${this.salt}|${this.digestMethod}|${this.keyDerivation}`;
    const cached = this.#cache.get(app);
    if (
      cached &&
      cached.secret === secret &&
      cached.settings === settings &&
      cached.serializer.serializer === this.serializer &&
      sameKeys(cached.fallbacks, fallbacks)
    ) {
      return cached.serializer;
    }
    const serializer = new URLSafeTimedSerializer<unknown>([...fallbacks, secret], {
      salt: this.salt,
      serializer: this.serializer,
      signer: { keyDerivation: this.keyDerivation, digestMethod: this.digestMethod },
    });
    this.#cache.set(app, { secret, fallbacks: [...fallbacks], settings, serializer });
    return serializer;
  }

  /** The cookie name (SESSION_COOKIE_NAME, default `session`). */
  getCookieName(app: SessionApp): string {
    return String(setting(cfg(app), 'SESSION_COOKIE_NAME', 'session'));
  }

  /** The cookie domain (SESSION_COOKIE_DOMAIN); null means host-only. */
  getCookieDomain(app: SessionApp): string | null {
    return setting<string | null>(cfg(app), 'SESSION_COOKIE_DOMAIN', null) || null;
  }

  /** The cookie path: SESSION_COOKIE_PATH, else APPLICATION_ROOT, else `/`. */
  getCookiePath(app: SessionApp): string {
    const config = cfg(app);
    return (
      (config.SESSION_COOKIE_PATH as string | null | undefined) ||
      (config.APPLICATION_ROOT as string | undefined) ||
      '/'
    );
  }

  /** SESSION_COOKIE_HTTPONLY (default true). */
  getCookieHttpOnly(app: SessionApp): boolean {
    return Boolean(setting(cfg(app), 'SESSION_COOKIE_HTTPONLY', true));
  }

  /** SESSION_COOKIE_SECURE (default false). */
  getCookieSecure(app: SessionApp): boolean {
    return Boolean(setting(cfg(app), 'SESSION_COOKIE_SECURE', false));
  }

  /** SESSION_COOKIE_SAMESITE (`'Lax'`, `'Strict'`, `'None'` or null). */
  getCookieSameSite(app: SessionApp): SessionCookieOptions['sameSite'] {
    return setting<SessionCookieOptions['sameSite']>(cfg(app), 'SESSION_COOKIE_SAMESITE', null) || null;
  }

  /** SESSION_COOKIE_PARTITIONED (default false). */
  getCookiePartitioned(app: SessionApp): boolean {
    return Boolean(setting(cfg(app), 'SESSION_COOKIE_PARTITIONED', false));
  }

  /** PERMANENT_SESSION_LIFETIME in seconds (default 31 days). */
  getLifetime(app: SessionApp): number {
    const v = Number(setting(cfg(app), 'PERMANENT_SESSION_LIFETIME', 2678400));
    return Number.isFinite(v) ? v : 2678400;
  }

  /** When a permanent session's cookie expires; null (a browser-session cookie) otherwise. */
  getExpirationTime(app: SessionApp, session: Session): Date | null {
    if (session._raw().get('_permanent') !== true) return null;
    return new Date(Date.now() + this.getLifetime(app) * 1000);
  }

  /** Whether to send the cookie: when modified, or for permanent sessions with SESSION_REFRESH_EACH_REQUEST. */
  shouldSetCookie(app: SessionApp, session: Session): boolean {
    if (session.modified) return true;
    return (
      session._raw().get('_permanent') === true &&
      Boolean(setting(cfg(app), 'SESSION_REFRESH_EACH_REQUEST', true))
    );
  }

  /** Loads the session from the request's cookie; a bad cookie gives an empty session, no SECRET_KEY gives null. */
  openSession(app: SessionApp, req: SessionRequest): Session | null {
    const serializer = this.getSigningSerializer(app);
    if (serializer === null) return null;
    const value = req.cookies[this.getCookieName(app)];
    if (!value) return new Session(null, true);
    try {
      const payload = serializer.signer.unsign(value, this.getLifetime(app));
      const data = serializer.loadPayload(payload);
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return new Session(null, true);
      const session = new Session(data as Record<string, unknown>);
      session._payload = payload;
      return session;
    } catch {
      // Tampered, expired, signed with another key, or not Flask's format: start afresh.
      return new Session(null, true);
    }
  }

  /** Writes (or deletes) the cookie and adds `Vary: Cookie` when the session was accessed. */
  saveSession(app: SessionApp, session: Session, response: SessionResponse): void {
    if (isNullSession(session)) return;
    const name = this.getCookieName(app);
    const domain = this.getCookieDomain(app);
    const path = this.getCookiePath(app);
    const secure = this.getCookieSecure(app);
    const partitioned = this.getCookiePartitioned(app);
    const sameSite = this.getCookieSameSite(app);
    const httpOnly = this.getCookieHttpOnly(app);

    if (session.accessed) addVary(response.headers, 'Cookie');

    if (session._raw().size === 0) {
      // An emptied session removes the cookie; an untouched empty one sends nothing.
      if (session.modified) {
        response.deleteCookie(name, { domain, path, secure, partitioned, sameSite, httpOnly });
        addVary(response.headers, 'Cookie');
      }
      return;
    }
    if (!this.shouldSetCookie(app, session)) return;
    const serializer = this.getSigningSerializer(app);
    if (serializer === null) return;
    const expires = this.getExpirationTime(app, session);
    // An unmodified session (a permanent one being refreshed) keeps its verified payload: only the
    // timestamp and signature are new, which saves serializing and compressing on every request.
    const payload = session.modified ? null : session._payload;
    const value = payload !== null ? serializer.signer.sign(payload) : serializer.dumps(session.toObject());
    if (name.length + value.length + 1 > MAX_COOKIE_SIZE) {
      const logger = (app as { logger?: { warn?(...args: unknown[]): void } }).logger;
      logger?.warn?.(
        `The '${name}' cookie is too large: the value is ${value.length} bytes, browsers may ignore cookies over ` +
          `${MAX_COOKIE_SIZE} bytes. Store less in the session (or keep the data on the server).`,
      );
    }
    response.setCookie(name, value, { expires, httpOnly, domain, path, secure, partitioned, sameSite });
    addVary(response.headers, 'Cookie');
  }
}
