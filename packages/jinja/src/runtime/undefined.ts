/**
 * Jinja2's Undefined family: what a template sees for a missing variable, attribute or item.
 * The default kind prints as nothing, iterates as empty and is falsy but refuses arithmetic,
 * attribute access and calls; StrictUndefined refuses everything; ChainableUndefined lets
 * `a.b.c` chains through and only fails when called.
 */
import { UndefinedError } from '../errors.js';

/** Marks "no object given" (a plain missing name rather than a missing attribute). */
export const MISSING: unique symbol = Symbol('missing');

/** Python's repr() of a string or other key, enough for error messages. */
export function reprKey(v: unknown): string {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

/** Jinja's object_type_repr: "dict object", "list object", "None", ... */
export function objectTypeRepr(obj: unknown): string {
  if (obj === null || obj === undefined) return 'None';
  switch (typeof obj) {
    case 'string':
      return 'str object';
    case 'boolean':
      return 'bool object';
    case 'number':
      return Number.isInteger(obj) ? 'int object' : 'float object';
    case 'bigint':
      return 'int object';
    case 'function':
      return 'function object';
  }
  if (Array.isArray(obj)) return 'list object';
  if (obj instanceof Map) return 'dict object';
  const proto = Object.getPrototypeOf(obj);
  if (proto === null || proto === Object.prototype) return 'dict object';
  const cname = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  switch (cname) {
    case 'PyFloat':
      return 'float object';
    case 'Markup':
      return 'markupsafe.Markup object';
    case 'Macro':
      return 'jinja2.runtime.Macro object';
    case 'LoopContext':
      return 'jinja2.runtime.LoopContext object';
    case 'Namespace':
      return 'jinja2.utils.Namespace object';
    case 'Set':
      return 'set object';
  }
  if (obj instanceof Undefined) return `jinja2.runtime.${cname} object`;
  return `${cname} object`;
}

/** The default undefined value: prints as '', iterates as empty, is falsy; other uses raise. */
export class Undefined {
  // `declare`: assigned in the constructor only (no class-field definitions, which make every
  // Undefined, one per missing attribute or variable, slower to create)
  declare readonly undefinedHint: string | null;
  declare readonly undefinedObj: unknown;
  declare readonly undefinedName: unknown;

  constructor(hint?: string | null, obj: unknown = MISSING, name?: unknown) {
    this.undefinedHint = hint ?? null;
    this.undefinedObj = obj;
    this.undefinedName = name;
  }

  /** Jinja's `_undefined_message`. */
  get undefinedMessage(): string {
    if (this.undefinedHint) return this.undefinedHint;
    if (this.undefinedObj === MISSING) return `${reprKey(this.undefinedName)} is undefined`;
    if (typeof this.undefinedName !== 'string') {
      return `${objectTypeRepr(this.undefinedObj)} has no element ${reprKey(this.undefinedName)}`;
    }
    return `${reprKey(objectTypeRepr(this.undefinedObj))} has no attribute ${reprKey(this.undefinedName)}`;
  }

  /**
   * Raises the error describing this value: an UndefinedError, or the error class the value was made with
   * (Jinja's `exc`: a sandbox's refused attribute raises SecurityError once it is used).
   */
  fail(): never {
    const Exc = (this as { undefinedExc?: new (message: string) => Error }).undefinedExc ?? UndefinedError;
    throw new Exc(this.undefinedMessage);
  }

  /** Python `str()`. */
  str(): string {
    return '';
  }
  /** Python `bool()`. */
  bool(): boolean {
    return false;
  }
  /** Python `len()`. */
  len(): number {
    return 0;
  }
  /** Python `iter()`. */
  iter(): Iterator<unknown> {
    return [][Symbol.iterator]();
  }
  /** Python `==`: equal only to another undefined of the same class. */
  eq(other: unknown): boolean {
    return other instanceof Undefined && other.constructor === this.constructor;
  }
  /** Attribute access `u.name`. */
  getattr(_name: string): unknown {
    return this.fail();
  }
  /** Item access `u[key]`. */
  getitem(_key: unknown): unknown {
    return this.fail();
  }
  /** Calling `u()`. */
  call(..._args: unknown[]): unknown {
    return this.fail();
  }
  /** Markup/`__html__` conversion. */
  __html__(): string {
    return this.str();
  }

  toString(): string {
    return this.str();
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.iter();
  }
  toJSON(): unknown {
    return this.fail();
  }
}

/** Refuses printing, iteration, truth tests and comparisons too. */
export class StrictUndefined extends Undefined {
  override str(): string {
    return this.fail();
  }
  override bool(): boolean {
    return this.fail();
  }
  override len(): number {
    return this.fail();
  }
  override iter(): Iterator<unknown> {
    return this.fail();
  }
  override eq(_other: unknown): boolean {
    return this.fail();
  }
  override __html__(): string {
    return this.fail();
  }
}

/** Lets attribute and item chains continue (`a.b.c` is undefined, not an error). */
export class ChainableUndefined extends Undefined {
  override getattr(_name: string): unknown {
    return this;
  }
  override getitem(_key: unknown): unknown {
    return this;
  }
}

/** Prints the expression it stands for (`{{ name }}`), like Jinja's DebugUndefined. */
export class DebugUndefined extends Undefined {
  override str(): string {
    if (this.undefinedHint) return `{{ undefined value printed: ${this.undefinedHint} }}`;
    if (this.undefinedObj === MISSING) return `{{ ${String(this.undefinedName)} }}`;
    return `{{ no such element: ${objectTypeRepr(this.undefinedObj)}[${reprKey(this.undefinedName)}] }}`;
  }
}

/** The constructor type an Environment accepts as its `undefined` option. */
export type UndefinedClass = new (hint?: string | null, obj?: unknown, name?: unknown) => Undefined;

/** True for any Undefined instance. */
export function isUndefined(v: unknown): v is Undefined {
  return v instanceof Undefined;
}
