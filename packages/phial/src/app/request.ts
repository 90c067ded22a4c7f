/**
 * The request views and hooks see (Flask's `wrappers.Request` over Werkzeug's): the toolkit's `BaseRequest`
 * plus what the app adds while dispatching: the matched rule and endpoint, the typed params, the blueprint,
 * the session.
 */
import type { BodyConfig } from '../http/body/index.js';
import { BaseRequest, type RawRequest } from '../http/request.js';
import type { RequestContext } from './context.js';
import type { Session, SessionData } from './sessions.js';

/** The values a route's schemas produced (set by the validation step). */
export interface ValidatedValues {
  body?: unknown;
  query?: unknown;
  headersData?: unknown;
  cookiesData?: unknown;
}

/** Params of a request that matched nothing yet (shared, frozen: matching sets a fresh object). */
const NO_PARAMS: Record<string, unknown> = Object.freeze(Object.create(null));

/**
 * An HTTP request, as views and hooks see it (`req`, and the `request` global).
 * `P` types `params` from the rule string (see `RouteParams`).
 */
export class Request<P = Record<string, unknown>> extends BaseRequest {
  /** Converted URL parameters of the matched rule (after `urlValuePreprocessor`s). */
  params: P;
  /** Endpoint of the matched rule, or null. */
  endpoint: string | null = null;
  /** The matched rule object (routing's `Rule`), or null. */
  urlRule: unknown = null;
  /** A routing error (404/405/308) kept to be raised after `beforeRequest` hooks. */
  routingException: Error | null = null;
  /** @internal the request context (session access) */
  _ctx: RequestContext | null = null;
  /** @internal what the route's schemas validated (`body`, `query`, ...): one slot keeps every request one shape */
  _validated: ValidatedValues | null = null;

  constructor(raw: RawRequest, params?: P) {
    super(raw);
    this.params = params ?? (NO_PARAMS as P);
  }

  /**
   * The largest body this request accepts, in bytes (null: no limit): the matched route's
   * `maxContentLength` option, else a value set here (in a `beforeRequest` hook, as Flask 3.1 allows), else
   * `MAX_CONTENT_LENGTH`. Checked before reading (a declared length) and at each chunk (413).
   */
  override get maxContentLength(): number | null {
    const route = (this.urlRule as { maxContentLength?: number | null } | null)?.maxContentLength;
    return route !== undefined ? route : super.maxContentLength;
  }
  override set maxContentLength(value: number | null) {
    super.maxContentLength = value;
  }

  /** @internal `REQUEST_ID_HEADER` names the header `id` trusts */
  protected override requestIdHeader(): string | null {
    const config = this._ctx?.app.config;
    return config === undefined ? super.requestIdHeader() : config.REQUEST_ID_HEADER;
  }

  /** @internal the app's config holds the body limits */
  protected override bodyConfig(): BodyConfig | null {
    return this._ctx?.app.config ?? null;
  }

  /**
   * The body as the route's `body` schema output it (undefined when the route has no `body` schema; the
   * raw body stays in `json`, `form`, `files`). Typed by the schema in the view.
   */
  get body(): unknown {
    return this._validated?.body;
  }

  /** The query as the route's `query` schema output it (undefined without one; `args` is the raw query). */
  get query(): unknown {
    return this._validated?.query;
  }

  /** The headers as the route's `headers` schema output them (undefined without one). */
  get headersData(): unknown {
    return this._validated?.headersData;
  }

  /** The cookies as the route's `cookies` schema output them (undefined without one). */
  get cookiesData(): unknown {
    return this._validated?.cookiesData;
  }

  /** Same as `params` (Flask's `view_args`). */
  get viewArgs(): P {
    return this.params;
  }

  /** Name of the blueprint of the matched endpoint (innermost, dotted for nested), or null. */
  get blueprint(): string | null {
    const ep = this.endpoint;
    if (ep === null) return null;
    const i = ep.lastIndexOf('.');
    return i === -1 ? null : ep.slice(0, i);
  }

  /** Every blueprint of the endpoint, innermost first (`a.b.view` → `['a.b', 'a']`). */
  get blueprints(): string[] {
    return endpointBlueprints(this.endpoint).slice();
  }

  /** The session of this request (opened lazily), typed by `interface SessionData`. */
  get session(): Session<SessionData> {
    if (this._ctx === null) throw new Error('Working outside of request context.');
    return this._ctx.getSession() as Session<SessionData>;
  }
}

const NO_BLUEPRINTS: readonly string[] = Object.freeze([]);
/** Blueprint lists by endpoint (endpoints are few: the app's rules). Bounded in case of made-up endpoints. */
const blueprintsCache = new Map<string, readonly string[]>();

/** @internal the blueprints of an endpoint, innermost first, computed once per endpoint (shared: never mutate). */
export function endpointBlueprints(endpoint: string | null): readonly string[] {
  if (endpoint === null) return NO_BLUEPRINTS;
  const dot = endpoint.lastIndexOf('.');
  if (dot === -1) return NO_BLUEPRINTS;
  let out = blueprintsCache.get(endpoint);
  if (out !== undefined) return out;
  const list: string[] = [];
  const parts = endpoint.slice(0, dot).split('.');
  for (let i = parts.length; i > 0; i--) list.push(parts.slice(0, i).join('.'));
  out = Object.freeze(list);
  if (blueprintsCache.size >= 4096) blueprintsCache.clear();
  blueprintsCache.set(endpoint, out);
  return out;
}
