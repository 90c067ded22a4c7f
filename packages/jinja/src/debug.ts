/**
 * Maps runtime errors back to template lines. Generated code carries `/*@N*\/` markers and a
 * `sourceURL`; when an error escapes a render, the first stack frame in template code tells which
 * template and line failed. Costs nothing while rendering succeeds.
 */

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

/** Adds `templateName`/`templateLine` (and a stack line) to an error thrown from template code. */
export function annotateError(err: unknown): void {
  if (err === null || typeof err !== 'object') return;
  const e = err as Error & { [ANNOTATED]?: boolean; templateName?: string | null; templateLine?: number };
  if (e[ANNOTATED] || typeof e.stack !== 'string') return;
  const m = /(jinja-template-\d+):(\d+):\d+/.exec(e.stack);
  if (!m) return;
  const info = TABLES.get(m[1]!)?.deref();
  if (!info) return;
  const line = info.lines[Number(m[2])] ?? 0;
  try {
    Object.defineProperty(e, ANNOTATED, { value: true });
    if (e.templateName === undefined) e.templateName = info.name;
    if (e.templateLine === undefined && line) e.templateLine = line;
    const where = `    at template ${info.name === null ? '<string>' : `'${info.name}'`}${line ? `, line ${line}` : ''}${info.filename ? ` (${info.filename})` : ''}`;
    const nl = e.stack.indexOf('\n    at ');
    e.stack = nl === -1 ? `${e.stack}\n${where}` : `${e.stack.slice(0, nl)}\n${where}${e.stack.slice(nl)}`;
  } catch {
    // frozen or exotic error objects keep their stack
  }
}
