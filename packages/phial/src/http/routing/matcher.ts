/**
 * The matcher: Werkzeug's state machine (one state per rule part, static transitions tried before
 * dynamic ones, dynamic ones in weight order, backtracking), walked over the path string by index
 * without splitting it, plus a Map from path to fully static rules that answers most requests at once.
 */
import type { Rule, RulePart } from './rule.js';
import { compareWeights } from './rule.js';

/** @internal One state of the machine. */
class State {
  static = new Map<string, State>();
  /** The same static transitions as arrays: a few are found faster by comparing in place than by hashing a slice. */
  staticKeys: string[] = [];
  staticStates: State[] = [];
  dynamic: { part: RulePart; state: State }[] = [];
  rules: Rule[] = [];

  /** Many static transitions: indices by a hash computed in place over the path (no slice, no string hashing). */
  buckets: Map<number, number[]> | null = null;

  addStatic(key: string): State {
    let next = this.static.get(key);
    if (next === undefined) {
      next = new State();
      this.static.set(key, next);
      this.staticKeys.push(key);
      this.staticStates.push(next);
      if (this.staticKeys.length > LINEAR_MAX) {
        const buckets = this.buckets ?? new Map<number, number[]>();
        const from = this.buckets === null ? 0 : this.staticKeys.length - 1;
        for (let i = from; i < this.staticKeys.length; i++) {
          const k = this.staticKeys[i] as string;
          const h = hashRange(k, 0, k.length);
          const list = buckets.get(h);
          if (list === undefined) buckets.set(h, [i]);
          else list.push(i);
        }
        this.buckets = buckets;
      }
    }
    return next;
  }

  /** The static transition for `path[pos:end]`. */
  findStatic(path: string, pos: number, end: number): State | undefined {
    const keys = this.staticKeys;
    const len = end - pos;
    const buckets = this.buckets;
    if (buckets === null) {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        if (k.length === len && path.startsWith(k, pos)) return this.staticStates[i];
      }
      return undefined;
    }
    const list = buckets.get(hashRange(path, pos, end));
    if (list === undefined) return undefined;
    for (let j = 0; j < list.length; j++) {
      const i = list[j] as number;
      const k = keys[i] as string;
      if (k.length === len && path.startsWith(k, pos)) return this.staticStates[i];
    }
    return undefined;
  }
}

