/**
 * `LoginManager`: Flask-Login's role. It remembers who is logged in through the session (`_user_id`,
 * `_fresh`, `_id`, as Flask-Login stores them, so a session cookie shared with a Flask app keeps its user),
 * loads that user once per request, keeps an optional remember-me cookie, and protects the session against
 * being replayed from another client.
 *
 * Flask-Login loads the user lazily, on the first read of `current_user`, so the order of hooks never matters.
 * A user loader here may be async while `currentUser` is read synchronously, so the manager also loads the
 * user in a `beforeRequest` hook that it puts first (before hooks registered earlier): every hook and view
 * sees the user whatever the registration order. A read before that hook (a `urlValuePreprocessor`) loads it
 * then, which works when the loaders are sync.
 */
import { createHash } from 'node:crypto';
import {
  abort,
  currentApp,
  flash,
  g,
  hasRequestContext,
  type Phial,
  type Request,
  type Response,
  redirect,
  request,
  Signal,
  session,
  urlFor,
} from 'phial';
import { decodeRememberCookie, encodeRememberCookie } from './cookie.js';
import { AnonymousUser, type AppUser, type LoginUser } from './user.js';

/** Loads a user by the id stored in the session or the remember cookie; null for an unknown id. */
export type UserLoader = (id: string) => LoginUser | null | undefined | Promise<LoginUser | null | undefined>;
/** Loads a user from the request itself (an API key or bearer token); null when it names nobody. */
export type RequestLoader = (
  req: Request,
) => LoginUser | null | undefined | Promise<LoginUser | null | undefined>;
/** Answers a request that needs a login (or a fresh one) instead of the default redirect. */
export type UnauthorizedHandler = () => unknown;

/** Session protection: `'basic'` marks a session used from another client non-fresh; `'strong'` logs it out. */
export type SessionProtection = 'basic' | 'strong' | null;

/** Options of `new LoginManager(app?, options)`; each is also a property to set later. */
export interface LoginManagerOptions {
  loginView?: string | null;
  loginMessage?: string | null;
  loginMessageCategory?: string;
  refreshView?: string | null;
  needsRefreshMessage?: string | null;
  needsRefreshMessageCategory?: string;
  sessionProtection?: SessionProtection;
}

const SESSION_KEYS = ['_user_id', '_remember', '_remember_seconds', '_id', '_fresh', 'next'] as const;
const COOKIE_NAME = 'remember_token';
const DEFAULT_DURATION = 365 * 24 * 3600;
const EXTENSION_KEY = 'login';

/** Flask-Login's signals (sender: the app). */
export const userLoggedIn = new Signal<Phial, { user: AppUser }>('logged-in', 'A user logged in.');
/** Sent by `logoutUser`. */
export const userLoggedOut = new Signal<Phial, { user: AppUser | AnonymousUser }>(
  'logged-out',
  'A user logged out.',
);
/** Sent when the remember cookie restored a user. */
export const userLoadedFromCookie = new Signal<Phial, { user: AppUser }>('loaded-from-cookie');
/** Sent when the request loader found a user. */
export const userLoadedFromRequest = new Signal<Phial, { user: AppUser }>('loaded-from-request');
/** Sent by `confirmLogin` (a re-authenticated session). */
export const userLoginConfirmed = new Signal<Phial, Record<string, never>>('login-confirmed');
/** Sent when a view refused an anonymous user. */
export const userUnauthorized = new Signal<Phial, Record<string, never>>('unauthorized');
/** Sent when a view needed a fresh login. */
export const userNeedsRefresh = new Signal<Phial, Record<string, never>>('needs-refresh');
/** Sent when a session was used from another client (session protection). */
export const sessionProtected = new Signal<Phial, Record<string, never>>('session-protected');

const anonymous = new AnonymousUser();

/**
 * The request's user lives on `g` (per request, as Flask-Login keeps `g._login_user`); `_loginUserLoading` is
 * an async load under way, so that a second reader waits for it instead of loading again.
 */
type LoginG = { _loginUser?: AppUser | AnonymousUser; _loginUserLoading?: Promise<void> };
function setUser(user: AppUser | AnonymousUser): void {
  (g as unknown as LoginG)._loginUser = user;
}

type Loaded = LoginUser | null | undefined;

