/**
 * UrlMap (all rules and routing settings) and MapAdapter (the map bound to one request's host, scheme
 * and mount point: matches paths and builds URLs). Werkzeug's `Map` / `MapAdapter`.
 */
import { MethodNotAllowed, NotFound, RequestRedirect } from '../exceptions.js';
import type { ConverterClass } from './converters.js';
import { DEFAULT_CONVERTERS } from './converters.js';
import { BuildError } from './errors.js';
import type { MatchResult } from './matcher.js';
import { Matcher, SlashRequired } from './matcher.js';
import type { Rule } from './rule.js';
import { quoteFragment, quoteLoose, quotePath, urlEncode } from './urls.js';

/** Settings of a map (Werkzeug's `Map` keyword arguments, camelCased). */
export interface UrlMapOptions {
  /** Redirect `/dir` to `/dir/` for rules ending in `/` (default true; rules may override). */
  strictSlashes?: boolean;
  /** Route on the full `Host` with each rule's `host` pattern instead of subdomains. */
  hostMatching?: boolean;
  /** Route on the subdomain (rule `subdomain`); default true, off when `hostMatching`. */
  subdomainMatching?: boolean;
  /** Subdomain of rules that set none, and of requests whose subdomain is unknown. */
  defaultSubdomain?: string;
  /** Redirect URLs with `//` to the merged form when that matches (default true). */
  mergeSlashes?: boolean;
  /** Redirect a URL that a rule with defaults builds more canonically (default true). */
  redirectDefaults?: boolean;
  /** Extra converters by name. */
  converters?: Record<string, ConverterClass>;
}

/** What `bind` needs to know about the current request (or the app, outside requests). */
export interface BindOptions {
  /** The request's `Host` (`example.com:8080`). */
  host: string;
  /** Where the app is mounted (`/app`); default `/`. */
  scriptName?: string;
  /** The request's subdomain; computed from `host` and `serverName` when absent. */
  subdomain?: string | null;
  /** `http` (default) or `https`. */
  urlScheme?: string;
  /** The configured `SERVER_NAME` (subdomains are read relative to it, external URLs use it). */
  serverName?: string | null;
  /** The request method; `build` without a method prefers rules accepting it (default GET). */
  method?: string;
}

/** Options of `MapAdapter.build`. */
export interface BuildOptions {
  /** Only rules accepting this method. */
  method?: string;
  /** Always return an absolute URL (`scheme://host/path`). */
  forceExternal?: boolean;
  /** Appended after `#`, quoted. */
  anchor?: string;
  /** Scheme of absolute URLs (default: the request's). */
  scheme?: string;
  /** Put values that are no rule argument into the query string (default true). */
  appendUnknown?: boolean;
}

function isUpperAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

/** All URL rules of an app, their converters and the routing settings. */
export class UrlMap {
  /** Converter classes by name; add your own: `urlMap.converters.name = class { regex = '...'; toJs; toUrl }`. */
  converters: Record<string, ConverterClass>;
  strictSlashes: boolean;
  mergeSlashes: boolean;
  hostMatching: boolean;
  subdomainMatching: boolean;
  defaultSubdomain: string;
  redirectDefaults: boolean;

  /** @internal */ _matcher = new Matcher();
  /** @internal */ _rules: Rule[] = [];
  /** @internal */ _byEndpoint = new Map<string, Rule[]>();
  /** @internal set by `add`: sort transitions and build orders before the next match or build. */ _dirty = true;

  constructor(opts: UrlMapOptions = {}) {
    this.converters = { ...DEFAULT_CONVERTERS, ...(opts.converters ?? {}) };
    this.strictSlashes = opts.strictSlashes ?? true;
    this.mergeSlashes = opts.mergeSlashes ?? true;
    this.hostMatching = opts.hostMatching ?? false;
    this.subdomainMatching = opts.subdomainMatching ?? true;
    this.defaultSubdomain = opts.defaultSubdomain ?? '';
    this.redirectDefaults = opts.redirectDefaults ?? true;
  }

  /** @internal Subdomain matching as it applies (never together with host matching). */
  get _subdomainMatching(): boolean {
    return this.subdomainMatching && !this.hostMatching;
  }

  /** Compiles and adds a rule. Throws an Error naming the rule if it is malformed or its converters are. */
  add(rule: Rule): void {
    rule._bind(this);
    if (!rule.buildOnly) this._matcher.add(rule);
    const list = this._byEndpoint.get(rule.endpoint);
    if (list === undefined) this._byEndpoint.set(rule.endpoint, [rule]);
    else list.push(rule);
    this._rules.push(rule);
    this._dirty = true;
  }

