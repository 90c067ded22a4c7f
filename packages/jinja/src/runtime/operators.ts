/**
 * Python's arithmetic operators for compiled templates (`+ - * / // % **`, unary `-`/`+`): the
 * int/float distinction, str/list concatenation and repetition, `%` string formatting, and the
 * datetime arithmetic of `runtime/pytime.ts`. Numbers take the first, cheapest branch.
 */
import { percentFormat } from '../builtins/format.js';
import { pyError } from '../errors.js';
import { hasHtml, Markup, markupEscape } from './markup.js';
import {
  failUndefined,
  isFloat,
  isInt,
  isNumeric,
  isStrLike,
  isTuple,
  makeFloat,
  NotImplemented,
  PyFloat,
  toNumber,
  tuple,
  typeName,
} from './python.js';
import { isTimeValue, TimeDelta, timeAdd, timeDiv, timeMul, timeNeg, timeSub } from './pytime.js';
import { isUndefined } from './undefined.js';

/** Python's binary operator methods: `a.__add__(b)`, then the reflected `b.__radd__(a)`. */
const DUNDER: Record<string, string> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'truediv',
  '//': 'floordiv',
  '%': 'mod',
  '** or pow()': 'pow',
};

/** Sentinel for "no host method answered". */
const NONE: unique symbol = Symbol('none');

function hostBinop(op: string, a: unknown, b: unknown): unknown {
  const name = DUNDER[op];
  if (name === undefined) return NONE;
  for (const [self, other, method] of [
    [a, b, `__${name}__`],
    [b, a, `__r${name}__`],
  ] as const) {
    if (self === null || typeof self !== 'object') continue;
    const f = (self as Record<string, unknown>)[method];
    if (typeof f !== 'function') continue;
    const r = f.call(self, other);
    if (r !== NotImplemented) return r;
  }
  return NONE;
}

function unaryHost(a: unknown, method: string): unknown {
  if (a === null || typeof a !== 'object') return NONE;
  const f = (a as Record<string, unknown>)[method];
  return typeof f === 'function' ? f.call(a) : NONE;
}

/** A host object's operator method result, else Python's TypeError for the operand types. */
function hostOrFail(op: string, a: unknown, b: unknown): unknown {
  const r = hostBinop(op, a, b);
  if (r !== NONE) return r;
  throw binopError(op, a, b);
}

function binopError(op: string, a: unknown, b: unknown): Error {
  return pyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function checkUndefined(a: unknown, b: unknown): void {
  if (isUndefined(a)) failUndefined(a);
  if (isUndefined(b)) failUndefined(b);
}

function numResult(a: unknown, b: unknown, r: number): number | PyFloat {
  return isFloat(a) || isFloat(b) ? makeFloat(r) : r;
}

/** `a + b`. */
export function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    return Number.isInteger(a) && Number.isInteger(b) ? r : makeFloat(r);
  }
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  checkUndefined(a, b);
  if (isNumeric(a) && isNumeric(b)) return numResult(a, b, toNumber(a) + toNumber(b));
  if (a instanceof Markup && (isStrLike(b) || hasHtml(b)))
    return new Markup(a.valueOf() + markupEscape(b).valueOf());
  if (b instanceof Markup && isStrLike(a)) return new Markup(markupEscape(a).valueOf() + b.valueOf());
  if (isTimeValue(a) || isTimeValue(b)) {
    const r = timeAdd(a, b);
    if (r !== undefined) return r;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b)) {
      throw pyError(
        'TypeError',
        `can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`,
      );
    }
    const r = a.concat(b);
    return isTuple(a) ? tuple(r) : r;
  }
  if (typeof a === 'string')
    throw pyError('TypeError', `can only concatenate str (not "${typeName(b)}") to str`);
  return hostOrFail('+', a, b);
}

/** `a - b`. */
export function sub(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    return Number.isInteger(a) && Number.isInteger(b) ? r : makeFloat(r);
  }
  checkUndefined(a, b);
  if (isNumeric(a) && isNumeric(b)) return numResult(a, b, toNumber(a) - toNumber(b));
  if (isTimeValue(a) || isTimeValue(b)) {
    const r = timeSub(a, b);
    if (r !== undefined) return r;
  }
  return hostOrFail('-', a, b);
}

function repeatCount(n: unknown): number | null {
  if (typeof n === 'boolean') return n ? 1 : 0;
  if (isInt(n)) return n;
  return null;
}

