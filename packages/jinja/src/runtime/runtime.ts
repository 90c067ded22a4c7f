/**
 * The helpers compiled templates call at render time: the Context, loops, macros, attribute and item
 * lookup, calls, output conversion, includes and imports.
 */

import { getPyMethod } from '../builtins/pymethods.js';
import {
  pyError,
  SecurityError,
  TemplateNotFound,
  TemplateRuntimeError,
  TemplatesNotFound,
} from '../errors.js';
import { Kwargs, passKind, positionalVariant } from './calls.js';
import { escapeString, hasHtml, Markup } from './markup.js';
import { pyClassOf } from './pyclass.js';
import { eq, isDict, isTuple, pyStr, toList, truthy, tuple, typeName } from './python.js';
import type { Context as ContextShape, Environment as EnvShape, EvalContext } from './types.js';
import { MISSING, Undefined, type UndefinedClass } from './undefined.js';

/** A compiled block: renders with the given context and returns the output. */
export type BlockFn = (ctx: Context) => string;

/** How a template renders: sync (false), async (true) or as a generator of chunks ('stream'). */
export type RenderMode = boolean | 'stream';

/** The parts of a Template the runtime needs (the class lives in environment.ts). */
export interface TemplateLike {
  name: string | null;
  compiled(mode: RenderMode): { root: (ctx: Context) => string; blocks: Record<string, BlockFn> };
  newContext(
    vars?: Record<string, unknown> | null,
    shared?: boolean,
    locals?: Record<string, unknown> | null,
    mode?: RenderMode,
  ): Context;
  makeModule(
    vars?: Record<string, unknown> | null,
    shared?: boolean,
    locals?: Record<string, unknown> | null,
  ): TemplateModule;
  makeModuleAsync(
    vars?: Record<string, unknown> | null,
    shared?: boolean,
    locals?: Record<string, unknown> | null,
  ): Promise<TemplateModule>;
  getDefaultModule(): TemplateModule;
  getDefaultModuleAsync(): Promise<TemplateModule>;
}

/** The environment features the runtime uses. */
export interface RuntimeEnv extends EnvShape {
  /** getTemplate as used while rendering (cached freshness checks; see Environment). */
  templateForRender(name: unknown, parent: string | null): TemplateLike;
  /** selectTemplate as used while rendering. */
  selectForRender(names: unknown, parent: string | null): TemplateLike;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Jinja's Context: the template's own variables (`vars`), the render's variables (`parent`) and the
 * globals (`globalLayers`, highest priority first), plus the block stacks for inheritance. The render's
 * object is read in place (own properties only) rather than copied.
 */
export class Context implements ContextShape {
  environment: RuntimeEnv;
  evalContext: EvalContext;
  name: string | null;
  /** The render's variables: the caller's object (read-only, own keys) or a null-prototype copy. */
  parent: Record<string, unknown>;
  /** Globals below `parent`, highest priority first. */
  globalLayers: Record<string, unknown>[];
  /** True when `parent` is the caller's object (only own properties count). */
  private parentIsForeign: boolean;
  vars: Record<string, unknown> = Object.create(null);
  private exported: Set<string> | null = null;
  /** Names the template exports (top-level `set`, macros); made on first use. */
  get exportedVars(): Set<string> {
    if (this.exported === null) this.exported = new Set();
    return this.exported;
  }
  blocks: Record<string, BlockFn[]>;

  constructor(
    env: RuntimeEnv,
    parent: Record<string, unknown>,
    name: string | null,
    blocks: Record<string, BlockFn> | null,
    autoescape: boolean,
    globalLayers: Record<string, unknown>[] = [],
    parentIsForeign = false,
  ) {
    this.environment = env;
    this.parent = parent;
    this.globalLayers = globalLayers;
    this.parentIsForeign = parentIsForeign;
    this.name = name;
    this.evalContext = { autoescape, volatile: false, environment: env };
    const b: Record<string, BlockFn[]> = Object.create(null);
    if (blocks) for (const k in blocks) b[k] = [blocks[k]!];
    this.blocks = b;
  }