  /** Every rule, in the order added. */
  rules(): Rule[] {
    return this._rules.slice();
  }

  /** The rules of one endpoint, in build order. */
  rulesForEndpoint(endpoint: string): Rule[] {
    this._update();
    return (this._byEndpoint.get(endpoint) ?? []).slice();
  }

  /** Whether some rule of `endpoint` takes all these arguments (Werkzeug's `is_endpoint_expecting`). */
  isEndpointExpecting(endpoint: string, ...args: string[]): boolean {
    for (const rule of this._byEndpoint.get(endpoint) ?? []) {
      if (args.every((a) => rule.arguments.has(a))) return true;
    }
    return false;
  }

  /** Binds the map to a request's host, scheme and mount point. */
  bind(opts: BindOptions): MapAdapter {
    return new MapAdapter(this, opts);
  }

  /** @internal Sorts what `add` left unsorted. */
  _update(): void {
    if (!this._dirty) return;
    this._matcher.update();
    for (const list of this._byEndpoint.values()) {
      // Werkzeug's build_compare_key: more arguments first, then more defaults (stable)
      list.sort(
        (a, b) =>
          b.arguments.size - a.arguments.size ||
          Object.keys(b.defaults ?? {}).length - Object.keys(a.defaults ?? {}).length,
      );
      for (let i = 0; i < list.length; i++) {
        const rule = list[i] as Rule;
        const providers: Rule[] = [];
        for (let j = 0; j < i; j++)
          if ((list[j] as Rule)._providesDefaultsFor(rule)) providers.push(list[j] as Rule);
        rule._defaultProviders = providers.length ? providers : null;
      }
    }
    this._dirty = false;
  }
}

/** A map bound to one host / scheme / mount point: matches request paths and builds URLs. */
export class MapAdapter {
  readonly map: UrlMap;
  /** Host (and port) URLs are built for; the request's host under host matching. */
  readonly serverName: string;
  /** Mount point, always ending with `/`. */
  readonly scriptName: string;
  /** The request's subdomain ('' for none). */
  readonly subdomain: string;
  readonly urlScheme: string;
  /** Method `build` prefers when none is given. */
  readonly defaultMethod: string;
  /** `scriptName` without trailing slashes, the prefix of relative URLs. */
  private readonly scriptPrefix: string;
  /** What the first part of every rule is matched against (subdomain, host, or ''). */
  private readonly domainPart: string;

  constructor(map: UrlMap, opts: BindOptions) {
    this.map = map;
    const scheme = opts.urlScheme ?? 'http';
    this.urlScheme = scheme;
    const host = asciiHost(opts.host ?? '');
    let serverName = host;
    let subdomain = opts.subdomain ?? null;
    if (!map.hostMatching && opts.serverName) {
      serverName = asciiHost(opts.serverName);
      if ((scheme === 'http' || scheme === 'ws') && serverName.endsWith(':80'))
        serverName = serverName.slice(0, -3);
      else if ((scheme === 'https' || scheme === 'wss') && serverName.endsWith(':443'))
        serverName = serverName.slice(0, -4);
      if (subdomain === null && map._subdomainMatching) {
        const cur = host.split('.');
        const real = serverName.split('.');
        const offset = cur.length - real.length;
        if (offset >= 0 && cur.slice(offset).join('.') === serverName)
          subdomain = cur.slice(0, offset).join('.');
      }
    }
    if (map.hostMatching) subdomain = null;
    else subdomain ??= map.defaultSubdomain;
    this.serverName = serverName;
    this.subdomain = subdomain ?? '';
    let script = opts.scriptName ?? '/';
    if (!script.endsWith('/')) script += '/';
    this.scriptName = script;
    this.scriptPrefix = script.replace(/\/+$/, '');
    this.defaultMethod = (opts.method ?? 'GET').toUpperCase();
    this.domainPart = map.hostMatching ? serverName : map._subdomainMatching ? this.subdomain : '';
  }