/** `a * b`: numbers, and str/list repetition by an int. */
export function mul(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    return Number.isInteger(a) && Number.isInteger(b) ? r : makeFloat(r);
  }
  checkUndefined(a, b);
  if (isNumeric(a) && isNumeric(b)) return numResult(a, b, toNumber(a) * toNumber(b));
  if (a instanceof TimeDelta || b instanceof TimeDelta) {
    const r = timeMul(a, b);
    if (r !== undefined) return r;
  }
  let seq: unknown = null;
  let count: number | null = null;
  if (isStrLike(a) || Array.isArray(a)) {
    seq = a;
    count = repeatCount(b);
  } else if (isStrLike(b) || Array.isArray(b)) {
    seq = b;
    count = repeatCount(a);
  }
  if (seq !== null && count !== null) {
    const n = Math.max(0, count);
    if (typeof seq === 'string') return seq.repeat(n);
    if (seq instanceof Markup) return new Markup(seq.valueOf().repeat(n));
    const arr = seq as unknown[];
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(...arr);
    return isTuple(arr) ? tuple(out) : out;
  }
  if (seq !== null) {
    throw pyError('TypeError', `can't multiply sequence by non-int of type '${typeName(seq === a ? b : a)}'`);
  }
  return hostOrFail('*', a, b);
}

function zeroDivision(msg: string): Error {
  return pyError('ZeroDivisionError', msg);
}

/** `a / b`: always a float. */
export function truediv(a: unknown, b: unknown): unknown {
  checkUndefined(a, b);
  if (a instanceof TimeDelta) {
    const r = timeDiv(a, b, false);
    if (r !== undefined) return r;
  }
  if (!isNumeric(a) || !isNumeric(b)) return hostOrFail('/', a, b);
  const y = toNumber(b);
  if (y === 0) throw zeroDivision('division by zero');
  return makeFloat(toNumber(a) / y);
}

/** `a // b`: floor division. */
export function floordiv(a: unknown, b: unknown): unknown {
  checkUndefined(a, b);
  if (a instanceof TimeDelta) {
    const r = timeDiv(a, b, true);
    if (r !== undefined) return r;
  }
  if (!isNumeric(a) || !isNumeric(b)) return hostOrFail('//', a, b);
  const x = toNumber(a);
  const y = toNumber(b);
  if (y === 0)
    throw zeroDivision(
      isFloat(a) || isFloat(b) ? 'float floor division by zero' : 'integer division or modulo by zero',
    );
  if (isFloat(a) || isFloat(b)) return makeFloat(Math.floor(x / y));
  return Math.floor(x / y);
}

function pyModNum(x: number, y: number): number {
  const r = x % y;
  // a zero remainder takes the divisor's sign (Python: -4.0 % 2 == 0.0, 4.0 % -2 == -0.0)
  if (r === 0) return y < 0 ? -0 : 0;
  return r < 0 !== y < 0 ? r + y : r;
}

/** `a % b`: Python modulo (sign of the divisor), or string formatting when `a` is a string. */
export function mod(a: unknown, b: unknown): unknown {
  if (
    typeof a === 'number' &&
    typeof b === 'number' &&
    Number.isInteger(a) &&
    Number.isInteger(b) &&
    b !== 0
  ) {
    return pyModNum(a, b);
  }
  if (isUndefined(a)) failUndefined(a);
  if (typeof a === 'string') return percentFormat(a, b, false);
  if (a instanceof Markup) return new Markup(percentFormat(a.valueOf(), b, true));
  if (isUndefined(b)) failUndefined(b);
  if (!isNumeric(a) || !isNumeric(b)) return hostOrFail('%', a, b);
  const y = toNumber(b);
  if (y === 0)
    throw zeroDivision(isFloat(a) || isFloat(b) ? 'float modulo' : 'integer division or modulo by zero');
  return numResult(a, b, pyModNum(toNumber(a), y));
}

/** `a ** b`. */
export function pow(a: unknown, b: unknown): unknown {
  checkUndefined(a, b);
  if (!isNumeric(a) || !isNumeric(b)) return hostOrFail('** or pow()', a, b);
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === 0 && y < 0) throw zeroDivision('0.0 cannot be raised to a negative power');
  const r = x ** y;
  if (isFloat(a) || isFloat(b) || y < 0) return makeFloat(r);
  return r;
}

/** Unary `-a`. */
export function neg(a: unknown): unknown {
  if (typeof a === 'number') return a === 0 && Number.isInteger(a) ? 0 : -a;
  if (isUndefined(a)) failUndefined(a);
  if (a instanceof PyFloat) return new PyFloat(-a.value);
  if (typeof a === 'boolean') return a ? -1 : 0;
  if (a instanceof TimeDelta) return timeNeg(a);
  const host = unaryHost(a, '__neg__');
  if (host !== NONE) return host;
  throw pyError('TypeError', `bad operand type for unary -: '${typeName(a)}'`);
}

/** Unary `+a`. */
export function pos(a: unknown): unknown {
  if (typeof a === 'number' || a instanceof PyFloat) return a;
  if (isUndefined(a)) failUndefined(a);
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (a instanceof TimeDelta) return a;
  const host = unaryHost(a, '__pos__');
  if (host !== NONE) return host;
  throw pyError('TypeError', `bad operand type for unary +: '${typeName(a)}'`);
}
