/**
 * Jinja2's exception hierarchy. Each class's `name` is the Jinja2 class name so callers (and the
 * conformance runner) can match on it exactly.
 */

/** Stack frames the engine's errors capture (templates nest: include, extends, import, macros). */
const DEEP_STACK = 64;

/** Raises V8's `Error.stackTraceLimit` for the next error; returns the value to restore (null: unchanged). */
function deepenStacks(): number | null {
  const limit = Error.stackTraceLimit;
  if (typeof limit !== 'number' || limit >= DEEP_STACK) return null;
  try {
    Error.stackTraceLimit = DEEP_STACK;
  } catch {
    return null;
  }
  return limit;
}

/** Base of every template error. */
export class TemplateError extends Error {
  constructor(message?: string) {
    // a deeper stack than the default 10 frames, so every template on the way to the error is in it
    const limit = deepenStacks();
    super(message ?? '');
    if (limit !== null) Error.stackTraceLimit = limit;
  }
}
TemplateError.prototype.name = 'TemplateError';

/** Source that does not parse; carries the line number and template name. */
export class TemplateSyntaxError extends TemplateError {
  lineno: number;
  /** The template's load name (Jinja's `name`); the error's class name stays in `name`. */
  templateName: string | null;
  filename: string | null;
  source: string | null = null;
  translated = false;
  constructor(message: string, lineno: number, name?: string | null, filename?: string | null) {
    super(message);
    this.lineno = lineno;
    this.templateName = name ?? null;
    this.filename = filename ?? null;
  }
  override toString(): string {
    const loc = this.filename ?? this.templateName;
    return `${this.name}: ${this.message}\n  line ${this.lineno}${loc ? ` in ${loc}` : ''}`;
  }
}
TemplateSyntaxError.prototype.name = 'TemplateSyntaxError';

/** A semantic mistake found while compiling (unknown filter, duplicate block, private import). */
export class TemplateAssertionError extends TemplateSyntaxError {}
TemplateAssertionError.prototype.name = 'TemplateAssertionError';

/** A loader could not find the template. */
export class TemplateNotFound extends TemplateError {
  templateName: string;
  templates: string[];
  constructor(name: string | Undefinedish, message?: string | null) {
    const n = String(name ?? '');
    super(message ?? n);
    this.templateName = n;
    this.templates = [n];
  }
}
TemplateNotFound.prototype.name = 'TemplateNotFound';

type Undefinedish = { toString(): string } | null | undefined;

/** None of several candidate templates exist (`select_template`, `include [a, b]`). */
export class TemplatesNotFound extends TemplateNotFound {
  constructor(names: readonly unknown[] = [], message?: string | null) {
    const list = names.map((n) => String(n));
    const msg = message ?? `none of the templates given were found: ${list.map((n) => `'${n}'`).join(', ')}`;
    super(list.length ? list[list.length - 1]! : '', msg);
    this.templates = list;
  }
}
TemplatesNotFound.prototype.name = 'TemplatesNotFound';

/** An undefined value was used in a way that needs a real value. */
export class UndefinedError extends TemplateError {}
UndefinedError.prototype.name = 'UndefinedError';

/** A generic error raised while rendering (missing required block, unknown filter at runtime). */
export class TemplateRuntimeError extends TemplateError {}
TemplateRuntimeError.prototype.name = 'TemplateRuntimeError';

/** A filter received arguments it cannot use. */
export class FilterArgumentError extends TemplateRuntimeError {}
FilterArgumentError.prototype.name = 'FilterArgumentError';

/** The sandbox refused an operation. */
export class SecurityError extends TemplateRuntimeError {}
SecurityError.prototype.name = 'SecurityError';

const PY_ERROR = Symbol('jinja.pyError');

/** An error carrying a Python exception class name (TypeError, ValueError, ZeroDivisionError, ...). */
export function pyError(pyName: string, message: string): Error {
  const limit = deepenStacks();
  const base = pyName === 'TypeError' ? new TypeError(message) : new Error(message);
  if (limit !== null) Error.stackTraceLimit = limit;
  if (pyName !== 'TypeError') base.name = pyName;
  Object.defineProperty(base, PY_ERROR, { value: true });
  return base;
}

/** True for the Python-named errors the engine raises (TypeError, ValueError, ZeroDivisionError, ...). */
export function isPyError(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { [PY_ERROR]?: boolean })[PY_ERROR] === true;
}
