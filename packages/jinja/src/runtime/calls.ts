/**
 * Calling convention between compiled templates and JavaScript functions (filters, tests, globals,
 * macros). Keyword arguments travel as a trailing `Kwargs` instance so positional and named
 * arguments stay distinguishable without a second parameter.
 */

/** Keyword arguments of a template call `f(a, b=1)`: passed as the LAST argument, an instance of Kwargs. */
export class Kwargs {
  [key: string]: unknown;
  constructor(init?: Record<string, unknown>) {
    if (init) {
      // the common case in one fast copy; a `__proto__` key must stay an own property (assign would set it)
      if (!Object.hasOwn(init, '__proto__')) {
        Object.assign(this, init);
        return;
      }
      for (const k of Object.keys(init)) {
        if (k === '__proto__')
          Object.defineProperty(this, k, {
            value: init[k],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else this[k] = init[k];
      }
    }
  }
}

/** True when `v` is the keyword-argument bag of a template call. */
export function isKwargs(v: unknown): v is Kwargs {
  return v instanceof Kwargs;
}

/** What a marked function receives as its first argument. */
export type PassKind = 'context' | 'evalContext' | 'environment';

const PASS = Symbol.for('phial.jinja.pass');

function mark<F>(fn: F, kind: PassKind): F {
  Object.defineProperty(fn, PASS, { value: kind, configurable: true });
  return fn;
}

/** Like Jinja's `pass_context`: the engine passes the active Context as the first argument. */
export function passContext<F>(fn: F): F {
  return mark(fn, 'context');
}

/** Like Jinja's `pass_eval_context`: the engine passes the EvalContext as the first argument. */
export function passEvalContext<F>(fn: F): F {
  return mark(fn, 'evalContext');
}

/** Like Jinja's `pass_environment`: the engine passes the Environment as the first argument. */
export function passEnvironment<F>(fn: F): F {
  return mark(fn, 'environment');
}

/** Which object (if any) a function asked to receive first. */
export function passKind(fn: unknown): PassKind | undefined {
  if (fn === null || (typeof fn !== 'function' && typeof fn !== 'object')) return undefined;
  return (fn as { [PASS]?: PassKind })[PASS];
}

const POSITIONAL = Symbol.for('phial.jinja.positional');

/** A variant of a filter/test for calls with exactly N positional arguments and no keywords. */
// biome-ignore lint/suspicious/noExplicitAny: variants take the same arguments as the function they speed up
type Variant = (...args: any[]) => unknown;

/**
 * Attaches fixed-arity variants to a builtin (index = number of positional arguments after the value):
 * compiled templates call one directly when a call site passes exactly that many positionals and no
 * keywords, skipping rest-parameter allocation and keyword detection. Variants must behave exactly like
 * `fn` for those calls (they receive the same pass-prefix argument, if any).
 */
export function withPositional<F>(fn: F, variants: (Variant | null)[]): F {
  Object.defineProperty(fn, POSITIONAL, { value: variants, configurable: true });
  return fn;
}

/**
 * The function a call site with `count` positional arguments (and no keywords) should call: the
 * registered variant, or `fn` itself (used by generated code when the template module is built).
 */
export function positionalVariant(fn: unknown, count: number): unknown {
  if (fn === null || (typeof fn !== 'function' && typeof fn !== 'object')) return fn;
  const v = (fn as { [POSITIONAL]?: (Variant | null)[] })[POSITIONAL];
  return v?.[count] || fn;
}

/** True when `fn` has a fixed-arity variant for `count` positional arguments. */
export function hasPositionalVariant(fn: unknown, count: number): boolean {
  return positionalVariant(fn, count) !== fn;
}
