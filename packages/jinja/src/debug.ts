/**
 * Maps runtime errors back to template lines. Generated code carries `/*@N*\/` markers and a
 * `sourceURL`; when an error escapes a render, the first stack frame in template code tells which
 * template and line failed. Costs nothing while rendering succeeds.
 */

import { isPyError, TemplateError } from './errors.js';

/** Template name, file and generated-line → template-line table of one compiled module. */
export interface LineInfo {
  name: string | null;
  filename: string | null;
  lines: Int32Array;
}

// Weak: a template's line table lives as long as its compiled module (which holds it strongly).
const TABLES = new Map<string, WeakRef<LineInfo>>();
const CLEANUP = new FinalizationRegistry<string>((id) => {
  const ref = TABLES.get(id);
  if (ref && ref.deref() === undefined) TABLES.delete(id);
});
let counter = 0;

/** Where code line 1 of a `new Function(...)` body lands in V8's reported line numbers. */
const FUNCTION_LINE_OFFSET = (() => {
  try {
    new Function('a', 'b', 'throw new Error("probe")\n//# sourceURL=jinja-probe')();
  } catch (e) {
    const m = /jinja-probe:(\d+)/.exec(String((e as Error).stack));
    if (m) return Number(m[1]) - 1;
  }
  return 2;
})();

/**
 * Registers generated code; returns it with a sourceURL naming the template, and the line table the
 * caller must keep alive (attach it to the compiled module).
 */
export function registerSource(
  code: string,
  name: string | null,
  filename: string | null,
): { code: string; info: LineInfo } {
  const id = `jinja-template-${++counter}`;
  const src = code.split('\n');
  const lines = new Int32Array(src.length + FUNCTION_LINE_OFFSET + 1);
  let last = 0;
  for (let i = 0; i < src.length; i++) {
    const m = /\/\*@(\d+)\*\/(?!.*\/\*@\d+\*\/)/.exec(src[i]!);
    if (m) last = Number(m[1]);
    lines[i + FUNCTION_LINE_OFFSET] = m ? Number(m[1]) : last;
  }
  const info: LineInfo = { name, filename, lines };
  TABLES.set(id, new WeakRef(info));
  CLEANUP.register(info, id);
  return { code: `${code}\n//# sourceURL=${id}`, info };
}

const ANNOTATED = Symbol('jinja.annotated');
const NOTED = Symbol('jinja.noted');

/** One template on the way to an error: innermost first in `templateStack`. */
export interface TemplateFrame {
  /** The template's load name (null for a template made from a string). */
  name: string | null;
  /** Its file, when the loader knows one. */
  filename: string | null;
  /** The template line (0 when unknown, e.g. inside precompiled templates). */
  line: number;
}

/** What an error escaping a render carries (see `annotateError`). */
export interface TemplateErrorLocation {
  templateName?: string | null;
  templateLine?: number;
  lineno?: number;
  templateStack?: TemplateFrame[];
}

/**
 * Records that an error passed through a precompiled template's function (whose code carries no source
 * mapping): the template's name and the line its code last reached, so the error still says where. Returns the error to rethrow.
 */
export function noteTemplate(err: unknown, name: string | null, line = 0): unknown {
  if (err !== null && typeof err === 'object') {
    const e = err as { [NOTED]?: [string | null, number][] };
    try {
      if (e[NOTED] === undefined) Object.defineProperty(e, NOTED, { value: [], writable: true });
      const list = e[NOTED]!;
      const last = list[list.length - 1];
      if (!last || last[0] !== name || last[1] !== line) list.push([name, line]);
    } catch {
      // frozen errors keep their shape
    }
  }
  return err;
}

/** The template frames of a stack trace, innermost first (consecutive duplicates merged). */
function stackFrames(stack: string): TemplateFrame[] {
  const out: TemplateFrame[] = [];
  for (const m of stack.matchAll(/(jinja-template-\d+):(\d+):\d+/g)) {
    const info = TABLES.get(m[1]!)?.deref();
    if (!info) continue;
    const line = info.lines[Number(m[2])] ?? 0;
    const last = out[out.length - 1];
    if (last && last.name === info.name && last.line === line) continue;
    out.push({ name: info.name, filename: info.filename, line });
  }
  return out;
}

