/**
 * BuildError: `urlFor` found no rule for the endpoint and values. Its message says what was asked and
 * suggests the closest fix, as Werkzeug's does.
 */
import type { Rule } from './rule.js';

/** Python-style list repr for messages: `['a', 'b']`. */
function listRepr(items: Iterable<string>): string {
  return `[${[...items]
    .sort()
    .map((s) => `'${s}'`)
    .join(', ')}]`;
}

/** Similarity of two strings in [0, 1] (like difflib's ratio: twice the common subsequence over the total). */
function ratio(a: string, b: string): number {
  if (a.length + b.length === 0) return 1;
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] =
        a[i - 1] === b[j - 1]
          ? (prev[j - 1] as number) + 1
          : Math.max(prev[j] as number, cur[j - 1] as number);
    }
    prev = cur;
  }
  return (2 * (prev[b.length] as number)) / (a.length + b.length);
}

/** No rule of `endpoint` can be built from `values` (and `method`). */
export class BuildError extends Error {
  readonly endpoint: string;
  readonly values: Record<string, unknown>;
  readonly method: string | null;
  /** The rule that comes closest to what was asked, if the map has any rules. */
  readonly suggested: Rule | null;

  constructor(
    endpoint: string,
    values: Record<string, unknown>,
    method: string | null,
    rules: readonly Rule[] = [],
  ) {
    super('');
    this.name = 'BuildError';
    this.endpoint = endpoint;
    this.values = values;
    this.method = method;
    this.suggested = closestRule(rules, endpoint, values, method);
    this.message = this.describe();
  }

  private describe(): string {
    let msg = `Could not build url for endpoint '${this.endpoint}'`;
    if (this.method) msg += ` ('${this.method}')`;
    const keys = Object.keys(this.values);
    if (keys.length) msg += ` with values ${listRepr(keys)}`;
    msg += '.';
    const s = this.suggested;
    if (s !== null) {
      if (s.endpoint === this.endpoint) {
        if (this.method && s.methods !== null && !s.methods.has(this.method)) {
          msg += ` Did you mean to use methods ${listRepr(s.methods)}?`;
        }
        const missing = new Set([...s.arguments, ...Object.keys(s.defaults ?? {})]);
        for (const k of keys) missing.delete(k);
        if (missing.size) msg += ` Did you forget to specify values ${listRepr(missing)}?`;
      } else {
        msg += ` Did you mean '${s.endpoint}' instead?`;
      }
    }
    return msg;
  }
}

/**
 * How alike another endpoint's name must be to be suggested (difflib's `get_close_matches` cutoff): a
 * suggestion names a rule that could be what was meant, never merely the least unlike one.
 */
const CLOSE_NAME = 0.6;

/**
 * Werkzeug's closest rule (the endpoint's own rules first, then by name, values and method), among the
 * rules of the same endpoint and those whose endpoint name is close to it; null when none is.
 */
function closestRule(
  rules: readonly Rule[],
  endpoint: string,
  values: Record<string, unknown>,
  method: string | null,
): Rule | null {
  let best: Rule | null = null;
  let bestScore = -1;
  const keys = Object.keys(values);
  const ratios = new Map<string, number>();
  for (const rule of rules) {
    let r = ratios.get(rule.endpoint);
    if (r === undefined) {
      r = ratio(rule.endpoint, endpoint);
      ratios.set(rule.endpoint, r);
    }
    if (r < CLOSE_NAME && rule.endpoint !== endpoint) continue;
    const score =
      0.98 * r +
      0.01 * (keys.every((k) => rule.arguments.has(k)) ? 1 : 0) +
      0.01 * (rule.methods !== null && method !== null && rule.methods.has(method) ? 1 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = rule;
    }
  }
  return best;
}
