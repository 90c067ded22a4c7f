/**
 * The rule grammar: `/static/<name>/<conv:name>/<conv(args):name>`, with converter arguments in
 * Werkzeug's (Python-literal) syntax so Flask rules paste unchanged.
 */

/** One piece of a rule string. */
export type RuleToken =
  | { kind: 'slash' }
  | { kind: 'static'; text: string }
  | { kind: 'var'; converter: string | null; args: string | null; name: string };

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

function readIdent(s: string, pos: number): number {
  if (pos >= s.length || !IDENT_START.test(s[pos] as string)) return pos;
  let i = pos + 1;
  while (i < s.length && IDENT.test(s[i] as string)) i++;
  return i;
}

/** Splits a rule into slashes, static text and placeholders. Throws an Error describing the fault. */
export function tokenizeRule(rule: string): RuleToken[] {
  const out: RuleToken[] = [];
  let i = 0;
  while (i < rule.length) {
    const ch = rule[i];
    if (ch === '/') {
      out.push({ kind: 'slash' });
      i++;
      continue;
    }
    if (ch !== '<') {
      let j = i;
      while (j < rule.length && rule[j] !== '/' && rule[j] !== '<') j++;
      out.push({ kind: 'static', text: rule.slice(i, j) });
      i = j;
      continue;
    }
    // a placeholder
    const start = i;
    const close = rule.indexOf('>', i);
    if (close === -1) throw new Error(`unclosed '<' at position ${start}`);
    const firstEnd = readIdent(rule, i + 1);
    if (firstEnd === i + 1) {
      throw new Error(`bad placeholder '${rule.slice(start, close + 1)}': expected a name after '<'`);
    }
    const first = rule.slice(i + 1, firstEnd);
    i = firstEnd;
    if (rule[i] === '>') {
      out.push({ kind: 'var', converter: null, args: null, name: first });
      i++;
      continue;
    }
    let args: string | null = null;
    if (rule[i] === '(') {
      let j = i + 1;
      let quote = '';
      for (; j < rule.length; j++) {
        const c = rule[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === ')') break;
      }
      if (j >= rule.length) throw new Error(`unclosed '(' in the placeholder starting at position ${start}`);
      args = rule.slice(i + 1, j);
      i = j + 1;
    }
    if (rule[i] !== ':') {
      const end = rule.indexOf('>', i);
      throw new Error(
        `bad placeholder '${rule.slice(start, end === -1 ? undefined : end + 1)}': expected '<converter:name>' or '<name>'`,
      );
    }
    const nameEnd = readIdent(rule, i + 1);
    if (nameEnd === i + 1 || rule[nameEnd] !== '>') {
      const end = rule.indexOf('>', i);
      throw new Error(
        `bad placeholder '${rule.slice(start, end === -1 ? undefined : end + 1)}': the variable name must be an identifier`,
      );
    }
    out.push({ kind: 'var', converter: first, args, name: rule.slice(i + 1, nameEnd) });
    i = nameEnd + 1;
  }
  return out;
}

/** One `name=value` or `value` item, as Werkzeug's `_converter_args_re` reads them. */
const ARG_RE =
  /\s*(?:(\w+)\s*=\s*)?(True|False|None|[-+]?\d+\.\d*(?:[eE][-+]?\d+)?|[-+]?\d+(?:[eE][-+]?\d+)?|[-+]?\.\d+|[\w.]+|[urUR]?("[^"]*?"|'[^']*'))\s*,/y;

/** Python literal → JS value: None/True/False, int, float, quoted or bare string. */
function pythonize(raw: string, quoted: string | undefined): unknown {
  if (quoted !== undefined) return quoted.slice(1, -1);
  if (raw === 'None') return null;
  if (raw === 'True') return true;
  if (raw === 'False') return false;
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'inf') return Number.POSITIVE_INFINITY;
  return raw;
}

/** Parses `1, max=9, name='x'` into positional and keyword arguments. */
export function parseConverterArgs(argstr: string): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = Object.create(null);
  if (argstr.trim() === '') return { args, kwargs };
  const s = `${argstr},`;
  let pos = 0;
  ARG_RE.lastIndex = 0;
  while (pos < s.length) {
    ARG_RE.lastIndex = pos;
    const m = ARG_RE.exec(s);
    if (m === null && /^[\s,]*$/.test(s.slice(pos))) break; // a trailing comma, as Werkzeug allows
    if (m === null) {
      throw new Error(`cannot parse converter argument '${s.slice(pos, -1).trim()}'`);
    }
    const value = pythonize(m[2] as string, m[3]);
    const name = m[1];
    if (name === undefined) {
      if (Object.keys(kwargs).length > 0)
        throw new Error('positional converter argument after a keyword argument');
      args.push(value);
    } else {
      if (Object.hasOwn(kwargs, name)) throw new Error(`converter argument '${name}' given twice`);
      kwargs[name] = value;
    }
    pos = ARG_RE.lastIndex;
  }
  return { args, kwargs };
}
