/**
 * HTML for widgets, written the way WTForms writes it (attributes sorted, `class_` → `class`, `data_x` →
 * `data-x`, `true` → a bare attribute, `false`/null dropped, values escaped), so Flask-WTF templates and the
 * tests that snapshot them see the same markup.
 */
import { escape as escapeHtml, Markup } from '@phial/jinja';

/** Attributes passed to a widget: from TypeScript (`{ class: 'x' }`) or Jinja keyword arguments (`class_="x"`). */
export type Attrs = Record<string, unknown>;

function cleanKey(key: string): string {
  if (key === 'class_' || key === 'class__' || key === 'for_') return key.slice(0, -1);
  if (key.startsWith('data_')) return `data-${key.slice(5)}`;
  return key;
}

/** `name="value"` pairs for a tag, WTForms' `html_params`. */
export function htmlParams(attrs: Attrs): string {
  const out: string[] = [];
  const entries = Object.entries(attrs).map(([k, v]) => [cleanKey(k), v] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (v === true) out.push(k);
    else if (v === false || v === null || v === undefined) continue;
    else out.push(`${k}="${escapeHtml(v).toString()}"`);
  }
  return out.join(' ');
}

/** Keyword arguments of a call from a template (the engine passes them last, as one object). */
export function attrsFromArgs(args: unknown[]): Attrs {
  const last = args[args.length - 1];
  return last !== null && typeof last === 'object' && !Array.isArray(last) ? { ...(last as Attrs) } : {};
}

/** Safe markup (never escaped again by the template). */
export function html(text: string): Markup {
  return new Markup(text);
}

export { escapeHtml, Markup };
