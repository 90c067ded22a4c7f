/**
 * One URL rule: its options, and (once added to a map) its compiled matching parts and URL builder.
 */
import type { Converter } from './converters.js';
import { DEFAULT_CONVERTERS, ValidationError } from './converters.js';
import type { MapAdapter, UrlMap } from './map.js';
import type { RuleToken } from './parse.js';
import { parseConverterArgs, tokenizeRule } from './parse.js';
import { quoteLoose, quotePath, urlEncode } from './urls.js';

/** Where a `redirectTo` rule sends the client: a rule-like string (`/new/<id>`) or a function of the params. */
export type RedirectTarget = string | ((params: Record<string, unknown>, adapter: MapAdapter) => string);

/** Options of a rule (Werkzeug's `Rule` keyword arguments, camelCased). */
export interface RuleOptions {
  /** The name URL building uses; defaults to the rule text. */
  endpoint?: string;
  /** Accepted methods (any case); `null`/absent accepts every method. HEAD is added when GET is there. */
  methods?: Iterable<string> | null;
  /** Values passed to the view for this rule; a rule with defaults also claims the canonical URL for them. */
  defaults?: Record<string, unknown> | null;
  /** Redirect `/dir` to `/dir/` (true, the map's default) or accept both (false). */
  strictSlashes?: boolean;
  /** Full host pattern (with converters) when the map uses host matching. */
  host?: string | null;
  /** Subdomain pattern (with converters); defaults to the map's `defaultSubdomain`. */
  subdomain?: string | null;
  /** Redirect matches of this rule elsewhere (308). */
  redirectTo?: RedirectTarget | null;
  /** Only for building URLs, never matched. */
  buildOnly?: boolean;
  /** Override the map's `mergeSlashes`. */
  mergeSlashes?: boolean;
}

/** Werkzeug's `Weighting`: orders the dynamic transitions of one state. */
interface Weighting {
  nStatic: number;
  statics: [number, number][];
  nArgs: number;
  args: number[];
}

/** @internal A compiled part of a rule (text between slashes, or the rest after a `path` converter). */
export interface RulePart {
  /** Literal text (static parts) or regex source (dynamic parts); with flags, identifies shareable parts. */
  content: string;
  static: boolean;
  /** Consumes everything that is left (a non part-isolating converter such as `path`). */
  final: boolean;
  /** A final part whose rule ends with `/`: the trailing slash is captured separately. */
  suffixed: boolean;
  weight: Weighting;
  /** Identity used to share one transition between rules. */
  key: string;
  re: RegExp | null;
  /** The value is the whole target (one converter, nothing else in the part). */
  single: boolean;
  /** Single `[^/]+`: any non-empty segment matches, no regex needed. */
  anySegment: boolean;
  /** Single `\d+`: ASCII digits, checked without a regex. */
  digits: boolean;
  /** Capture group index of each converter, in order. */
  groups: number[];
  /** Capture group of the trailing slash of a suffixed part. */
  suffixGroup: number;
}

/** Static text, or a placeholder; `trusted` converters (the built-in ones) quote their own output. */
type BuildOp = string | { name: string; conv: Converter; trusted: boolean };

/** Converter classes whose `toUrl` output is known to be quoted already. */
const BUILTIN_CONVERTERS: ReadonlySet<unknown> = new Set(Object.values(DEFAULT_CONVERTERS));

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Number of capture groups a regex source has. */
function countGroups(source: string): number {
  return (new RegExp(`(?:${source})|`, 's').exec('') as RegExpExecArray).length - 1;
}

/** Python-ish regex syntax in user converters (`(?P<n>...)`, `\Z`) made JavaScript. */
function jsRegex(source: string): string {
  return source.replace(/\(\?P</g, '(?<').replace(/\\Z/g, '$');
}

function isPartIsolating(conv: Converter): boolean {
  if (typeof conv.partIsolating === 'boolean') return conv.partIsolating;
  return !conv.regex.replace(/\[\^\/\]/g, '').includes('/');
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpList<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i] as T, b[i] as T);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** @internal Python's tuple ordering of two Weightings. */
export function compareWeights(a: Weighting, b: Weighting): number {
  return (
    cmpNum(a.nStatic, b.nStatic) ||
    cmpList(a.statics, b.statics, (x, y) => cmpNum(x[0], y[0]) || cmpNum(x[1], y[1])) ||
    cmpNum(a.nArgs, b.nArgs) ||
    cmpList(a.args, b.args, cmpNum)
  );
}

type Piece = { text: string; slash: boolean } | { name: string; conv: Converter };