  resolveOrMissing(name: string): unknown {
    let v = this.vars[name];
    if (v !== undefined) return v;
    const p = this.parent;
    if (!this.parentIsForeign || hasOwn.call(p, name)) {
      v = p[name];
      if (v !== undefined) return v;
    }
    const layers = this.globalLayers;
    for (let i = 0; i < layers.length; i++) {
      const g = layers[i]!;
      if (hasOwn.call(g, name)) {
        v = g[name];
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  resolve(name: string): unknown {
    const v = this.resolveOrMissing(name);
    if (v !== undefined) return v;
    return new this.environment.undefined(null, MISSING, name);
  }

  getAll(): Record<string, unknown> {
    const all: Record<string, unknown> = Object.create(null);
    for (let i = this.globalLayers.length - 1; i >= 0; i--) {
      const g = this.globalLayers[i]!;
      for (const k of Object.keys(g)) all[k] = g[k];
    }
    const p = this.parent;
    if (this.parentIsForeign) for (const k of Object.keys(p)) all[k] = p[k];
    else for (const k in p) all[k] = p[k];
    for (const k in this.vars) all[k] = this.vars[k];
    return all;
  }

  /** A context sharing this one's blocks whose variables also include `locals` (scoped blocks). */
  derived(locals: Record<string, unknown>): Context {
    const data = this.getAll();
    for (const k in locals) if (locals[k] !== undefined) data[k] = locals[k];
    const c = new Context(this.environment, data, this.name, null, this.evalContext.autoescape);
    c.blocks = this.blocks;
    c.evalContext = this.evalContext;
    return c;
  }

  /** The block that `super()` inside `current` refers to, as a callable, or an Undefined. */
  superBlock(name: string, current: BlockFn): unknown {
    const stack = this.blocks[name];
    const i = stack ? stack.indexOf(current) : -1;
    if (!stack || i === -1 || i + 1 >= stack.length) {
      return new this.environment.undefined(`there is no parent block called '${name}'.`, MISSING, 'super');
    }
    return blockReference(this, stack[i + 1]!);
  }
}

/** Collects a stream-mode generator's chunks (where a string is needed). */
export function joinGen(r: unknown): string {
  if (typeof r === 'string') return r;
  let s = '';
  for (const chunk of r as Iterable<string>) s += chunk;
  return s;
}

/** Wraps rendered output (a string, a stream-mode generator or an async-mode promise) as Markup when escaping. */
function wrapOutput(r: unknown, autoescape: boolean): unknown {
  if (r !== null && typeof r === 'object' && typeof (r as Promise<string>).then === 'function') {
    return (r as Promise<string>).then((s) => (autoescape ? new Markup(s) : s));
  }
  const s = joinGen(r);
  return autoescape ? new Markup(s) : s;
}

function blockReference(ctx: Context, fn: BlockFn): () => unknown {
  return () => wrapOutput(fn(ctx), ctx.evalContext.autoescape);
}

/** `self` inside templates: `self.blockname()` renders that block again. */
export class TemplateReference {
  constructor(readonly context: Context) {}
  getBlock(name: string): unknown {
    const stack = this.context.blocks[name];
    if (!stack)
      return new this.context.environment.undefined(`there is no block called '${name}'.`, MISSING, name);
    return blockReference(this.context, stack[0]!);
  }
  toString(): string {
    return `<TemplateReference ${this.context.name ? `'${this.context.name}'` : 'None'}>`;
  }
}

/** What `{% import %}` gives: the template's exported macros and variables as attributes. */
export class TemplateModule {
  [name: string]: unknown;
  constructor(exports: Record<string, unknown>, body: string, name: string | null) {
    Object.defineProperty(this, '__body', { value: body });
    Object.defineProperty(this, '__name', { value: name });
    Object.assign(this, exports);
  }
  toString(): string {
    return (this as unknown as { __body: string }).__body;
  }
  __html__(): string {
    return (this as unknown as { __body: string }).__body;
  }
}

/** The `loop` variable of a for loop. */
export class LoopContext {
  index0 = -1;
  private lastChanged: unknown = MISSING;
  constructor(
    readonly items: unknown[],
    private U: UndefinedClass,
    readonly depth0 = 0,
    private recurseFn: ((items: unknown, depth: number) => string) | null = null,
    private autoescape = false,
  ) {}
  get length(): number {
    return this.items.length;
  }
  get index(): number {
    return this.index0 + 1;
  }
  get revindex(): number {
    return this.items.length - this.index0;
  }
  get revindex0(): number {
    return this.items.length - this.index0 - 1;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return this.index0 === this.items.length - 1;
  }
  get depth(): number {
    return this.depth0 + 1;
  }
  get previtem(): unknown {
    if (this.index0 === 0) return new this.U('there is no previous item', MISSING, 'previtem');
    return this.items[this.index0 - 1];
  }
  get nextitem(): unknown {
    if (this.index0 + 1 >= this.items.length) return new this.U('there is no next item', MISSING, 'nextitem');
    return this.items[this.index0 + 1];
  }
  cycle = (...args: unknown[]): unknown => {
    if (args.length && args[args.length - 1] instanceof Kwargs) args.pop();
    if (!args.length) throw pyError('TypeError', 'no items for cycling given');
    return args[this.index0 % args.length];
  };
  changed = (...args: unknown[]): boolean => {
    if (this.lastChanged === MISSING || !eq(this.lastChanged, args)) {
      this.lastChanged = args;
      return true;
    }
    return false;
  };
  /** `loop(children)` in a recursive loop. */
  recurse(iterable: unknown): unknown {
    if (!this.recurseFn) {
      throw pyError('TypeError', "The loop must have the 'recursive' marker to be called recursively.");
    }
    return wrapOutput(this.recurseFn(iterable, this.depth0 + 1), this.autoescape);
  }
  toString(): string {
    return `<LoopContext ${this.index}/${this.length}>`;
  }
}

// ------------------------------------------------------------------------------------------
// output

/** Python `str()` of a number where JS agrees (ints; floats between 1e-4 and 1e16), else null. */
function fastNum(v: number): string | null {
  if ((v | 0) === v) return String(v);
  if (Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : null;
  const a = v < 0 ? -v : v;
  return a >= 1e-4 && a < 1e16 ? String(v) : null;
}

/** Output conversion without escaping (Python `str()`). */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return fastNum(v) ?? pyStr(v);
  return pyStr(v);
}

/** HTML-escapes a plain string (MarkupSafe's table), copying only when something needs escaping. */
export const escapeHtml: (s: string) => string = escapeString;

/**
 * Output conversion with autoescape: Markup and `__html__` objects pass, everything else is escaped.
 * Kept tiny so V8 inlines it at every output site of a template (a large `esc` exhausts the inlining
 * budget of big template functions, leaving filters there as real calls); non-strings go out of line.
 */
export function esc(v: unknown): string {
  return typeof v === 'string' ? escapeString(v) : escNonString(v);
}

/** `esc` for everything but plain strings. */
function escNonString(v: unknown): string {
  if (typeof v === 'number') {
    const f = fastNum(v);
    if (f !== null) return f;
  }
  if (v instanceof Markup) return v.valueOf();
  if (hasHtml(v)) return v.__html__();
  return escapeString(pyStr(v));
}

/** The value of captured output (`set` blocks, macros, `caller()`): Markup under autoescape. */
export function captured(s: string, autoescape: boolean): string | Markup {
  return autoescape ? new Markup(s) : s;
}

// ------------------------------------------------------------------------------------------
// attribute and item lookup

/** Names templates can never read on any object: the ways from a value to its constructor or to Function. */
export const BLOCKED = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
  'call',
  'apply',
  'bind',
]);

function isPlainObject(o: object): boolean {
  const p = Object.getPrototypeOf(o);
  return p === null || p === Object.prototype;
}

function isMapLike(o: object): o is { get(k: unknown): unknown; has(k: unknown): boolean } {
  return (
    typeof (o as { get?: unknown }).get === 'function' && typeof (o as { has?: unknown }).has === 'function'
  );
}

/** True for JS properties that templates must not see (prototype plumbing). */
export function isInternalProperty(obj: object, name: string): boolean {
  if (BLOCKED.has(name))
    return !(
      typeof obj === 'function' &&
      (hasOwn.call(obj, name) || (MACRO_ATTRS.has(name) && isMacro(obj))) &&
      name !== 'prototype'
    );
  if (name in Object.prototype) return !hasOwn.call(obj, name);
  if (typeof obj === 'function' && name in Function.prototype) return !hasOwn.call(obj, name);
  return false;
}

/** Looks up a JS property of a class instance (bound when a method); `undefined` when absent. */
function jsProperty(obj: object, name: string): unknown {
  if (!(name in obj) || isInternalProperty(obj, name)) return undefined;
  const v = (obj as Record<string, unknown>)[name];
  if (typeof v === 'function' && !hasOwn.call(obj, name)) return v.bind(obj);
  return v;
}

/** Names that resolve to a dict's Python method, not to its key (`d.items` is the method, as in Jinja). */
export const DICT_METHODS = new Set([
  'clear',
  'copy',
  'fromkeys',
  'get',
  'items',
  'keys',
  'pop',
  'popitem',
  'setdefault',
  'update',
  'values',
  '__getitem__',
  '__contains__',
  '__len__',
  '__iter__',
  '__class__',
]);

/** `obj.name` as Jinja's `environment.getattr`: attribute first, then item. */
export function getattr(env: EnvShape, obj: unknown, name: string): unknown {
  if (obj === null || obj === undefined) return missingAttr(env, obj, name);
  const t = typeof obj;
  if (t === 'object') {
    const o = obj as object;
    // plain objects (dicts) first: the common case, and none of the kinds below is one
    if (isPlainObject(o)) {
      if (DICT_METHODS.has(name)) {
        if (name === '__class__') return pyClassOf(o);
        const m = getPyMethod(o, name);
        if (m !== undefined) return m;
      }
      if (hasOwn.call(o, name)) {
        const v = (o as Record<string, unknown>)[name];
        if (v !== undefined) return v;
      }
      return missingAttr(env, obj, name);
    }
    // an imported template's macros and variables (`ui.button(...)`): own properties, read directly
    if (o instanceof TemplateModule && hasOwn.call(o, name) && !BLOCKED.has(name)) {
      const v = (o as Record<string, unknown>)[name];
      if (v !== undefined) return v;
    }
    if (o instanceof Undefined) return o.getattr(name);
    if (Array.isArray(o) || o instanceof Markup) {
      const m = getPyMethod(o, name);
      if (m !== undefined) return m;
      return missingAttr(env, obj, name);
    }
    if (o instanceof Map) {
      const m = getPyMethod(o, name);
      if (m !== undefined) return m;
      if (o.has(name)) return o.get(name);
      return missingAttr(env, obj, name);
    }
    if (o instanceof TemplateReference) return o.getBlock(name);
    const v = jsProperty(o, name);
    if (v !== undefined) return v;
    if (isMapLike(o) && o.has(name)) return o.get(name);
    // Python attributes of values standing for Python objects (a Date's `year`, `strftime`, ...)
    const m = getPyMethod(o, name);
    if (m !== undefined) return m;
    return missingAttr(env, obj, name);
  }
  if (t === 'string') {
    const m = getPyMethod(obj, name);
    if (m !== undefined) return m;
    return missingAttr(env, obj, name);
  }
  if (t === 'function') {
    const v = jsProperty(obj as object, name);
    if (v !== undefined) return v;
  } else if (t === 'number') {
    const m = getPyMethod(obj, name);
    if (m !== undefined) return m;
  }
  return missingAttr(env, obj, name);
}

/** An attribute the value lacks: Python's `__class__` for every value, else an Undefined. */
function missingAttr(env: EnvShape, obj: unknown, name: string): unknown {
  if (name === '__class__') return pyClassOf(obj);
  if (name === '__name__' && typeof obj === 'function') return obj.name;
  return new env.undefined(null, obj ?? null, name);
}

/** `obj[key]` as Jinja's `environment.getitem`: item first, then attribute for string keys. */
export function getitem(env: EnvShape, obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return new env.undefined(null, obj ?? null, key);
  if (typeof obj === 'object') {
    const o = obj as object;
    if (o instanceof Undefined) return o.getitem(key);
    if (Array.isArray(o)) {
      const i = typeof key === 'number' ? key : typeof key === 'boolean' ? +key : NaN;
      if (Number.isInteger(i)) {
        const j = i < 0 ? o.length + i : i;
        if (j >= 0 && j < o.length) return o[j];
        return new env.undefined(null, obj, key);
      }
    } else if (o instanceof Map) {
      if (o.has(key)) return o.get(key);
      if (typeof key === 'number' && o.has(String(key))) return o.get(String(key));
      // a tuple key is found by value, as Python hashes it (`{(1, 2): 'a'}[(1, 2)]`)
      if (isTuple(key)) for (const [k, v] of o) if (eq(k, key)) return v;
      return new env.undefined(null, obj, key);
    } else if (isPlainObject(o)) {
      if (typeof key === 'string' && hasOwn.call(o, key)) {
        const v = (o as Record<string, unknown>)[key];
        if (v !== undefined) return v;
      }
      if (typeof key !== 'string') return new env.undefined(null, obj, key);
      return getattr(env, obj, key);
    } else if (o instanceof Markup) {
      if (typeof key === 'number' && Number.isInteger(key)) {
        const s = Array.from(o.valueOf());
        const j = key < 0 ? s.length + key : key;
        if (j >= 0 && j < s.length) return new Markup(s[j]);
        return new env.undefined(null, obj, key);
      }
    } else if (typeof (o as { __getitem__?: unknown }).__getitem__ === 'function') {
      // a host object standing for a Python container: its __getitem__ (lookup errors mean "missing")
      try {
        return (o as { __getitem__: (k: unknown) => unknown }).__getitem__(key);
      } catch (err) {
        const n = (err as Error)?.name;
        if (n !== 'KeyError' && n !== 'IndexError' && n !== 'LookupError' && n !== 'TypeError') throw err;
      }
    } else if (isMapLike(o) && !(o instanceof TemplateReference)) {
      if (o.has(key)) return o.get(key);
    }
  } else if (typeof obj === 'string') {
    if (typeof key === 'number' && Number.isInteger(key)) {
      const s = /[\ud800-\udfff]/.test(obj) ? Array.from(obj) : obj;
      const j = key < 0 ? s.length + key : key;
      if (j >= 0 && j < s.length) return s[j];
      return new env.undefined(null, obj, key);
    }
  }
  if (typeof key === 'string') return getattr(env, obj, key);
  return new env.undefined(null, obj, key);
}

// ------------------------------------------------------------------------------------------
// calls

function argsWithKwargs(args: unknown[], kwargs: Kwargs | null): unknown[] {
  if (kwargs !== null) {
    for (const _ in kwargs) {
      args.push(kwargs);
      break;
    }
  }
  return args;
}

/** Calls a template-visible value with Jinja's conventions (pass_context & co, Kwargs last). */
export function call(ctx: Context, fn: unknown, args: unknown[], kwargs: Kwargs | null): unknown {
  if (typeof fn === 'function') {
    const inv = (fn as unknown as { [INVOKE]?: (a: unknown[], k: Kwargs | null) => unknown })[INVOKE];
    if (inv !== undefined) return inv(args, kwargs);
    const kind = (fn as unknown as { [k: symbol]: unknown })[PASS_SYM] as string | undefined;
    if (kind !== undefined)
      args.unshift(kind === 'context' ? ctx : kind === 'evalContext' ? ctx.evalContext : ctx.environment);
    return noneIfUndefined((fn as (...a: unknown[]) => unknown)(...argsWithKwargs(args, kwargs)));
  }
  if (fn instanceof Undefined) return fn.call();
  if (fn instanceof LoopContext) return fn.recurse(args[0]);
  if (
    fn !== null &&
    typeof fn === 'object' &&
    typeof (fn as { __call__?: unknown }).__call__ === 'function'
  ) {
    return noneIfUndefined(
      (fn as { __call__: (...a: unknown[]) => unknown }).__call__(...argsWithKwargs(args, kwargs)),
    );
  }
  throw pyError('TypeError', `'${typeName(fn)}' object is not callable`);
}

/**
 * A call's result as Python sees it: every Python call returns a value, and "nothing" is None. A JS
 * function returning `undefined` (`session.get('missing')`, a void helper) is therefore `none` in the
 * template (`is none` true, printed `None`), as its Python twin would be; only a missing attribute or
 * variable is Undefined.
 */
function noneIfUndefined(r: unknown): unknown {
  if (r === undefined) return null;
  if (r instanceof Promise) return r.then((v) => (v === undefined ? null : v));
  return r;
}

const PASS_SYM = Symbol.for('phial.jinja.pass');

/** Spreads `*args` of a call. */
export function starArgs(v: unknown): unknown[] {
  return toList(v);
}

/**
 * Merges `**kwargs` of a call into a Kwargs; a key also given as an explicit keyword is a TypeError,
 * as in Python (`callee` names the function in the message).
 */
export function starKwargs(into: Kwargs, v: unknown, callee = 'call()'): Kwargs {
  const put = (k: string, x: unknown) => {
    if (hasOwn.call(into, k)) {
      throw pyError('TypeError', `${callee} got multiple values for keyword argument '${k}'`);
    }
    if (k === '__proto__')
      Object.defineProperty(into, k, { value: x, enumerable: true, writable: true, configurable: true });
    else into[k] = x;
  };
  if (v instanceof Map) for (const [k, x] of v) put(String(k), x);
  else if (v !== null && typeof v === 'object' && !(v instanceof Undefined)) {
    for (const k of Object.keys(v)) put(k, (v as Record<string, unknown>)[k]);
  } else if (v instanceof Undefined) v.iter();
  else throw pyError('TypeError', 'argument after ** must be a mapping');
  return into;
}

/** A filter referenced in an untaken branch that does not exist: fails only when called. */
export function missingFilter(name: string): () => never {
  return () => {
    throw new TemplateRuntimeError(`No filter named '${name}' found.`);
  };
}

/** A test referenced in an untaken branch that does not exist: fails only when called. */
export function missingTest(name: string): () => never {
  return () => {
    throw new TemplateRuntimeError(`No test named '${name}' found.`);
  };
}

/** The first argument a marked filter/test wants. */
export function passArg(fn: unknown, ctx: Context): unknown {
  const k = passKind(fn);
  return k === 'context'
    ? ctx
    : k === 'evalContext'
      ? ctx.evalContext
      : k === 'environment'
        ? ctx.environment
        : undefined;
}

// ------------------------------------------------------------------------------------------
// macros

const MACRO_SYM = Symbol.for('phial.jinja.macro');
const INVOKE = Symbol('invoke');

/** The shape of a compiled macro body: receives bound arguments in declaration order. */
export type MacroBody = (...args: unknown[]) => string | Markup;

/** A macro as templates and JavaScript see it: a function with Jinja's Macro attributes. */
export interface Macro {
  (...args: unknown[]): string | Markup;
  readonly name: string;
  readonly arguments: readonly string[];
  readonly catch_kwargs: boolean;
  readonly catch_varargs: boolean;
  readonly caller: boolean;
}

/**
 * Wraps a compiled macro body with Jinja's argument binding: positional then keyword arguments,
 * `caller`, `varargs` and `kwargs` collection, and Python's TypeErrors for bad calls. With `rawBody` the body
 * returns plain output (autoescape on) and the macro wraps it in Markup.
 */
export function makeMacro(
  U: UndefinedClass,
  body: MacroBody,
  name: string,
  argNames: string[],
  catchKwargs: boolean,
  catchVarargs: boolean,
  hasCaller: boolean,
  rawBody = false,
): Macro {
  const argc = argNames.length;
  const explicitCaller = argNames.includes('caller');
  const simple = !hasCaller && !catchKwargs && !catchVarargs;
  const bindAndCall = (raw: unknown[], kw: Kwargs | null): string | Markup => {
    if (simple && kw === null && raw.length === argc) {
      if (argc === 0) return body();
      if (argc === 1) return body(raw[0]);
      if (argc === 2) return body(raw[0], raw[1]);
      if (argc === 3) return body(raw[0], raw[1], raw[2]);
      return body(...raw);
    }
    const bound: unknown[] = raw.slice(0, argc);
    const npos = bound.length;
    let foundCaller = false;
    // the keywords are read in place (copying and deleting would turn them into a slow dictionary object)
    let kwCount = 0;
    if (kw) for (const _ in kw) kwCount++;
    let used = 0;
    if (npos !== argc) {
      for (let i = npos; i < argc; i++) {
        const an = argNames[i]!;
        let v: unknown = MISSING;
        if (kwCount && hasOwn.call(kw, an)) {
          v = kw![an];
          used++;
        }
        if (an === 'caller') foundCaller = true;
        bound.push(v);
      }
    } else foundCaller = explicitCaller;
    let callerTaken = false;
    if (hasCaller && !foundCaller) {
      let c: unknown;
      if (kwCount && hasOwn.call(kw, 'caller')) {
        c = kw!.caller;
        callerTaken = true;
        used++;
      }
      if (c === undefined || c === null) c = new U('No caller defined', MISSING, 'caller');
      bound.push(c);
    }
    if (catchKwargs) {
      const d: Record<string, unknown> = {};
      if (kwCount > used) {
        for (const k in kw) {
          if (!leftoverKeyword(k, argNames, npos, callerTaken)) continue;
          if (k === '__proto__')
            Object.defineProperty(d, k, {
              value: kw![k],
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else d[k] = kw![k];
        }
      }
      bound.push(d);
    } else if (kwCount > used) {
      let first = '';
      for (const k in kw) {
        if (leftoverKeyword(k, argNames, npos, callerTaken)) {
          first = k;
          break;
        }
      }
      if (
        first === 'caller' ||
        (hasOwn.call(kw, 'caller') && leftoverKeyword('caller', argNames, npos, callerTaken))
      ) {
        throw pyError(
          'TypeError',
          `macro '${name}' was invoked with two values for the special caller argument. This is most likely a bug.`,
        );
      }
      throw pyError('TypeError', `macro '${name}' takes no keyword argument '${first}'`);
    }
    if (catchVarargs) bound.push(tuple(raw.slice(argc)));
    else if (raw.length > argc) {
      throw pyError('TypeError', `macro '${name}' takes not more than ${argc} argument(s)`);
    }
    return body(...bound);
  };
  // a raw body (sync, autoescaped) returns plain output: the macro's value is Markup
  const invoke = rawBody
    ? (raw: unknown[], kw: Kwargs | null): string | Markup => new Markup(bindAndCall(raw, kw))
    : bindAndCall;
  // an arrow function named at creation (no own `arguments`/`caller`); its Jinja attributes come from a
  // prototype shared by every macro of this definition (defineProperty on functions is slow)
  const entry = (raw: unknown[]): string | Markup => {
    let kw: Kwargs | null = null;
    if (raw.length && raw[raw.length - 1] instanceof Kwargs) kw = raw.pop() as Kwargs;
    return invoke(raw, kw);
  };
  let named: (...raw: unknown[]) => string | Markup;
  if (name === 'caller') {
    // call blocks make a caller on every run: a plain named arrow (a computed-key literal is slow)
    const caller = (...raw: unknown[]) => entry(raw);
    named = caller;
  } else named = { [name]: (...raw: unknown[]) => entry(raw) }[name]!;
  const fn = named as unknown as Macro & { [INVOKE]: typeof invoke };
  Object.setPrototypeOf(fn, macroProto(name, argNames, catchKwargs, catchVarargs, hasCaller));
  fn[INVOKE] = invoke;
  return fn;
}

/** A keyword a macro call did not bind: not a parameter after the positionals (nor a taken `caller`). */
function leftoverKeyword(
  k: string,
  argNames: readonly string[],
  npos: number,
  callerTaken: boolean,
): boolean {
  if (callerTaken && k === 'caller') return false;
  return argNames.indexOf(k) < npos;
}

/** What every macro inherits: the macro mark and Jinja's repr. */
const MACRO_BASE: object = Object.create(Function.prototype, {
  [MACRO_SYM]: { value: true },
  toString: {
    value(this: { name: string }): string {
      return `<Macro '${this.name}'>`;
    },
  },
});

/** Jinja Macro attributes that templates may read although they are not own properties of the function. */
const MACRO_ATTRS = new Set(['arguments', 'caller', 'catch_kwargs', 'catch_varargs']);

/** The static attributes of one macro definition, as a prototype for its macros. */
interface MacroStatics {
  name: string;
  catchKwargs: boolean;
  catchVarargs: boolean;
  hasCaller: boolean;
  proto: object;
}

/**
 * Keyed by the argument-name array: generated code passes one module-level array per macro definition,
 * so a macro defined inside a block (made again on every render) reuses its prototype.
 */
const macroStatics = new WeakMap<string[], MacroStatics>();

function macroProto(
  name: string,
  argNames: string[],
  catchKwargs: boolean,
  catchVarargs: boolean,
  hasCaller: boolean,
): object {
  const hit = macroStatics.get(argNames);
  if (
    hit !== undefined &&
    hit.name === name &&
    hit.catchKwargs === catchKwargs &&
    hit.catchVarargs === catchVarargs &&
    hit.hasCaller === hasCaller
  ) {
    return hit.proto;
  }
  const proto = Object.create(MACRO_BASE, {
    arguments: { value: tuple(argNames.slice()) },
    catch_kwargs: { value: catchKwargs },
    catch_varargs: { value: catchVarargs },
    caller: { value: hasCaller },
  }) as object;
  macroStatics.set(argNames, { name, catchKwargs, catchVarargs, hasCaller, proto });
  return proto;
}

/** True for functions made by makeMacro. */
export function isMacro(v: unknown): v is Macro {
  return typeof v === 'function' && (v as unknown as { [MACRO_SYM]?: boolean })[MACRO_SYM] === true;
}

/** Resolves a macro argument that was not passed: an Undefined naming the parameter. */
export function missingParam(U: UndefinedClass, name: string): Undefined {
  return new U(`parameter '${name}' was not provided`, MISSING, name);
}

// ------------------------------------------------------------------------------------------
// loops and assignment

/** The items a for loop walks (list, string chars, dict keys, iterables); TypeError otherwise. */
export function iter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return toList(v);
}

/** Async-mode loops: also collects async iterables (async generators, streams). */
export async function iterAsync(v: unknown): Promise<unknown[]> {
  if (v !== null && typeof v === 'object' && Symbol.asyncIterator in v) {
    const out: unknown[] = [];
    for await (const x of v as AsyncIterable<unknown>) out.push(x);
    return out;
  }
  return iter(v);
}

/** Tuple unpacking with Python's ValueErrors. */
export function unpack(v: unknown, n: number): unknown[] {
  const items = Array.isArray(v) ? v : toList(v);
  if (items.length !== n) {
    if (items.length < n)
      throw pyError('ValueError', `not enough values to unpack (expected ${n}, got ${items.length})`);
    throw pyError('ValueError', `too many values to unpack (expected ${n})`);
  }
  return items;
}

/** `{% set ns.attr = value %}`: only namespaces accept attribute assignment. */
export function nsSet(ns: unknown, attr: string, value: unknown): void {
  if (
    ns === null ||
    typeof ns !== 'object' ||
    (ns as { constructor?: { name?: string } }).constructor?.name !== 'Namespace'
  ) {
    throw new TemplateRuntimeError('cannot assign attribute on non-namespace object');
  }
  const setter = (ns as { __setattr__?: unknown }).__setattr__;
  if (typeof setter === 'function') setter.call(ns, attr, value);
  else (ns as Record<string, unknown>)[attr] = value;
}

/** A key a JS object would list before the others (an array index): only a Map keeps it in insertion order. */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * Builds a dict literal: a plain object when every key is a string that a JS object keeps in insertion order,
 * else a Map (non-string keys, integer-like keys, and the empty literal, which is usually filled later:
 * `{% set d = {} %}` then `d.update(...)`), as a Python dict keeps every key in insertion order.
 */
export function dict(pairs: unknown[]): Record<string, unknown> | Map<unknown, unknown> {
  let plain = pairs.length > 0;
  for (let i = 0; plain && i < pairs.length; i += 2) {
    const k = pairs[i];
    if (typeof k !== 'string' || isIndexKey(k)) plain = false;
  }
  if (plain) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) {
      const k = pairs[i] as string;
      if (k === '__proto__')
        Object.defineProperty(o, k, {
          value: pairs[i + 1],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else o[k] = pairs[i + 1];
    }
    return o;
  }
  const m = new Map<unknown, unknown>();
  for (let i = 0; i < pairs.length; i += 2) m.set(pairs[i], pairs[i + 1]);
  return m;
}

/** `a if cond` without else that evaluated false. */
export function condUndefined(U: UndefinedClass, lineno: number): Undefined {
  // one instance per class and line: `{{ ' active' if current }}` runs on every render
  let byLine = COND_UNDEFINED.get(U);
  if (byLine === undefined) {
    byLine = new Map();
    COND_UNDEFINED.set(U, byLine);
  }
  let u = byLine.get(lineno);
  if (u === undefined) {
    u = new U(
      `the inline if-expression on line ${lineno} evaluated to false and no else section was defined.`,
      MISSING,
      undefined,
    );
    if (byLine.size < 1024) byLine.set(lineno, u);
  }
  return u;
}

const COND_UNDEFINED = new WeakMap<UndefinedClass, Map<number, Undefined>>();

// ------------------------------------------------------------------------------------------
// inheritance, include and import

/** `{% extends %}`: loads the parent and queues its blocks behind the child's. */
export function extend(
  env: RuntimeEnv,
  ctx: Context,
  name: unknown,
  current: string | null,
  already: unknown,
  mode: RenderMode,
): { root: (ctx: Context) => string; blocks: Record<string, BlockFn> } {
  if (already) throw new TemplateRuntimeError('extended multiple times');
  const parent = getTemplateFor(env, name, current).compiled(mode);
  for (const k in parent.blocks) {
    const stack = ctx.blocks[k];
    if (stack) stack.push(parent.blocks[k]!);
    else ctx.blocks[k] = [parent.blocks[k]!];
  }
  return parent;
}

function getTemplateFor(env: RuntimeEnv, name: unknown, current: string | null): TemplateLike {
  if (name !== null && typeof name === 'object' && typeof (name as TemplateLike).compiled === 'function') {
    return name as TemplateLike;
  }
  if (Array.isArray(name)) return env.selectForRender(name, current);
  if (name instanceof Undefined) name.fail();
  return env.templateForRender(name, current);
}

/** `{% include %}`: renders another template (with this context and locals, or without). */
export function include(
  env: RuntimeEnv,
  ctx: Context,
  name: unknown,
  locals: Record<string, unknown> | null,
  withContext: boolean,
  ignoreMissing: boolean,
  current: string | null,
  mode: RenderMode = false,
): string {
  let tpl: TemplateLike;
  try {
    tpl = getTemplateFor(env, name, current);
  } catch (e) {
    if (ignoreMissing && (e instanceof TemplateNotFound || e instanceof TemplatesNotFound)) return '';
    throw e;
  }
  const c = withContext
    ? tpl.newContext(ctx.getAll(), true, locals, mode)
    : tpl.newContext(null, false, null, mode);
  return tpl.compiled(mode).root(c);
}

/** `{% import %}` / `{% from ... import %}`: the template's module. */
export function importTemplate(
  env: RuntimeEnv,
  ctx: Context,
  name: unknown,
  locals: Record<string, unknown> | null,
  withContext: boolean,
  current: string | null,
  isAsync = false,
): TemplateModule | Promise<TemplateModule> {
  const tpl = getTemplateFor(env, name, current);
  if (withContext)
    return isAsync
      ? tpl.makeModuleAsync(ctx.getAll(), true, locals)
      : tpl.makeModule(ctx.getAll(), true, locals);
  return isAsync ? tpl.getDefaultModuleAsync() : tpl.getDefaultModule();
}

/** One name of `{% from x import name %}`, or an Undefined explaining it is not exported. */
export function importName(
  U: UndefinedClass,
  mod: TemplateModule,
  name: string,
  tplName: unknown,
  lineno: number,
): unknown {
  if (hasOwn.call(mod, name)) return mod[name];
  return new U(
    `the template ${reprName(tplName)} (imported on line ${lineno}) does not export the requested name '${name}'`,
    MISSING,
    name,
  );
}

function reprName(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** Raised by the body of a `required` block that nobody overrode. */
export function requiredBlock(name: string): never {
  throw new TemplateRuntimeError(`Required block '${name}' not found.`);
}

/** Sandbox: rejects an unsafe attribute. */
export function unsafe(obj: unknown, attr: string): never {
  throw new SecurityError(`access to attribute '${attr}' of '${typeName(obj)}' object is unsafe.`);
}

export { isDict, positionalVariant, truthy };
