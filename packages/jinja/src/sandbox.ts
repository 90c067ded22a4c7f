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
import { Undefined } from './runtime/undefined.js';

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

/** A plain object (the engine's dict) or a Map. */
function isDict(obj: unknown): obj is object {
  if (obj instanceof Map) return true;
  if (obj === null || typeof obj !== 'object') return false;
  const p = Object.getPrototypeOf(obj);
  return p === null || p === Object.prototype;
}

/**
 * A dict's own item: a plain object's own key, a Map's key. Jinja2's sandbox checks attributes only, and a
 * dict's items are data (`d._x`, `d["_y"]`: dbt's macros keep helpers under `_` keys).
 */
function isDictItem(obj: unknown, key: string): boolean {
  if (obj instanceof Map) return obj.has(key);
  return isDict(obj) && Object.hasOwn(obj, key);
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
    if (attr.startsWith('_') && attr !== '__html__')
      return isDictItem(obj, attr) && !FUNCTION_CTORS.has(value);
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

  /**
   * Jinja2's `unsafe_undefined`: a refused attribute is an Undefined that raises SecurityError once used
   * (called, iterated, printed by a strict Undefined); printed by the default Undefined it is empty.
   */
  unsafeUndefined(obj: unknown, attr: string): unknown {
    const u = this.makeUndefined(
      `access to attribute '${attr}' of '${typeName(obj)}' object is unsafe.`,
      obj,
      attr,
    );
    Object.defineProperty(u, 'undefinedExc', { value: SecurityError });
    return u;
  }

  override getattr(obj: unknown, name: string): unknown {
    // an attribute of an Undefined raises its error (a refused attribute's SecurityError), as in Jinja2
    if (obj instanceof Undefined) return runtime.getattr(this, obj, name);
    if (!this.isSafeAttribute(obj, name, undefined)) return this.unsafeUndefined(obj, name);
    const v = runtime.getattr(this, obj, name);
    if (FUNCTION_CTORS.has(v)) return this.unsafeUndefined(obj, name);
    return v;
  }

  override getitem(obj: unknown, key: unknown): unknown {
    if (typeof key === 'string' && !isDictItem(obj, key) && !this.isSafeAttribute(obj, key, undefined)) {
      return this.unsafeUndefined(obj, key);
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

/** Methods that change a list, dict or set, by the names templates call them (Python's and JS's own). */
const MUTATING: readonly [(obj: unknown) => boolean, ReadonlySet<string>][] = [
  [
    Array.isArray,
    new Set([
      'append',
      'extend',
      'insert',
      'pop',
      'remove',
      'reverse',
      'sort',
      'clear',
      'push',
      'shift',
      'unshift',
      'splice',
      'fill',
      'copyWithin',
    ]),
  ],
  [
    (o) => o instanceof Set,
    new Set([
      'add',
      'clear',
      'difference_update',
      'discard',
      'intersection_update',
      'pop',
      'remove',
      'symmetric_difference_update',
      'update',
      'delete',
    ]),
  ],
  [isDict, new Set(['clear', 'pop', 'popitem', 'setdefault', 'update', 'set', 'delete'])],
];

/** True when `attr` of `obj` is a method that changes a list, dict or set (Jinja2's `modifies_known_mutable`). */
export function modifiesKnownMutable(obj: unknown, attr: string): boolean {
  for (const [is, names] of MUTATING) if (names.has(attr) && is(obj)) return true;
  return false;
}

/**
 * A sandbox whose templates cannot change the lists, dicts and sets they are given (Jinja2's
 * `ImmutableSandboxedEnvironment`, what Hugging Face renders chat templates with): `append`, `update`, `pop`...
 * on them are refused as unsafe. Assignments with `{% set %}` and namespaces still work.
 */
export class ImmutableSandboxedEnvironment extends SandboxedEnvironment {
  override isSafeAttribute(obj: unknown, attr: string, value: unknown): boolean {
    if (!super.isSafeAttribute(obj, attr, value)) return false;
    return !modifiesKnownMutable(obj, attr);
  }
}
