/**
 * CSRF protection the way Flask-WTF does it, so templates and settings port unchanged: a random raw token
 * kept in the session, handed to the page signed and timestamped with the app's secret
 * (`WTF_CSRF_TIME_LIMIT`), and checked on every unsafe request, from the form field or the `X-CSRFToken`
 * header. A token from another session, an expired, tampered or missing one is a 400 that says why.
 */
import { randomBytes } from 'node:crypto';
import {
  BadRequest,
  BadSignature,
  Blueprint,
  currentApp,
  g,
  type Phial,
  type Request,
  request,
  SignatureExpired,
  session,
  URLSafeTimedSerializer,
} from 'phial';

/** Why a request was refused (a 400; `description` is the reason). */
export class CSRFError extends BadRequest {}

const SALT = 'wtf-csrf-token';

type Sess = { get(k: string): unknown; set(k: string, v: unknown): void };
const sess = () => session as unknown as Sess;

function setting<T>(key: string, fallback: T): T {
  const v = currentApp.config[key];
  return v === undefined || v === null ? fallback : (v as T);
}

function serializer(): URLSafeTimedSerializer<string> {
  const secret =
    setting<string | Uint8Array | null>('WTF_CSRF_SECRET_KEY', null) ?? currentApp.config.SECRET_KEY;
  if (secret === null || secret === undefined || secret === '') {
    throw new Error('CSRF protection needs SECRET_KEY (or WTF_CSRF_SECRET_KEY) to be set.');
  }
  return new URLSafeTimedSerializer<string>(secret as string, { salt: SALT });
}

/** The field name the token travels in (`WTF_CSRF_FIELD_NAME`, default `csrf_token`). */
export function csrfFieldName(): string {
  return setting('WTF_CSRF_FIELD_NAME', 'csrf_token');
}

/**
 * A signed token for this session (Flask-WTF's `generate_csrf`): the session's raw token is created on first
 * use; one signed token is made per request and reused by every form on the page.
 */
export function generateCsrf(): string {
  const field = csrfFieldName();
  const cache = g as unknown as Record<string, unknown>;
  const cached = cache[`_phial_csrf_${field}`];
  if (typeof cached === 'string') return cached;
  let raw = sess().get(field);
  if (typeof raw !== 'string') {
    raw = randomBytes(20).toString('hex');
    sess().set(field, raw);
  }
  const token = serializer().dumps(raw as string);
  cache[`_phial_csrf_${field}`] = token;
  return token;
}

/** Checks a signed token against the session; throws CSRFError with Flask-WTF's reason. */
export function validateCsrf(data: unknown): void {
  const field = csrfFieldName();
  if (typeof data !== 'string' || data === '') throw new CSRFError('The CSRF token is missing.');
  const raw = sess().get(field);
  if (typeof raw !== 'string') throw new CSRFError('The CSRF session token is missing.');
  let token: string;
  try {
    token = serializer().loads(data, { maxAge: setting<number | null>('WTF_CSRF_TIME_LIMIT', 3600) });
  } catch (e) {
    if (e instanceof SignatureExpired) throw new CSRFError('The CSRF token has expired.');
    if (e instanceof BadSignature) throw new CSRFError('The CSRF token is invalid.');
    throw new CSRFError('The CSRF token is invalid.');
  }
  if (token !== raw) throw new CSRFError('The CSRF tokens do not match.');
}

/** True when two URLs share scheme, host and port. */
function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host === y.host;
  } catch {
    return false;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any view shape
type AnyView = (...args: any[]) => unknown;

/** App-wide CSRF protection (Flask-WTF's `CSRFProtect`): every unsafe request must carry a valid token. */
export class CSRFProtect {
  private exemptViews = new Set<string>();
  private exemptFunctions = new WeakSet<AnyView>();
  private exemptBlueprints = new Set<string>();

  constructor(app?: Phial | null) {
    if (app) this.initApp(app);
  }

  /** Checks every request of `app` before its view; `csrf_token()` becomes a template global. */
  initApp(app: Phial): void {
    app.extensions.csrf = this;
    app.templateGlobal('csrf_token', () => generateCsrf());
    app.beforeRequest((req: Request) => this.check(app, req));
  }

  /** Leaves a view (function or endpoint name) or a whole blueprint unprotected (webhooks, APIs with tokens). */
  exempt<T extends AnyView | Blueprint | string>(target: T): T {
    if (typeof target === 'string') this.exemptViews.add(target);
    else if (target instanceof Blueprint) this.exemptBlueprints.add(target.name);
    else this.exemptFunctions.add(target as AnyView);
    return target;
  }

  private check(app: Phial, req: Request): void | Promise<void> {
    if (!setting('WTF_CSRF_ENABLED', true) || !setting('WTF_CSRF_CHECK_DEFAULT', true)) return;
    const methods = setting<string[]>('WTF_CSRF_METHODS', ['POST', 'PUT', 'PATCH', 'DELETE']);
    if (!methods.includes(req.method)) return;
    const endpoint = req.endpoint;
    if (endpoint === null) return; // a 404/405 follows
    if (this.exemptViews.has(endpoint)) return;
    const view = app.viewFunctions[endpoint] as AnyView | undefined;
    if (view !== undefined && this.exemptFunctions.has(view)) return;
    for (const bp of req.blueprints) if (this.exemptBlueprints.has(bp)) return;
    return this.protect(req).then(() => {
      (g as unknown as Record<string, unknown>)._phial_csrf_valid = true;
    });
  }

  /** Checks the current request now (for views exempted from the automatic check); reads the body if needed. */
  async protect(req: Request = request): Promise<void> {
    let token = this.headerToken(req);
    if (token === undefined) {
      await req.loadBody();
      const fromForm = req.form.get(csrfFieldName());
      if (typeof fromForm === 'string' && fromForm !== '') token = fromForm;
    }
    validateCsrf(token);
    if (req.isSecure && setting('WTF_CSRF_SSL_STRICT', true)) {
      const good = `https://${req.host}/`;
      const origin = req.headers.get('origin');
      if (origin !== null && origin !== 'null' && !sameOrigin(origin, good)) {
        throw new CSRFError('The origin does not match the host.');
      }
      const referrer = req.headers.get('referer');
      if (referrer === null) throw new CSRFError('The referrer header is missing.');
      if (!sameOrigin(referrer, good)) throw new CSRFError('The referrer does not match the host.');
    }
  }

  private headerToken(req: Request): string | undefined {
    for (const name of setting<string[]>('WTF_CSRF_HEADERS', ['X-CSRFToken', 'X-CSRF-Token'])) {
      const v = req.headers.get(name);
      if (v) return v;
    }
    return undefined;
  }
}

/** True when `CSRFProtect` already validated this request (forms then skip their own check). */
export function csrfAlreadyValidated(): boolean {
  return (g as unknown as Record<string, unknown>)._phial_csrf_valid === true;
}