function isPromiseLike<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** `fn(value)` now for a plain value, after it settles for a promise: sync loaders keep the load sync. */
function then<T>(value: T | PromiseLike<T>, fn: (v: T) => void | Promise<void>): void | Promise<void> {
  return isPromiseLike(value) ? Promise.resolve(value).then(fn) : fn(value);
}

function sess(): {
  get(k: string): unknown;
  set(k: string, v: unknown): void;
  has(k: string): boolean;
  delete(k: string): void;
  size: number;
  permanent: boolean;
} {
  return session as unknown as ReturnType<typeof sess>;
}

/** The login extension. */
export class LoginManager {
  /** Endpoint of the login page (anonymous users of protected views are redirected there); null → 401. */
  loginView: string | null;
  /** Login views per blueprint name (Flask-Login's `blueprint_login_views`). */
  blueprintLoginViews: Record<string, string> = {};
  /** Flashed on that redirect; null flashes nothing. */
  loginMessage: string | null;
  loginMessageCategory: string;
  /** Endpoint for re-authentication (`freshLoginRequired`); null → 401. */
  refreshView: string | null;
  needsRefreshMessage: string | null;
  needsRefreshMessageCategory: string;
  sessionProtection: SessionProtection;
  /** The class of the anonymous user. */
  anonymousUser: new () => AnonymousUser = AnonymousUser;

  private userCallback: UserLoader | null = null;
  private requestCallback: RequestLoader | null = null;
  private unauthorizedCallback: UnauthorizedHandler | null = null;
  private needsRefreshCallback: UnauthorizedHandler | null = null;

  constructor(app?: Phial | null, options: LoginManagerOptions = {}) {
    this.loginView = options.loginView ?? null;
    this.loginMessage =
      options.loginMessage === undefined ? 'Please log in to access this page.' : options.loginMessage;
    this.loginMessageCategory = options.loginMessageCategory ?? 'message';
    this.refreshView = options.refreshView ?? null;
    this.needsRefreshMessage =
      options.needsRefreshMessage === undefined
        ? 'Please reauthenticate to access this page.'
        : options.needsRefreshMessage;
    this.needsRefreshMessageCategory = options.needsRefreshMessageCategory ?? 'message';
    this.sessionProtection = options.sessionProtection === undefined ? 'basic' : options.sessionProtection;
    if (app) this.initApp(app);
  }

  /**
   * Binds to `app`: loads the user before each request, writes the remember cookie after, `current_user` in
   * templates. The loading hook goes first among the app's `beforeRequest` hooks, even those registered
   * before this call, so that they see the user as Flask-Login's lazy `current_user` lets them.
   */
  initApp(app: Phial): void {
    app.extensions[EXTENSION_KEY] = this;
    const hook = app.beforeRequest((req: Request) => this.ensureUser(req));
    const hooks = app.beforeRequestFuncs.get(null);
    if (hooks !== undefined && hooks[0] !== hook) {
      hooks.splice(hooks.lastIndexOf(hook), 1);
      hooks.unshift(hook);
    }
    app.afterRequest((res: Response) => this.updateRememberCookie(res));
    app.contextProcessor(() => {
      const user = templateUser(this);
      return { current_user: user, currentUser: user };
    });
  }

  /** Sets the user loader (Flask-Login's `user_loader`). */
  userLoader<F extends UserLoader>(fn: F): F {
    this.userCallback = fn;
    return fn;
  }
  /** Sets the request loader (API keys, tokens). */
  requestLoader<F extends RequestLoader>(fn: F): F {
    this.requestCallback = fn;
    return fn;
  }
  /** Replaces the redirect/401 for anonymous users of protected views. */
  unauthorizedHandler<F extends UnauthorizedHandler>(fn: F): F {
    this.unauthorizedCallback = fn;
    return fn;
  }
  /** Replaces the redirect/401 for non-fresh sessions on `freshLoginRequired` views. */
  needsRefreshHandler<F extends UnauthorizedHandler>(fn: F): F {
    this.needsRefreshCallback = fn;
    return fn;
  }

  /** The answer for an anonymous user on a protected view: the handler, else a redirect to the login view, else 401. */
  unauthorized(): unknown {
    userUnauthorized.send(currentApp, {});
    if (this.unauthorizedCallback) return this.unauthorizedCallback();
    const bp = request.blueprint;
    const view = (bp !== null && this.blueprintLoginViews[bp]) || this.loginView;
    if (!view) abort(401);
    if (this.loginMessage) flash(this.loginMessage, this.loginMessageCategory);
    return redirect(this.redirectTarget(view));
  }