/** Python-style repr of a string for messages. */
function repr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A URL rule. Create it with options, then `urlMap.add(rule)` compiles it against the map's converters. */
export class Rule {
  /** The rule text as given (`/user/<int:id>`). */
  rule: string;
  /** The name `build` (`urlFor`) looks rules up by. */
  endpoint: string;
  /** Upper-case methods (HEAD included when GET is), or null for any method. */
  methods: Set<string> | null;
  /** Values added to the params of every match; also make this rule the canonical URL for them. */
  defaults: Record<string, unknown> | null;
  /** Host pattern, used when the map does host matching. */
  host: string | null;
  /** Subdomain pattern; the map's `defaultSubdomain` once added when none was given. */
  subdomain: string | null;
  /** Whether `/dir` redirects to `/dir/` (else both match); the map's setting unless given. */
  strictSlashes: boolean;
  /** Whether `//` in request paths is merged (with a redirect); the map's setting unless given. */
  mergeSlashes: boolean;
  /** Where matches of this rule are redirected (308), if anywhere. */
  redirectTo: RedirectTarget | null;
  /** Never matched, only built. */
  buildOnly: boolean;
  /** Names of every placeholder plus every default key. */
  arguments: Set<string>;
  /** Converter instance per placeholder name (filled by `add`). */
  converters: Record<string, Converter> = {};
  /** True for rules not ending in `/`. */
  readonly isLeaf: boolean;
  /** True for rules ending in `/` (directory-like; the slashless URL redirects). */
  readonly isBranch: boolean;
  /** The map this rule was added to. */
  map: UrlMap | null = null;

  /** @internal */ _strictSlashesSet: boolean;
  /** @internal */ _mergeSlashesSet: boolean;
  /** @internal */ _parts: RulePart[] = [];
  /** @internal placeholder names in match order (domain first). */ _names: string[] = [];
  /** @internal */ _convs: Converter[] = [];
  /** @internal static domain text, or null when the domain has placeholders. */ _domain: string | null = '';
  /** @internal static path (when the rule has no placeholders), the key of the static lookup. */ _staticPath:
    | string
    | null = null;
  /** @internal rules of the same endpoint that claim the canonical URL for some of this rule's values. */
  _defaultProviders: Rule[] | null = null;
  /** @internal */ _domainOps: BuildOp[] = [];
  /** @internal */ _pathOps: BuildOp[] = [];
  /** @internal names consumed by building (placeholders and default keys). */ _known: Set<string> =
    new Set();

  constructor(rule: string, opts: RuleOptions = {}) {
    if (typeof rule !== 'string') throw new TypeError('A URL rule must be a string.');
    this.rule = rule;
    this.isLeaf = !rule.endsWith('/');
    this.isBranch = rule.endsWith('/');
    this.endpoint = opts.endpoint ?? rule;
    const methods = opts.methods ?? null;
    if (typeof methods === 'string')
      throw new TypeError(`'methods' of the URL rule ${repr(rule)} should be a list of strings.`);
    if (methods === null) this.methods = null;
    else {
      const set = new Set<string>();
      for (const m of methods) set.add(String(m).toUpperCase());
      if (set.has('GET')) set.add('HEAD');
      this.methods = set;
    }
    this.defaults = opts.defaults ? { ...opts.defaults } : null;
    this.host = opts.host ?? null;
    this.subdomain = opts.subdomain ?? null;
    this._strictSlashesSet = opts.strictSlashes !== undefined;
    this.strictSlashes = opts.strictSlashes ?? true;
    this._mergeSlashesSet = opts.mergeSlashes !== undefined;
    this.mergeSlashes = opts.mergeSlashes ?? true;
    this.redirectTo = opts.redirectTo ?? null;
    this.buildOnly = opts.buildOnly ?? false;
    this.arguments = new Set(this.defaults ? Object.keys(this.defaults) : []);
  }

  /** The rule text, so a rule prints like its pattern. */
  toString(): string {
    return this.rule;
  }

  /** Prints as Werkzeug's repr (`<Rule '/user/<id>' (GET, HEAD) -> user>`), not as the whole compiled map. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const methods = this.methods === null ? '' : ` (${[...this.methods].sort().join(', ')})`;
    return `<Rule '${this.rule}'${methods} -> ${this.endpoint}>`;
  }

  /**
   * @internal Binds the rule to a map and compiles it. Every fault (grammar, unknown converter, bad
   * arguments, bad regex) becomes one Error naming the rule.
   */
  _bind(map: UrlMap): void {
    if (this.map !== null) throw new Error(`The URL rule ${repr(this.rule)} is already added to a map.`);
    try {
      this._compile(map);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const err = new Error(
        `Invalid URL rule ${repr(this.rule)} (endpoint ${repr(this.endpoint)}): ${reason}`,
      );
      (err as Error & { cause?: unknown }).cause = e;
      throw err;
    }
    this.map = map;
  }

