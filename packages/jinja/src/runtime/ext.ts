/**
 * Runtime side of the built-in extensions (Jinja's `jinja2.ext`): the gettext callables the i18n
 * extension installs as globals (old style and "newstyle"), and the `{% debug %}` dump.
 */
import { pyError } from '../errors.js';
import { Kwargs, passContext } from './calls.js';
import { Markup } from './markup.js';
import { mod } from './operators.js';
import { pyRepr } from './python.js';
import { type Context, call } from './runtime.js';

/** The extension names Jinja2 accepts (module path, class path) and ours, mapped to one short name. */
const EXTENSIONS: Record<string, string> = {
  loopcontrols: 'loopcontrols',
  'jinja2.ext.loopcontrols': 'loopcontrols',
  'jinja2.ext.LoopControlExtension': 'loopcontrols',
  do: 'do',
  'jinja2.ext.do': 'do',
  'jinja2.ext.ExprStmtExtension': 'do',
  i18n: 'i18n',
  'jinja2.ext.i18n': 'i18n',
  'jinja2.ext.InternationalizationExtension': 'i18n',
  debug: 'debug',
  'jinja2.ext.debug': 'debug',
  'jinja2.ext.DebugExtension': 'debug',
};

/**
 * The short name of an extension (`'jinja2.ext.i18n'` → `'i18n'`). An unknown name raises as Jinja2's
 * import does: `AttributeError` for a missing `jinja2.ext` member, `ModuleNotFoundError` otherwise.
 */
export function extensionName(name: string): string {
  const short = Object.hasOwn(EXTENSIONS, name) ? EXTENSIONS[name] : undefined;
  if (short !== undefined) return short;
  if (name.startsWith('jinja2.ext.')) {
    throw pyError('AttributeError', `module 'jinja2.ext' has no attribute '${name.slice(11)}'`);
  }
  throw pyError('ModuleNotFoundError', `No module named '${name.split('.')[0]}'`);
}

/** A gettext catalog (Python's `gettext.GNUTranslations` shape; the `p*` methods are optional). */
export interface GettextTranslations {
  gettext(message: string): string;
  ngettext(singular: string, plural: string, n: number): string;
  pgettext?(context: string, message: string): string;
  npgettext?(context: string, singular: string, plural: string, n: number): string;
}

/** Python's `gettext.NullTranslations`: every message translates to itself. */
export const NULL_TRANSLATIONS: GettextTranslations = {
  gettext: (message) => message,
  ngettext: (singular, plural, n) => (n === 1 ? singular : plural),
  pgettext: (_context, message) => message,
  npgettext: (_context, singular, plural, n) => (n === 1 ? singular : plural),
};

type Fn = (...args: unknown[]) => unknown;

/** Splits a call's trailing Kwargs off its positional arguments. */
function split(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return [args.slice(0, -1), { ...last }];
  return [args, {}];
}

function callIn(ctx: Context, fn: unknown, args: unknown[]): unknown {
  return call(ctx, fn, args, null);
}

/** Newstyle result: Markup under autoescape, always `%`-formatted with the keywords (escaping them). */
function finish(ctx: Context, rv: unknown, variables: Record<string, unknown>): unknown {
  const s = ctx.evalContext.autoescape ? new Markup(rv) : rv;
  return mod(s, variables);
}

/** The gettext-family globals for old-style (plain) or newstyle (formatting, escaping) gettext. */
export function gettextCallables(
  gettext: Fn,
  ngettext: Fn,
  newstyle: boolean,
  pgettext?: Fn | null,
  npgettext?: Fn | null,
): Record<string, unknown> {
  if (!newstyle) {
    const out: Record<string, unknown> = { gettext, ngettext };
    if (pgettext) out.pgettext = pgettext;
    if (npgettext) out.npgettext = npgettext;
    return out;
  }
  const out: Record<string, unknown> = {
    gettext: passContext((ctx: Context, ...all: unknown[]) => {
      const [[s], vars] = split(all);
      return finish(ctx, callIn(ctx, gettext, [s]), vars);
    }),
    ngettext: passContext((ctx: Context, ...all: unknown[]) => {
      const [[s, p, n], vars] = split(all);
      if (!Object.hasOwn(vars, 'num')) vars.num = n;
      return finish(ctx, callIn(ctx, ngettext, [s, p, n]), vars);
    }),
  };
  if (pgettext) {
    out.pgettext = passContext((ctx: Context, ...all: unknown[]) => {
      const [[c, s], vars] = split(all);
      if (!Object.hasOwn(vars, 'context')) vars.context = c;
      return finish(ctx, callIn(ctx, pgettext, [c, s]), vars);
    });
  }
  if (npgettext) {
    out.npgettext = passContext((ctx: Context, ...all: unknown[]) => {
      const [[c, s, p, n], vars] = split(all);
      if (!Object.hasOwn(vars, 'context')) vars.context = c;
      if (!Object.hasOwn(vars, 'num')) vars.num = n;
      return finish(ctx, callIn(ctx, npgettext, [c, s, p, n]), vars);
    });
  }
  return out;
}

/** `_()`: calls whatever `gettext` the render context holds (Jinja's `_gettext_alias`). */
export const gettextAlias = passContext((ctx: Context, ...all: unknown[]) => {
  const [args, kwargs] = split(all);
  return call(ctx, ctx.resolve('gettext'), args, Object.keys(kwargs).length ? new Kwargs(kwargs) : null);
});

/** What `{% debug %}` prints: the context (with locals), and the names of the filters and tests. */
export function debugInfo(ctx: Context, locals: Record<string, unknown> | null): string {
  const context: Record<string, unknown> = { ...ctx.getAll(), ...(locals ?? {}) };
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(context).sort()) sorted[k] = context[k];
  const env = ctx.environment as unknown as { filters: object; tests: object };
  return pformat({
    context: sorted,
    filters: Object.keys(env.filters).sort(),
    tests: Object.keys(env.tests).sort(),
  });
}

/** A small `pprint.pformat(width=80, compact=True)`: one line when it fits, else one entry per line. */
function pformat(v: unknown, indent = 0): string {
  const flat = reprSafe(v);
  if (indent + flat.length <= 80) return flat;
  const pad = ' '.repeat(indent + 1);
  if (Array.isArray(v)) {
    const lines: string[] = [];
    let line = '';
    for (const x of v) {
      const r = `${reprSafe(x)},`;
      if (line && indent + 1 + line.length + 1 + r.length > 80) {
        lines.push(line);
        line = r;
      } else line = line ? `${line} ${r}` : r;
    }
    if (line) lines.push(line.slice(0, -1));
    return `[${lines.join(`\n${pad}`)}]`;
  }
  if (v !== null && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => {
      const key = `${pyRepr(k)}: `;
      return key + pformat(x, indent + 1 + key.length);
    });
    return `{${parts.join(`,\n${pad}`)}}`;
  }
  return flat;
}

function reprSafe(v: unknown): string {
  if (typeof v === 'function') return `<function ${v.name || '<lambda>'}>`;
  try {
    return pyRepr(v);
  } catch {
    return '<object>';
  }
}