  /** The answer for a non-fresh session on a `freshLoginRequired` view. */
  needsRefresh(): unknown {
    userNeedsRefresh.send(currentApp, {});
    if (this.needsRefreshCallback) return this.needsRefreshCallback();
    if (!this.refreshView) abort(401);
    if (this.needsRefreshMessage) flash(this.needsRefreshMessage, this.needsRefreshMessageCategory);
    return redirect(this.redirectTarget(this.refreshView));
  }

  /** The login URL with `next` (or `session.next` with USE_SESSION_FOR_NEXT). */
  private redirectTarget(view: string): string {
    const current = nextParam(request);
    if (currentApp.config.USE_SESSION_FOR_NEXT) {
      sess().set('_id', sessionIdentifier(request));
      sess().set('next', current);
      return expandView(view);
    }
    return loginUrl(view, current);
  }

  /**
   * Loads the request's user: session, else remember cookie, else request loader (Flask-Login's order).
   * Sync when the loaders are, so that `currentUser` can load on first read; a promise when one is async.
   */
  loadUser(req: Request): void | Promise<void> {
    if (this.sessionProtectionFailed(req)) {
      setUser(new this.anonymousUser());
      return;
    }
    const s = sess();
    const userId = s.get('_user_id');
    const userCallback = this.userCallback;
    const fromSession: Loaded | Promise<Loaded> =
      typeof userId === 'string' && userCallback !== null ? userCallback(userId) : null;
    return then(fromSession, (sessionUser) => {
      if (sessionUser) return setUser(sessionUser as AppUser);
      const cookieName = configString('REMEMBER_COOKIE_NAME', COOKIE_NAME);
      const cookie = req.cookies[cookieName];
      const useCookie = cookie !== undefined && s.get('_remember') !== 'clear';
      if (useCookie && userCallback !== null) {
        const id = decodeRememberCookie(cookie, secretKeys());
        if (id === null) return setUser(new this.anonymousUser());
        return then(userCallback(id), (user) => {
          if (user) {
            s.set('_user_id', id);
            s.set('_fresh', false);
            s.set('_id', sessionIdentifier(req));
            userLoadedFromCookie.send(currentApp, { user: user as AppUser });
          }
          setUser((user as AppUser | null | undefined) ?? new this.anonymousUser());
        });
      }
      if (this.requestCallback !== null) {
        return then(this.requestCallback(req), (user) => {
          if (user) userLoadedFromRequest.send(currentApp, { user: user as AppUser });
          setUser((user as AppUser | null | undefined) ?? new this.anonymousUser());
        });
      }
      setUser(new this.anonymousUser());
    });
  }

  /**
   * @internal Loads the request's user unless it is loaded (or loading) already: the hook and the first read
   * of `currentUser`, whichever comes first, share one load. A loader that fails leaves the anonymous user
   * for the rest of the request (error handlers render with it) and the error goes on to the error handler.
   */
  ensureUser(req: Request): void | Promise<void> {
    const lg = g as unknown as LoginG;
    if (lg._loginUser !== undefined) return;
    if (lg._loginUserLoading !== undefined) return lg._loginUserLoading;
    let loading: void | Promise<void>;
    try {
      loading = this.loadUser(req);
    } catch (e) {
      setUser(new this.anonymousUser());
      throw e;
    }
    if (loading === undefined) return;
    const settled = loading.then(
      () => {
        lg._loginUserLoading = undefined;
      },
      (e: unknown) => {
        lg._loginUserLoading = undefined;
        if (lg._loginUser === undefined) setUser(new this.anonymousUser());
        throw e;
      },
    );
    lg._loginUserLoading = settled;
    return settled;
  }

  /** Flask-Login's `_session_protection_failed`: true when 'strong' protection logged the session out. */
  private sessionProtectionFailed(req: Request): boolean {
    const mode =
      (currentApp.config.SESSION_PROTECTION as SessionProtection | undefined) ?? this.sessionProtection;
    if (mode !== 'basic' && mode !== 'strong') return false;
    const s = sess();
    if (s.size === 0 || !s.has('_user_id')) return false;
    if (s.get('_id') === sessionIdentifier(req)) return false;
    if (mode === 'basic' || s.permanent) {
      if (s.get('_fresh') !== false) s.set('_fresh', false);
      sessionProtected.send(currentApp, {});
      return false;
    }
    for (const k of SESSION_KEYS) s.delete(k);
    s.set('_remember', 'clear');
    sessionProtected.send(currentApp, {});
    return true;
  }