  private _compile(map: UrlMap): void {
    if (!this.rule.startsWith('/')) throw new Error('a URL rule must start with a slash');
    if (!this._strictSlashesSet) this.strictSlashes = map.strictSlashes;
    if (!this._mergeSlashesSet) this.mergeSlashes = map.mergeSlashes;
    if (this.subdomain === null) this.subdomain = map.defaultSubdomain;

    let domainRule: string | null = null;
    if (map.hostMatching) domainRule = this.host;
    else if (map.subdomainMatching) domainRule = this.subdomain;

    const names: string[] = [];
    const convs: Converter[] = [];
    const converters: Record<string, Converter> = {};
    const defaults = this.defaults ?? {};
    const makeConverter = (tok: Extract<RuleToken, { kind: 'var' }>): Converter => {
      if (tok.name === '__proto__') throw new Error(`'__proto__' cannot be a variable name`);
      if (Object.hasOwn(converters, tok.name)) throw new Error(`variable name ${repr(tok.name)} used twice`);
      const convName = tok.converter ?? 'default';
      const Cls = Object.hasOwn(map.converters, convName) ? map.converters[convName] : undefined;
      if (typeof Cls !== 'function') throw new Error(`the converter ${repr(convName)} does not exist`);
      const { args, kwargs } = parseConverterArgs(tok.args ?? '');
      const ctorArgs: unknown[] = Object.keys(kwargs).length ? [...args, { ...kwargs }] : args;
      const conv = new (Cls as new (map: UrlMap, ...args: unknown[]) => Converter)(map, ...ctorArgs);
      if (typeof conv.regex !== 'string' || conv.regex === '') {
        throw new Error(`the converter ${repr(convName)} has no 'regex' string`);
      }
      if (typeof conv.toJs !== 'function') conv.toJs = (v: string) => v;
      if (typeof conv.toUrl !== 'function') conv.toUrl = (v: unknown) => quotePath(String(v));
      converters[tok.name] = conv;
      names.push(tok.name);
      convs.push(conv);
      this.arguments.add(tok.name);
      return conv;
    };

    const parts: RulePart[] = [];
    const domainOps: BuildOp[] = [];
    const pathOps: BuildOp[] = [];

    const compileText = (text: string, ops: BuildOp[]): void => {
      const tokens = tokenizeRule(text);
      let pieces: Piece[] = [];
      let final = false;
      for (const tok of tokens) {
        if (tok.kind === 'slash') {
          ops.push('/');
          if (final) pieces.push({ text: '/', slash: true });
          else {
            parts.push(makePart(pieces, false, false));
            pieces = [];
          }
        } else if (tok.kind === 'static') {
          ops.push(quotePath(tok.text));
          pieces.push({ text: tok.text, slash: false });
        } else {
          const conv = makeConverter(tok);
          if (!isPartIsolating(conv)) final = true;
          pieces.push({ name: tok.name, conv });
          if (Object.hasOwn(defaults, tok.name)) ops.push(quoteLoose(conv.toUrl(defaults[tok.name])));
          else ops.push({ name: tok.name, conv, trusted: BUILTIN_CONVERTERS.has(conv.constructor) });
        }
      }
      const last = pieces[pieces.length - 1];
      const suffixed = final && last !== undefined && 'slash' in last && last.slash;
      if (suffixed) pieces.pop();
      parts.push(makePart(pieces, final, suffixed));
      if (suffixed) parts.push(makePart([], false, false));
    };

    if (domainRule === null) parts.push(makePart([], false, false));
    else compileText(domainRule, domainOps);
    const domainParts = parts.length;
    const domainStatic = parts.every((p) => p.static);
    const path = this.mergeSlashes ? this.rule.replace(/\/{2,}/g, '/') : this.rule;
    compileText(path, pathOps);

    this._parts = parts;
    this._names = names;
    this._convs = convs;
    this.converters = converters;
    this._domain = domainStatic
      ? parts
          .slice(0, domainParts)
          .map((p) => p.content)
          .join('/')
      : null;
    this._staticPath = parts.slice(domainParts).every((p) => p.static) ? path : null;
    this._domainOps = foldOps(domainOps);
    this._pathOps = foldOps(pathOps);
    this._known = new Set([...names, ...Object.keys(defaults)]);
  }

  /** @internal Converts matched texts; null when a converter rejects one (ValidationError). */
  _convert(values: readonly string[]): Record<string, unknown> | null {
    const params: Record<string, unknown> = {};
    const names = this._names;
    const convs = this._convs;
    try {
      for (let i = 0; i < convs.length; i++) {
        params[names[i] as string] = (convs[i] as Converter).toJs(values[i] as string);
      }
    } catch (e) {
      if (e instanceof ValidationError) return null;
      throw e;
    }
    const d = this.defaults;
    if (d !== null) for (const k in d) params[k] = d[k];
    return params;
  }