  /**
   * Matches a request path and method. The path is Werkzeug's PATH_INFO: already percent-decoded
   * (`req.path`, not the raw target), without the query string; decode it with `decodePathInfo` if
   * you hold the raw one. Hot path. Returns the rule and its converted params (a fresh object the caller may mutate).
   * Throws NotFound, MethodNotAllowed (with the valid methods) or RequestRedirect (308: strict slashes,
   * merged slashes, canonical defaults, `redirectTo`; the query string is kept).
   */
  match(path: string, method = 'GET', queryString?: string | Record<string, unknown>): MatchResult {
    const map = this.map;
    if (map._dirty) map._update();
    if (path === '') {
      // Werkzeug: an empty path redirects to the root when the root exists
      this.match('/', method, queryString);
      throw new RequestRedirect(this.makeRedirectUrl('/', queryString));
    }
    if (path.charCodeAt(0) !== 47 || path.charCodeAt(1) === 47) path = `/${path.replace(/^\/+/, '')}`;
    if (method !== 'GET' && method !== 'POST' && !isUpperAscii(method)) method = method.toUpperCase();
    const domain = this.domainPart;

    const statics = map._matcher.staticRules.get(path);
    if (statics !== undefined) {
      for (let i = 0; i < statics.length; i++) {
        const rule = statics[i] as Rule;
        if (rule._domain === domain && (rule.methods === null || rule.methods.has(method))) {
          const result = { rule, params: rule.defaults === null ? {} : { ...rule.defaults } };
          if (rule._defaultProviders === null && rule.redirectTo === null) return result;
          return this.finish(result, method, queryString);
        }
      }
    }

    const matcher = map._matcher;
    let result: MatchResult | null;
    try {
      result = matcher.match(domain, path, method);
    } catch (e) {
      if (e instanceof SlashRequired)
        throw new RequestRedirect(this.makeRedirectUrl(quotePath(`${path}/`), queryString));
      throw e;
    }
    if (result !== null) {
      if (result.rule._defaultProviders === null && result.rule.redirectTo === null) return result;
      return this.finish(result, method, queryString);
    }
    let have = matcher.haveMatchFor;
    if (map.mergeSlashes && path.includes('//')) {
      const merged = path.replace(/\/{2,}/g, '/');
      let again: MatchResult | null;
      try {
        again = matcher.match(domain, merged, method);
      } catch (e) {
        if (e instanceof SlashRequired) {
          throw new RequestRedirect(this.makeRedirectUrl(quotePath(`${merged}/`), queryString));
        }
        throw e;
      }
      if (again?.rule.mergeSlashes) {
        throw new RequestRedirect(this.makeRedirectUrl(quotePath(merged), queryString));
      }
      if (matcher.haveMatchFor) have = new Set([...(have ?? []), ...matcher.haveMatchFor]);
    }
    if (have !== null && have.size > 0) throw new MethodNotAllowed([...have].sort());
    throw new NotFound();
  }

  /** Canonical-defaults redirect and `redirectTo`, after a match. */
  private finish(
    result: MatchResult,
    method: string,
    queryString?: string | Record<string, unknown>,
  ): MatchResult {
    const { rule, params } = result;
    if (this.map.redirectDefaults && rule._defaultProviders !== null) {
      for (const r of rule._defaultProviders) {
        if (!r._suitableFor(params, method)) continue;
        const built = r._build({ ...params, ...r.defaults }, true);
        if (built === null) continue;
        throw new RequestRedirect(this.makeRedirectUrl(built[1], queryString, built[0]));
      }
    }
    const target = rule.redirectTo;
    if (target !== null) {
      let url: string;
      if (typeof target === 'string') {
        url = target.replace(/<([^>]+)>/g, (_m, name: string) => {
          const conv = rule.converters[name];
          const value = params[name];
          return conv ? quoteLoose(conv.toUrl(value)) : quotePath(String(value));
        });
      } else url = target(params, this);
      const netloc = this.subdomain ? `${this.subdomain}.${this.serverName}` : this.serverName;
      throw new RequestRedirect(urlJoin(`${this.urlScheme || 'http'}://${netloc}${this.scriptName}`, url));
    }
    return result;
  }

  /** Full URL for a redirect to `pathInfo` (already quoted) below the mount point. */
  private makeRedirectUrl(
    pathInfo: string,
    queryString?: string | Record<string, unknown>,
    domainPart: string | null = null,
  ): string {
    const q = typeof queryString === 'string' ? queryString : queryString ? urlEncode(queryString) : '';
    const script = this.scriptName.replace(/^\/+|\/+$/g, '');
    const path = `/${script ? `${script}/` : ''}${pathInfo.replace(/^\/+/, '')}`;
    return `${this.urlScheme || 'http'}://${this.getHost(domainPart)}${path}${q ? `?${q}` : ''}`;
  }