  /** After the view: sets or clears the remember cookie as `loginUser`/`logoutUser` asked. */
  private updateRememberCookie(res: Response): Response {
    if (!hasRequestContext()) return res;
    const s = sess();
    const action = s.get('_remember');
    const config = currentApp.config;
    const name = configString('REMEMBER_COOKIE_NAME', COOKIE_NAME);
    const path = configString('REMEMBER_COOKIE_PATH', '/');
    const domain = (config.REMEMBER_COOKIE_DOMAIN as string | null | undefined) ?? undefined;
    if (action === 'set') {
      s.delete('_remember');
      const seconds = Number(
        s.get('_remember_seconds') ?? config.REMEMBER_COOKIE_DURATION ?? DEFAULT_DURATION,
      );
      const userId = s.get('_user_id');
      if (typeof userId === 'string') {
        const keys = secretKeys();
        res.setCookie(
          name,
          encodeRememberCookie(userId, Date.now() / 1000 + seconds, keys[0] as string | Uint8Array),
          {
            maxAge: seconds,
            path,
            domain,
            secure: Boolean(config.REMEMBER_COOKIE_SECURE),
            httpOnly: config.REMEMBER_COOKIE_HTTPONLY !== false,
            sameSite:
              (config.REMEMBER_COOKIE_SAMESITE as 'Lax' | 'Strict' | 'None' | null | undefined) ?? undefined,
          },
        );
      }
    } else if (action === 'clear') {
      s.delete('_remember');
      res.deleteCookie(name, { path, domain });
    }
    return res;
  }
}

function configString(key: string, fallback: string): string {
  const v = currentApp.config[key];
  return typeof v === 'string' && v !== '' ? v : fallback;
}

/** The keys that sign and verify remember cookies: SECRET_KEY, then SECRET_KEY_FALLBACKS. */
function secretKeys(): (string | Uint8Array)[] {
  const config = currentApp.config;
  const key = config.SECRET_KEY as string | Uint8Array | null | undefined;
  if (key === null || key === undefined || key === '') {
    throw new Error('The remember-me cookie needs SECRET_KEY to be set.');
  }
  const fallbacks = (config.SECRET_KEY_FALLBACKS as (string | Uint8Array)[] | null | undefined) ?? [];
  return [key, ...fallbacks];
}

/** Flask-Login's session identifier: SHA-512 of the client address and user agent. */
export function sessionIdentifier(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const addr = forwarded ? (forwarded.split(',')[0] as string).trim() : (req.remoteAddr ?? '');
  const agent = req.headers.get('user-agent') ?? 'None';
  return createHash('sha512').update(`${addr}|${agent}`, 'utf8').digest('hex');
}

/**
 * The user for templates: an error page rendered before the user could load (an error in a
 * `urlValuePreprocessor`, with an async loader) shows the anonymous user rather than failing in its turn.
 */
function templateUser(manager: LoginManager): AppUser | AnonymousUser {
  try {
    return getCurrentUser();
  } catch {
    return new manager.anonymousUser();
  }
}

/** The login manager of the current app. */
export function getLoginManager(app: Phial = currentApp): LoginManager {
  const m = app.extensions[EXTENSION_KEY] as LoginManager | undefined;
  if (m === undefined)
    throw new Error('No LoginManager is registered on this app: call new LoginManager(app).');
  return m;
}

/**
 * The user of the current request, loaded on first use as Flask-Login's `current_user` is (anonymous outside a
 * request, or when the app has no `LoginManager`). Throws when the user is not known yet and only an async
 * loader can tell: a read before the login manager's `beforeRequest` hook (in a `urlValuePreprocessor`), where
 * a sync answer would have to guess.
 */