  /** @internal Whether the values (and method) are enough to build this rule (Werkzeug's `suitable_for`). */
  _suitableFor(values: Record<string, unknown>, method: string | null): boolean {
    if (method !== null && this.methods !== null && !this.methods.has(method)) return false;
    const defaults = this.defaults;
    for (const key of this.arguments) {
      if (!(defaults !== null && Object.hasOwn(defaults, key)) && !Object.hasOwn(values, key)) return false;
    }
    if (defaults !== null) {
      for (const key in defaults) {
        if (Object.hasOwn(values, key) && !sameValue(defaults[key], values[key])) return false;
      }
    }
    return true;
  }

  /** @internal Werkzeug's `provides_defaults_for`. */
  _providesDefaultsFor(other: Rule): boolean {
    if (this.buildOnly || this.defaults === null || Object.keys(this.defaults).length === 0) return false;
    if (this.endpoint !== other.endpoint || this === other) return false;
    if (this.arguments.size !== other.arguments.size) return false;
    for (const a of this.arguments) if (!other.arguments.has(a)) return false;
    return true;
  }

  /** @internal Builds `[domain, path+query]`; null when a converter rejects a value. */
  _build(values: Record<string, unknown>, appendUnknown: boolean): [string, string] | null {
    try {
      const domain = runOps(this._domainOps, values);
      let path = runOps(this._pathOps, values);
      if (appendUnknown) {
        let extra: Record<string, unknown> | null = null;
        for (const k in values) {
          if (!this._known.has(k)) {
            extra ??= Object.create(null) as Record<string, unknown>;
            extra[k] = values[k];
          }
        }
        if (extra !== null) {
          const q = urlEncode(extra);
          if (q) path += `?${q}`;
        }
      }
      return [domain, path];
    } catch (e) {
      if (e instanceof ValidationError) return null;
      throw e;
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Python compares 1 == 1.0 == True; strings of numbers are not numbers there either
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  if (typeof b === 'number' && typeof a === 'boolean') return b === Number(a);
  return false;
}

function foldOps(ops: BuildOp[]): BuildOp[] {
  const out: BuildOp[] = [];
  for (const op of ops) {
    const prev = out[out.length - 1];
    if (typeof op === 'string' && typeof prev === 'string') out[out.length - 1] = prev + op;
    else out.push(op);
  }
  return out;
}

function runOps(ops: readonly BuildOp[], values: Record<string, unknown>): string {
  let out = '';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as BuildOp;
    if (typeof op === 'string') out += op;
    else if (op.trusted) out += op.conv.toUrl(values[op.name]);
    else out += quoteLoose(op.conv.toUrl(values[op.name]));
  }
  return out;
}

/** Compiles one part from its pieces (Werkzeug's `RulePart`). */
function makePart(pieces: Piece[], final: boolean, suffixed: boolean): RulePart {
  const statics: [number, number][] = [];
  const args: number[] = [];
  let isStatic = true;
  for (const p of pieces) {
    if ('conv' in p) {
      isStatic = false;
      args.push(typeof p.conv.weight === 'number' ? p.conv.weight : 100);
    } else if (!p.slash) statics.push([statics.length, -p.text.length]);
  }
  const weight: Weighting = { nStatic: -statics.length, statics, nArgs: -args.length, args };
  if (isStatic) {
    const content = pieces.map((p) => ('text' in p ? p.text : '')).join('');
    return {
      content,
      static: true,
      final: false,
      suffixed: false,
      weight,
      key: `s:${content}`,
      re: null,
      single: false,
      anySegment: false,
      digits: false,
      groups: [],
      suffixGroup: 0,
    };
  }
  let src = '';
  let group = 1;
  const groups: number[] = [];
  for (const p of pieces) {
    if ('conv' in p) {
      const inner = jsRegex(p.conv.regex);
      groups.push(group);
      group += 1 + countGroups(inner);
      src += `(${inner})`;
    } else src += escapeRegex(p.text);
  }
  let suffixGroup = 0;
  if (suffixed) {
    src += '(?<!/)(/?)';
    suffixGroup = group;
  }
  const only = pieces.length === 1 && !suffixed ? pieces[0] : undefined;
  const single = only !== undefined && 'conv' in only;
  const onlyRegex = single ? jsRegex((only as { conv: Converter }).conv.regex) : '';
  const anySegment = single && !final && onlyRegex === '[^/]+';
  const digits = single && !final && onlyRegex === '\\d+';
  const content = `^${src}$`;
  return {
    content,
    static: false,
    final,
    suffixed,
    weight,
    key: `d:${final ? 1 : 0}${suffixed ? 1 : 0}:${JSON.stringify(weight)}:${content}`,
    re: new RegExp(single ? `^(?:${jsRegex((only as { conv: Converter }).conv.regex)})$` : content, 's'),
    single,
    anySegment,
    digits,
    groups,
    suffixGroup,
  };
}
