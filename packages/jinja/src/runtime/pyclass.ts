/**
 * `value.__class__` for templates: plain values get Python's classes (`int`, `float`, `str`, `bool`,
 * `NoneType`, `list`, `dict`, `tuple`, ...) as small frozen records with `__name__`, `__base__`,
 * `__module__` and `__qualname__`; class instances get one made from their constructor chain. The
 * records are data only (no JavaScript constructor leaks through them), so they are sandbox-safe.
 */
import { Markup } from './markup.js';
import { PyFloat } from './pyfloat.js';
import { isRange, isTuple } from './python.js';
import { PyDate, PyTime, TimeDelta } from './pytime.js';

/** A Python class as templates see it: its names and its base (`object.__base__` is None). */
export interface PyClass {
  readonly __name__: string;
  readonly __qualname__: string;
  readonly __module__: string;
  readonly __base__: PyClass | null;
}

/** The frozen record behind a PyClass (a class of its own, so it prints as `<class 'int'>`, not a dict). */
class ClassRecord implements PyClass {
  readonly __name__: string;
  readonly __qualname__: string;
  readonly __module__: string;
  readonly __base__: PyClass | null;
  constructor(name: string, base: PyClass | null, module: string) {
    this.__name__ = name;
    this.__qualname__ = name;
    this.__module__ = module;
    this.__base__ = base;
  }
  toString(): string {
    return this.__module__ === 'builtins'
      ? `<class '${this.__name__}'>`
      : `<class '${this.__module__}.${this.__name__}'>`;
  }
}

function pyClass(name: string, base: PyClass | null, module = 'builtins'): PyClass {
  return Object.freeze(new ClassRecord(name, base, module));
}

const OBJECT = pyClass('object', null);
const INT = pyClass('int', OBJECT);
const STR = pyClass('str', OBJECT);
const DATE = pyClass('date', OBJECT, 'datetime');
/** The classes of plain values, by Python name. */
export const PY_CLASSES: Readonly<Record<string, PyClass>> = Object.freeze({
  object: OBJECT,
  int: INT,
  bool: pyClass('bool', INT),
  float: pyClass('float', OBJECT),
  str: STR,
  NoneType: pyClass('NoneType', OBJECT),
  list: pyClass('list', OBJECT),
  tuple: pyClass('tuple', OBJECT),
  dict: pyClass('dict', OBJECT),
  set: pyClass('set', OBJECT),
  range: pyClass('range', OBJECT),
  function: pyClass('function', OBJECT),
  Markup: pyClass('Markup', STR, 'markupsafe'),
  date: DATE,
  datetime: pyClass('datetime', DATE, 'datetime'),
  time: pyClass('time', OBJECT, 'datetime'),
  timedelta: pyClass('timedelta', OBJECT, 'datetime'),
});

const HOST = new WeakMap<object, PyClass>();

/** A class record for a JavaScript constructor and its parents (`class B extends A` → B.__base__ is A). */
function hostClass(ctor: unknown): PyClass {
  if (typeof ctor !== 'function' || ctor === Object) return OBJECT;
  let cls = HOST.get(ctor);
  if (cls === undefined) {
    const parent = Object.getPrototypeOf(ctor);
    const base = parent === Function.prototype || typeof parent !== 'function' ? OBJECT : hostClass(parent);
    cls = pyClass(ctor.name || 'object', base, '__main__');
    HOST.set(ctor, cls);
  }
  return cls;
}

/** Python's `type(v)` as a read-only class record. */
export function pyClassOf(v: unknown): PyClass {
  const c = PY_CLASSES;
  switch (typeof v) {
    case 'string':
      return c.str!;
    case 'boolean':
      return c.bool!;
    case 'number':
      return Number.isInteger(v) ? c.int! : c.float!;
    case 'bigint':
      return c.int!;
    case 'undefined':
      return c.NoneType!;
    case 'function':
      return c.function!;
  }
  if (v === null) return c.NoneType!;
  if (v instanceof PyFloat) return c.float!;
  if (v instanceof Markup) return c.Markup!;
  if (Array.isArray(v)) return isRange(v) ? c.range! : isTuple(v) ? c.tuple! : c.list!;
  if (v instanceof Map) return c.dict!;
  if (v instanceof Set) return c.set!;
  if (v instanceof Date) return c.datetime!;
  if (v instanceof PyDate) return c.date!;
  if (v instanceof PyTime) return c.time!;
  if (v instanceof TimeDelta) return c.timedelta!;
  const proto = Object.getPrototypeOf(v);
  if (proto === null || proto === Object.prototype) return c.dict!;
  return hostClass((v as { constructor?: unknown }).constructor);
}
