/**
 * Jinja2's builtin tests (`x is defined`, `n is divisibleby 3`, ...), including the operator
 * aliases (`==`, `<`, `lessthan`).
 */
import { pyError } from '../errors.js';
import { Kwargs, passEnvironment, withPositional } from '../runtime/calls.js';
import { Markup } from '../runtime/markup.js';
import { mod } from '../runtime/operators.js';
import {
  contains,
  eq,
  ge,
  gt,
  isDict,
  isFloat,
  isIterable,
  isRange,
  isTuple,
  le,
  lt,
  PyFloat,
  pyStr,
} from '../runtime/python.js';
import type { Environment, TemplateFunction } from '../runtime/types.js';
import { ChainableUndefined, isUndefined } from '../runtime/undefined.js';
import { pyIsLower, pyIsUpper } from './strings.js';

/** Positional arguments of a test call, with Python's arity errors. */
function args(name: string, given: unknown[], count: number): unknown[] {
  // the common case: exactly the positional arguments expected, no keywords
  if (given.length === count && (count === 0 || !(given[count - 1] instanceof Kwargs))) return given;
  const pos = given[given.length - 1] instanceof Kwargs ? given.slice(0, -1) : given;
  if (given.length !== pos.length) {
    const kw = given[given.length - 1] as Kwargs;
    for (const k of Object.keys(kw)) pos.push(kw[k]);
  }
  if (pos.length !== count) {
    throw pyError(
      'TypeError',
      pos.length < count
        ? `${name}() missing ${count - pos.length} required positional argument(s)`
        : `${name}() takes ${count + 1} positional argument${count === 0 ? '' : 's'} but ${pos.length + 1} were given`,
    );
  }
  return pos;
}

function unary(name: string, fn: (v: unknown) => boolean): TemplateFunction {
  const test = ((value: unknown, ...rest: unknown[]) => {
    if (rest.length !== 0) args(name, rest, 0);
    return fn(value);
  }) as TemplateFunction;
  // `x is name` with no arguments calls the predicate directly
  return withPositional(test, [fn]);
}

function binary(name: string, fn: (v: unknown, other: unknown) => boolean): TemplateFunction {
  return ((value: unknown, ...rest: unknown[]) => {
    const [other] = args(name, rest, 1);
    return fn(value, other);
  }) as TemplateFunction;
}

/** `x in some_dict` needs a hashable `x`: lists and dicts raise TypeError like Python. */
function checkHashable(v: unknown): void {
  // hashing a StrictUndefined raises; the other kinds hash fine
  if (isUndefined(v)) v.eq(v);
  if ((Array.isArray(v) && !isTuple(v) && !isRange(v)) || isDict(v)) {
    throw pyError('TypeError', `unhashable type: '${Array.isArray(v) ? 'list' : 'dict'}'`);
  }
}

function isOdd(v: unknown): boolean {
  if (typeof v === 'number' && Number.isInteger(v)) return v % 2 !== 0;
  return eq(mod(v, 2), 1);
}

function isEven(v: unknown): boolean {
  if (typeof v === 'number' && Number.isInteger(v)) return v % 2 === 0;
  return eq(mod(v, 2), 0);
}

function isDivisibleBy(v: unknown, num: unknown): boolean {
  return eq(mod(v, num), 0);
}

function isNumber(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

function isSequence(v: unknown): boolean {
  if (typeof v === 'string' || v instanceof Markup || Array.isArray(v) || isDict(v)) return true;
  if (isUndefined(v)) {
    // Jinja probes len() and __getitem__; StrictUndefined refuses len()
    try {
      v.len();
      return true;
    } catch {
      return false;
    }
  }
  if (v instanceof Map) return true;
  return false;
}

function isCallable(v: unknown): boolean {
  if (typeof v === 'function') return true;
  // Undefined defines __call__ (to raise), so Python's callable() says yes
  if (isUndefined(v)) return true;
  if (v !== null && typeof v === 'object') {
    return typeof (v as { __call__?: unknown }).__call__ === 'function';
  }
  return false;
}

const eqTest = binary('eq', (a, b) => eq(a, b));
const neTest = binary('ne', (a, b) => !eq(a, b));
const ltTest = binary('lt', (a, b) => lt(a, b));
const leTest = binary('le', (a, b) => le(a, b));
const gtTest = binary('gt', (a, b) => gt(a, b));
const geTest = binary('ge', (a, b) => ge(a, b));

/** Every Jinja2 builtin test by name (aliases included). */
export const DEFAULT_TESTS: Record<string, TemplateFunction> = {
  boolean: unary('test_boolean', (v) => typeof v === 'boolean'),
  callable: unary('callable', isCallable),
  defined: unary('test_defined', (v) => !isUndefined(v)),
  divisibleby: binary('test_divisibleby', isDivisibleBy),
  eq: eqTest,
  equalto: eqTest,
  '==': eqTest,
  escaped: unary('test_escaped', (v) => {
    // only ChainableUndefined defines __html__
    if (isUndefined(v)) return v instanceof ChainableUndefined;
    return (
      v !== null && typeof v === 'object' && typeof (v as { __html__?: unknown }).__html__ === 'function'
    );
  }),
  even: unary('test_even', isEven),
  false: unary('test_false', (v) => v === false),
  filter: passEnvironment((env: Environment, value: unknown, ...rest: unknown[]) => {
    args('test_filter', rest, 0);
    checkHashable(value);
    return typeof value === 'string' && Object.hasOwn(env.filters, value);
  }) as TemplateFunction,
  float: unary('test_float', (v) => isFloat(v)),
  ge: geTest,
  '>=': geTest,
  gt: gtTest,
  greaterthan: gtTest,
  '>': gtTest,
  in: binary('test_in', (v, seq) => contains(seq, v)),
  integer: unary('test_integer', (v) => typeof v === 'number' && Number.isInteger(v)),
  iterable: unary('test_iterable', (v) => {
    if (isUndefined(v)) {
      v.iter();
      return true;
    }
    return isIterable(v);
  }),
  le: leTest,
  '<=': leTest,
  lower: unary('test_lower', (v) => pyIsLower(pyStr(v))),
  lt: ltTest,
  lessthan: ltTest,
  '<': ltTest,
  mapping: unary('test_mapping', (v) => isDict(v)),
  ne: neTest,
  '!=': neTest,
  none: unary('test_none', (v) => v === null),
  number: unary('test_number', isNumber),
  odd: unary('test_odd', isOdd),
  sameas: binary(
    'test_sameas',
    (a, b) => a === b || (a === undefined && b === null) || (a === null && b === undefined),
  ),
  sequence: unary('test_sequence', isSequence),
  string: unary('test_string', (v) => typeof v === 'string' || v instanceof Markup),
  test: passEnvironment((env: Environment, value: unknown, ...rest: unknown[]) => {
    args('test_test', rest, 0);
    checkHashable(value);
    return typeof value === 'string' && Object.hasOwn(env.tests, value);
  }) as TemplateFunction,
  true: unary('test_true', (v) => v === true),
  undefined: unary('test_undefined', (v) => isUndefined(v)),
  upper: unary('test_upper', (v) => pyIsUpper(pyStr(v))),
};
