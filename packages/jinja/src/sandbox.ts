/**
 * SandboxedEnvironment: the same engine with attribute access and calls checked, so untrusted
 * templates cannot reach JavaScript's prototype plumbing (`constructor`, `__proto__`, ...), build
 * functions from strings, or call functions marked unsafe.
 */
import { Environment, type EnvironmentOptions } from './environment.js';
import { SecurityError } from './errors.js';
import { Kwargs } from './runtime/calls.js';
import { typeName } from './runtime/python.js';
import type { Context } from './runtime/runtime.js';
import * as runtime from './runtime/runtime.js';

const UNSAFE_NAMES = new Set([
  ...runtime.BLOCKED,
  'valueOf',
  'toString',
  'toLocaleString',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
]);

const FUNCTION_CTORS = new Set<unknown>([
  Function,
  Object.getPrototypeOf(async () => {}).constructor,
  Object.getPrototypeOf(function* () {}).constructor,
  Object.getPrototypeOf(async function* () {}).constructor,
  Reflect.get(globalThis, 'eval'),
  setTimeout,
  setInterval,
  setImmediate,
  queueMicrotask,
]);

/** Marks a function as unsafe to call from sandboxed templates (Jinja's `unsafe`). */
export function unsafeCallable<F extends object>(fn: F): F {
  Object.defineProperty(fn, 'unsafe_callable', { value: true });
  return fn;
}

/** An Environment for untrusted templates. */
export class SandboxedEnvironment extends Environment {
  override readonly sandboxed: boolean = true;

  constructor(opts: EnvironmentOptions = {}) {
    super(opts);
    this.clearCache();
  }

  /** Attributes starting with `_` and JS prototype plumbing are unsafe. */
  override isSafeAttribute(obj: unknown, attr: string, value: unknown): boolean {
    if (attr.startsWith('_') && attr !== '__html__') return false;
    if (UNSAFE_NAMES.has(attr)) {
      // own data properties of plain objects (a dict key named "call") are fine
      if (obj !== null && typeof obj === 'object' && Object.hasOwn(obj, attr) && !FUNCTION_CTORS.has(value)) {
        const p = Object.getPrototypeOf(obj);
        if (p === null || p === Object.prototype) return true;
      }
      return false;
    }
    if (FUNCTION_CTORS.has(value)) return false;
    return true;
  }

  /** Function constructors, timers and functions marked `unsafe_callable`/`alters_data` are unsafe. */
  override isSafeCallable(fn: unknown): boolean {
    if (FUNCTION_CTORS.has(fn)) return false;
    if (typeof fn === 'function' || (fn !== null && typeof fn === 'object')) {
      const f = fn as { unsafe_callable?: unknown; alters_data?: unknown };
      if (f.unsafe_callable === true || f.alters_data === true) return false;
    }
    return true;
  }

  override getattr(obj: unknown, name: string): unknown {
    if (!this.isSafeAttribute(obj, name, undefined)) {
      throw new SecurityError(`access to attribute '${name}' of '${typeName(obj)}' object is unsafe.`);
    }
    const v = runtime.getattr(this, obj, name);
    if (FUNCTION_CTORS.has(v)) {
      throw new SecurityError(`access to attribute '${name}' of '${typeName(obj)}' object is unsafe.`);
    }
    return v;
  }

  override getitem(obj: unknown, key: unknown): unknown {
    if (typeof key === 'string' && !this.isSafeAttribute(obj, key, undefined)) {
      throw new SecurityError(`access to attribute '${key}' of '${typeName(obj)}' object is unsafe.`);
    }
    const v = runtime.getitem(this, obj, key);
    if (FUNCTION_CTORS.has(v))
      throw new SecurityError(`access to item ${String(key)} of '${typeName(obj)}' object is unsafe.`);
    return v;
  }

  override call(
    context: Context | null,
    fn: unknown,
    args: readonly unknown[],
    kwargs?: Record<string, unknown> | null,
  ): unknown {
    if (!this.isSafeCallable(fn)) throw new SecurityError(`${typeName(fn)} is not safely callable`);
    const kw = kwargs ? (kwargs instanceof Kwargs ? kwargs : new Kwargs(kwargs)) : null;
    return super.call(context, fn, args, kw);
  }
}