  /** Host for a built domain part (a subdomain, or a full host under host matching). */
  getHost(domainPart: string | null = null): string {
    if (this.map.hostMatching) return domainPart ?? this.serverName;
    const sub = domainPart ?? this.subdomain;
    return sub ? `${sub}.${this.serverName}` : this.serverName;
  }

  /** True when the path would match (redirects count as matches). */
  test(path: string, method = 'GET'): boolean {
    try {
      this.match(path, method);
      return true;
    } catch (e) {
      return e instanceof RequestRedirect;
    }
  }

  /** Methods the rules matching `path` accept ([] when none, or when a rule accepts any method). */
  allowedMethods(path: string): string[] {
    try {
      this.match(path, '--');
    } catch (e) {
      if (e instanceof MethodNotAllowed) return e.validMethods;
    }
    return [];
  }

  /**
   * Builds the URL of `endpoint`. Picks the first rule (most arguments first) that the values fit; values
   * that are no argument of it go to the query string (arrays as repeated keys; null/undefined dropped).
   * Relative (`/path`) unless `forceExternal` or the rule lives on another subdomain/host.
   * Throws BuildError when no rule fits.
   */
  build(endpoint: string, values?: Record<string, unknown> | null, opts: BuildOptions = {}): string {
    const map = this.map;
    if (map._dirty) map._update();
    // null prototype: a `__proto__` key from user data stays a plain value
    const vals: Record<string, unknown> = Object.create(null);
    if (values) {
      for (const k of Object.keys(values)) {
        const v = values[k];
        if (v !== null && v !== undefined) vals[k] = v;
      }
    }
    const method = opts.method ? opts.method.toUpperCase() : null;
    const rv = this.partialBuild(endpoint, vals, method, opts.appendUnknown ?? true);
    if (rv === null) throw new BuildError(endpoint, vals, method, map._rules);
    const [domainPart, path] = rv;
    const host = this.getHost(domainPart);
    const subMatching = map._subdomainMatching;
    let url: string;
    // `path` starts with one slash unless the rule kept a leading `//` (mergeSlashes off)
    const tail = path.charCodeAt(1) === 47 ? `/${path.replace(/^\/+/, '')}` : path;
    if (
      !opts.forceExternal &&
      ((!subMatching && !map.hostMatching) ||
        (subMatching && domainPart === this.subdomain) ||
        (map.hostMatching && host === this.serverName))
    ) {
      url = this.scriptPrefix + tail;
    } else {
      const scheme = opts.scheme ?? this.urlScheme;
      url = `${scheme ? `${scheme}:` : ''}//${host}${this.scriptName.slice(0, -1)}${tail}`;
    }
    if (opts.anchor !== undefined && opts.anchor !== null) url += `#${quoteFragment(String(opts.anchor))}`;
    return url;
  }

  private partialBuild(
    endpoint: string,
    values: Record<string, unknown>,
    method: string | null,
    appendUnknown: boolean,
  ): [string, string] | null {
    if (method === null) {
      const rv = this.partialBuild(endpoint, values, this.defaultMethod, appendUnknown);
      if (rv !== null) return rv;
    }
    let first: [string, string] | null = null;
    for (const rule of this.map._byEndpoint.get(endpoint) ?? []) {
      if (!rule._suitableFor(values, method)) continue;
      const built = rule._build(values, appendUnknown);
      if (built === null) continue;
      if (!this.map.hostMatching) return built;
      if (built[0] === this.serverName) return built;
      first ??= built;
    }
    return first;
  }
}

/** Lower-cased host with IDNA (punycode) labels, as Werkzeug's `bind` normalizes it. */
function asciiHost(host: string): string {
  const lower = host.toLowerCase();
  if (!/[^ -~]/.test(lower)) return lower;
  const colon = lower.lastIndexOf(':');
  const port = colon !== -1 && /^:\d*$/.test(lower.slice(colon)) ? lower.slice(colon) : '';
  const name = port ? lower.slice(0, colon) : lower;
  try {
    return new URL(`http://${name}/`).hostname + port;
  } catch {
    return lower;
  }
}

/** Python's `urljoin` for redirect targets: absolute URLs stay, others resolve against `base`. */
function urlJoin(base: string, target: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target)) return target;
  try {
    return new URL(target, base).href;
  } catch {
    return base + target.replace(/^\/+/, '');
  }
}
