/** A minimal Environment/Context for calling builtins directly in unit tests. */
import { DEFAULT_FILTERS } from '../../src/builtins/filters.js';
import { getPyMethod } from '../../src/builtins/pymethods.js';
import { DEFAULT_TESTS } from '../../src/builtins/tests.js';
import { TemplateRuntimeError } from '../../src/errors.js';
import { Kwargs, passKind } from '../../src/runtime/calls.js';
import { isDict } from '../../src/runtime/python.js';
import type { Context, Environment, EvalContext } from '../../src/runtime/types.js';
import { Undefined, type UndefinedClass } from '../../src/runtime/undefined.js';

export function makeEnv(U: UndefinedClass = Undefined, autoescape = false) {
  const env = {
    filters: DEFAULT_FILTERS,
    tests: DEFAULT_TESTS,
    globals: {},
    undefined: U,
    sandboxed: false,
    getattr(obj: unknown, name: string): unknown {
      if (obj instanceof Undefined) return obj.getattr(name);
      const m = getPyMethod(obj, name);
      if (m !== undefined) return m;
      if (isDict(obj) && Object.hasOwn(obj, name)) return (obj as Record<string, unknown>)[name];
      if (obj !== null && typeof obj === 'object' && !isDict(obj) && !Array.isArray(obj) && name in obj) {
        return (obj as Record<string, unknown>)[name];
      }
      return new U(null, obj, name);
    },
    getitem(obj: unknown, key: unknown): unknown {
      if (obj instanceof Undefined) return obj.getitem(key);
      if (Array.isArray(obj) && typeof key === 'number') {
        const j = key < 0 ? obj.length + key : key;
        return j >= 0 && j < obj.length ? obj[j] : new U(null, obj, key);
      }
      if (isDict(obj) && Object.hasOwn(obj, String(key)))
        return (obj as Record<string, unknown>)[String(key)];
      if (typeof key === 'string') return env.getattr(obj, key);
      return new U(null, obj, key);
    },
    makeUndefined(hint?: string | null, obj?: unknown, name?: unknown) {
      return new U(hint, obj, name);
    },
    callFilter(
      name: string,
      value: unknown,
      args: readonly unknown[] = [],
      kwargs?: Record<string, unknown> | null,
      context?: unknown,
    ) {
      const f = env.filters[name] as unknown as ((...a: unknown[]) => unknown) | undefined;
      if (!f) throw new TemplateRuntimeError(`No filter named '${name}'.`);
      return invoke(f, value, args, kwargs, context);
    },
    callTest(
      name: string,
      value: unknown,
      args: readonly unknown[] = [],
      kwargs?: Record<string, unknown> | null,
      context?: unknown,
    ) {
      const f = env.tests[name] as unknown as ((...a: unknown[]) => unknown) | undefined;
      if (!f) throw new TemplateRuntimeError(`No test named '${name}'.`);
      return Boolean(invoke(f, value, args, kwargs, context));
    },
    isSafeAttribute: () => true,
    isSafeCallable: () => true,
    call: () => null,
  } as unknown as Environment;
  const evalContext: EvalContext = { autoescape, volatile: false, environment: env };
  const context = { environment: env, evalContext, name: null } as unknown as Context;
  function invoke(
    f: (...a: unknown[]) => unknown,
    value: unknown,
    args: readonly unknown[],
    kwargs: Record<string, unknown> | null | undefined,
    _ctx: unknown,
  ) {
    const a: unknown[] = [value, ...args];
    if (kwargs && Object.keys(kwargs).length) a.push(new Kwargs(kwargs));
    const kind = passKind(f);
    if (kind === 'context') return f(context, ...a);
    if (kind === 'evalContext') return f(evalContext, ...a);
    if (kind === 'environment') return f(env, ...a);
    return f(...a);
  }
  /** Calls a filter the way a template would: `filter(name, value, ...args)` with an optional Kwargs last. */
  const filter = (name: string, value: unknown, ...args: unknown[]): unknown => {
    const last = args[args.length - 1];
    const kw = last instanceof Kwargs ? { ...last } : null;
    return env.callFilter(name, value, kw ? args.slice(0, -1) : args, kw, context);
  };
  const test = (name: string, value: unknown, ...args: unknown[]): boolean =>
    env.callTest(name, value, args, null, context);
  return { env, evalContext, context, filter, test };
}

export const kw = (o: Record<string, unknown>): Kwargs => new Kwargs(o);