/**
 * `stack` with the template lines (`where`) where the innermost compiled-template frame was, and the other
 * compiled-template frames dropped (the template lines stand for them); null when it has none. What ran
 * inside the template (a filter or a global that threw) stays above the template that called it.
 */
function templateLinesInPlace(stack: string, where: string): string | null {
  let placed = false;
  const out: string[] = [];
  for (const text of stack.split('\n')) {
    const m = /^\s+at .*?(jinja-template-\d+):\d+:\d+/.exec(text);
    if (m === null || TABLES.get(m[1] as string)?.deref() === undefined) {
      out.push(text);
      continue;
    }
    if (!placed) out.push(where);
    placed = true;
  }
  return placed ? out.join('\n') : null;
}

function describeFrame(f: TemplateFrame): string {
  const where = f.name === null ? 'template <string>' : `template '${f.name}'`;
  return `${where}${f.line ? `, line ${f.line}` : ''}`;
}

/**
 * Tells where an error escaping a render happened: `templateName`, `templateLine`/`lineno` (innermost
 * template) and `templateStack` (every template on the way: includes, macros, blocks, parents, innermost
 * first), appended to the stack and, for the engine's own errors, to the message
 * (`... (template 'inc.html', line 2; from template 'page.html', line 5)`). Costs nothing unless an error
 * escapes. Errors of the host's own code keep their message.
 */
export function annotateError(err: unknown): void {
  if (err === null || typeof err !== 'object') return;
  const e = err as Error &
    TemplateErrorLocation & {
      [ANNOTATED]?: boolean;
      [NOTED]?: [string | null, number][];
      filename?: string | null;
    };
  if (e[ANNOTATED] || typeof e.stack !== 'string') return;
  const frames = stackFrames(e.stack);
  if (!frames.length && e[NOTED]) {
    for (const [name, line] of e[NOTED]) frames.push({ name, filename: null, line });
  }
  const isSyntax = e.name === 'TemplateSyntaxError' || e.name === 'TemplateAssertionError';
  if (isSyntax && typeof e.lineno === 'number') {
    // a syntax error's own place comes first (its stack points at the parser)
    frames.unshift({ name: e.templateName ?? null, filename: e.filename ?? null, line: e.lineno });
  }
  if (!frames.length) return;
  try {
    Object.defineProperty(e, ANNOTATED, { value: true });
    const top = frames[0]!;
    if (e.templateName === undefined) e.templateName = top.name;
    if (e.templateLine === undefined && top.line) e.templateLine = top.line;
    if (e.lineno === undefined && top.line) e.lineno = top.line;
    e.templateStack = frames;
    const frameLine = (f: TemplateFrame) =>
      `    at ${describeFrame(f)}${f.filename ? ` (${f.filename})` : ''}`;
    const where = frames.map(frameLine).join('\n');
    const nl = e.stack.indexOf('\n    at ');
    let head = nl === -1 ? e.stack : e.stack.slice(0, nl);
    let rest = nl === -1 ? '' : e.stack.slice(nl);
    // each template line takes the place of the compiled code's frame: a filter or a global that threw stays
    // above the template line that called it (innermost first, as the rest of the stack)
    const inPlace = isSyntax ? null : templateLinesInPlace(rest, where);
    if (e instanceof TemplateError || isPyError(e)) {
      const suffix = ` (${frames.map((f, i) => (i ? `from ${describeFrame(f)}` : describeFrame(f))).join('; ')})`;
      const before = `${e.name}: ${e.message}`;
      e.message += suffix;
      if (head === before) head = `${e.name}: ${e.message}`;
    }
    if (inPlace !== null) rest = inPlace;
    e.stack = inPlace !== null ? `${head}${rest}` : `${head}\n${where}${rest}`;
  } catch {
    // frozen or exotic error objects keep their stack
  }
}