export function getCurrentUser(): AppUser | AnonymousUser {
  if (!hasRequestContext()) return anonymous;
  const lg = g as unknown as LoginG;
  if (lg._loginUser !== undefined) return lg._loginUser;
  const manager = currentApp.extensions[EXTENSION_KEY] as LoginManager | undefined;
  if (manager === undefined) return anonymous;
  const loading = manager.ensureUser(request);
  if (lg._loginUser !== undefined) return lg._loginUser;
  // the hook awaits the same load; a read here must not leave its failure unhandled
  loading?.catch(() => {});
  throw new Error(
    "currentUser was read before its async user loader finished (before the LoginManager's beforeRequest " +
      'hook ran). Read it in a beforeRequest hook or later, or make the user loader sync.',
  );
}

/**
 * Logs `user` in for this session (Flask-Login's `login_user`). False, and nothing changes, for an inactive user
 * unless `force`. `remember` sets the remember-me cookie for `duration` seconds (REMEMBER_COOKIE_DURATION,
 * a year, by default).
 */
export function loginUser(
  user: LoginUser,
  options: { remember?: boolean; duration?: number; force?: boolean; fresh?: boolean } = {},
): boolean {
  if (!options.force && !user.isActive) return false;
  const s = sess();
  s.set('_user_id', user.getId());
  s.set('_fresh', options.fresh ?? true);
  s.set('_id', sessionIdentifier(request));
  if (options.remember) {
    s.set('_remember', 'set');
    if (options.duration !== undefined) s.set('_remember_seconds', options.duration);
  }
  setUser(user as AppUser);
  userLoggedIn.send(currentApp, { user: user as AppUser });
  return true;
}

/** Logs the current user out and clears the remember cookie (Flask-Login's `logout_user`). */
export function logoutUser(): true {
  const user = getCurrentUser();
  const s = sess();
  for (const k of ['_user_id', '_fresh', '_id'] as const) s.delete(k);
  const cookieName = configString('REMEMBER_COOKIE_NAME', COOKIE_NAME);
  if (request.cookies[cookieName] !== undefined || s.get('_remember') === 'set') {
    s.set('_remember', 'clear');
    s.delete('_remember_seconds');
  }
  userLoggedOut.send(currentApp, { user });
  const manager = getLoginManager();
  setUser(new manager.anonymousUser());
  return true;
}

/** Marks the session fresh again after the user re-entered their password (Flask-Login's `confirm_login`). */
export function confirmLogin(): void {
  const s = sess();
  s.set('_fresh', true);
  s.set('_id', sessionIdentifier(request));
  userLoginConfirmed.send(currentApp, {});
}

/** Whether the session's login is fresh (made with the password in this session, not from a cookie). */
export function loginFresh(): boolean {
  return sess().get('_fresh') === true;
}

function expandView(view: string): string {
  return view.startsWith('/') || view.includes('://') ? view : urlFor(view);
}

/** Flask-Login's `make_next_param`: the path and query of the current URL (the full URL for another host). */
function nextParam(req: Request): string {
  return req.fullPath.endsWith('?') ? req.fullPath.slice(0, -1) : req.fullPath;
}

/** The URL of `view` (an endpoint or a path) with `next` in its query string (Flask-Login's `login_url`). */
export function loginUrl(view: string, next?: string, nextField = 'next'): string {
  const base = expandView(view);
  if (next === undefined) return base;
  const [path, query = ''] = base.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set(nextField, next);
  return `${path}?${params.toString()}`;
}

/**
 * `next` from the query (or the session with USE_SESSION_FOR_NEXT) when it is a path on this site, else
 * `fallback`: what a login view redirects to without becoming an open redirect.
 */
export function safeNextUrl(fallback = '/'): string {
  const fromSession = currentApp.config.USE_SESSION_FOR_NEXT ? sess().get('next') : undefined;
  const raw = (request.args.get('next') as string | undefined) ?? (fromSession as string | undefined);
  if (fromSession !== undefined) sess().delete('next');
  return raw !== undefined && isSafeRedirect(raw) ? raw : fallback;
}

/**
 * True for a same-site path (`/posts?page=2`); false for anything a browser could take off-site:
 * absolute URLs, scheme-relative `//host`, backslash tricks (`/\host`), control characters.
 */
export function isSafeRedirect(target: string): boolean {
  if (target === '' || target.length > 2048) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\x00-\x1f\x7f\\]/.test(target)) return false;
  if (!target.startsWith('/') || target.startsWith('//')) return false;
  try {
    const u = new URL(target, 'http://phial.invalid');
    return u.host === 'phial.invalid';
  } catch {
    return false;
  }
}