function hashRange(s: string, start: number, end: number): number {
  let h = end - start;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Up to this many static transitions are compared in place; more go through the Map. */
const LINEAR_MAX = 8;

/** @internal Thrown (never on success) when the path matches only with a trailing slash added. */
export class SlashRequired {}
const SLASH_REQUIRED = new SlashRequired();

/** @internal Per-call matching state (reused across calls; a fresh one for re-entrant calls). */
class MatchContext {
  busy = false;
  path = '';
  method = '';
  values: string[] = [];
  nv = 0;
  params: Record<string, unknown> | null = null;
  haveMatchFor: Set<string> | null = null;

  /** Accepts a rule at a leaf: method allowed and converters happy. Records methods of near misses. */
  accept(rule: Rule): boolean {
    const methods = rule.methods;
    // a rule reached here has exactly `nv` placeholders, so the shared array is read as is
    const values = this.values;
    if (methods !== null && !methods.has(this.method)) {
      if (rule._convert(values) !== null) {
        this.haveMatchFor ??= new Set();
        for (const m of methods) this.haveMatchFor.add(m);
      }
      return false;
    }
    const params = rule._convert(values);
    if (params === null) return false;
    this.params = params;
    return true;
  }

  matchPart(part: RulePart, target: string): boolean {
    if (part.anySegment) {
      if (target.length === 0) return false;
      this.push(target);
      return true;
    }
    if (part.digits) {
      const n = target.length;
      if (n === 0) return false;
      for (let i = 0; i < n; i++) {
        const c = target.charCodeAt(i);
        if (c < 48 || c > 57) return false;
      }
      this.push(target);
      return true;
    }
    const re = part.re as RegExp;
    if (part.single) {
      if (!re.test(target)) return false;
      this.push(target);
      return true;
    }
    const m = re.exec(target);
    if (m === null) return false;
    const groups = part.groups;
    for (let i = 0; i < groups.length; i++) this.push(m[groups[i] as number] as string);
    if (part.suffixed) this.suffix = m[part.suffixGroup] as string;
    return true;
  }

  suffix = '';

  takeParams(): Record<string, unknown> {
    const p = this.params as Record<string, unknown>;
    this.params = null;
    return p;
  }

  push(v: string): void {
    const values = this.values;
    if (this.nv < values.length) values[this.nv] = v;
    else values.push(v);
    this.nv++;
  }

  /** All parts consumed: a rule here, or a strict-slash rule one `/` further. */
  atEnd(state: State): Rule | null {
    const rules = state.rules;
    for (let i = 0; i < rules.length; i++) if (this.accept(rules[i] as Rule)) return rules[i] as Rule;
    const slash = state.static.get('');
    if (slash !== undefined) {
      for (const rule of slash.rules) {
        if (rule.methods !== null && !rule.methods.has(this.method)) {
          // the resource exists (one slash away), just not for this method: a 405, not a 404
          if (rule._convert(this.values) !== null) {
            this.haveMatchFor ??= new Set();
            for (const m of rule.methods) this.haveMatchFor.add(m);
          }
          continue;
        }
        if (rule.strictSlashes) {
          if (rule._convert(this.values) !== null) throw SLASH_REQUIRED;
        } else if (this.accept(rule)) return rule;
      }
    }
    return null;
  }

  /** Matches from `pos` (start of the current segment; -1 when nothing is left). */
  walk(state: State, pos: number): Rule | null {
    if (pos < 0) return this.atEnd(state);
    const path = this.path;
    const plen = path.length;
    let end = path.indexOf('/', pos);
    if (end === -1) end = plen;
    const next = end === plen ? -1 : end + 1;
    if (state.staticKeys.length !== 0) {
      const child = state.findStatic(path, pos, end);
      if (child !== undefined) {
        const r = this.walk(child, next);
        if (r !== null) return r;
      }
    }
    const dyn = state.dynamic;
    if (dyn.length !== 0) {
      const seg = path.slice(pos, end);
      for (let i = 0; i < dyn.length; i++) {
        const t = dyn[i] as { part: RulePart; state: State };
        const part = t.part;
        const mark = this.nv;
        let np = next;
        if (part.final) {
          if (!this.matchPart(part, pos === 0 ? path : path.slice(pos))) continue;
          np = part.suffixed && this.suffix === '/' ? path.length : -1;
        } else if (!this.matchPart(part, seg)) continue;
        const r = this.walk(t.state, np);
        if (r !== null) return r;
        this.nv = mark;
      }
    }
    // only a trailing slash left: rules without strict slashes match here too
    if (next === -1 && end === pos && state.rules.length !== 0) {
      for (const rule of state.rules) {
        if (!rule.strictSlashes && this.accept(rule)) return rule;
      }
    }
    return null;
  }

  /** The domain is the first "segment"; it is never split. */
  walkDomain(root: State, domain: string): Rule | null {
    const ds = root.static.get(domain);
    if (ds !== undefined) {
      const r = this.walk(ds, 0);
      if (r !== null) return r;
    }
    for (const t of root.dynamic) {
      const mark = this.nv;
      if (!this.matchPart(t.part, domain)) continue;
      const r = this.walk(t.state, 0);
      if (r !== null) return r;
      this.nv = mark;
    }
    return null;
  }
}

/** What a successful match yields. */
export interface MatchResult {
  rule: Rule;
  params: Record<string, unknown>;
}

/** @internal Werkzeug's `StateMachineMatcher`, with a static-path shortcut. */
export class Matcher {
  private root = new State();
  /** Fully static rules by path, in insertion order. */
  readonly staticRules = new Map<string, Rule[]>();
  private ctx = new MatchContext();
  /** Methods of rules that matched the path but not the method, from the last failed `match`. */
  haveMatchFor: Set<string> | null = null;

  add(rule: Rule): void {
    let state = this.root;
    for (const part of rule._parts) {
      if (part.static) state = state.addStatic(part.content);
      else {
        let found: State | undefined;
        for (const t of state.dynamic) {
          if (t.part.key === part.key) {
            found = t.state;
            break;
          }
        }
        if (found === undefined) {
          found = new State();
          state.dynamic.push({ part, state: found });
        }
        state = found;
      }
    }
    state.rules.push(rule);
    if (rule._staticPath !== null && rule._domain !== null) {
      const list = this.staticRules.get(rule._staticPath);
      if (list === undefined) this.staticRules.set(rule._staticPath, [rule]);
      else list.push(rule);
    }
  }

  /** Sorts every state's dynamic transitions by weight (stable, as Python's sort). */
  update(): void {
    const visit = (s: State): void => {
      s.dynamic.sort((a, b) => compareWeights(a.part.weight, b.part.weight));
      for (const c of s.static.values()) visit(c);
      for (const t of s.dynamic) visit(t.state);
    };
    visit(this.root);
  }

  /**
   * Walks the machine. Returns null when nothing matched (then `haveMatchFor` holds the methods of
   * rules that matched all but the method). Throws `SlashRequired` for a strict-slash redirect.
   */
  match(domain: string, path: string, method: string): MatchResult | null {
    let ctx = this.ctx;
    if (ctx.busy) ctx = new MatchContext();
    ctx.busy = true;
    ctx.path = path;
    ctx.method = method;
    ctx.nv = 0;
    ctx.params = null;
    ctx.haveMatchFor = null;
    try {
      const rule = ctx.walkDomain(this.root, domain);
      if (rule !== null) return { rule, params: ctx.takeParams() };
      this.haveMatchFor = ctx.haveMatchFor;
      return null;
    } catch (e) {
      this.haveMatchFor = ctx.haveMatchFor;
      throw e;
    } finally {
      ctx.busy = false;
      ctx.path = '';
    }
  }
}
