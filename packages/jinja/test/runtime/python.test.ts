import { describe, expect, it } from 'vitest';
import { Markup } from '../../src/runtime/markup.js';
import { add, floordiv, mod, mul, neg, pos, pow, sub, truediv } from '../../src/runtime/operators.js';
import {
  compare,
  concat,
  contains,
  eq,
  floatRepr,
  ge,
  gt,
  le,
  lt,
  makeFloat,
  markupJoin,
  ne,
  PyFloat,
  pyRepr,
  pyStr,
  slice,
  truthy,
  tuple,
} from '../../src/runtime/python.js';
import { StrictUndefined, Undefined } from '../../src/runtime/undefined.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
};

describe('printing', () => {
  it('prints Python str() of values', () => {
    expect(pyStr(null)).toBe('None');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(new PyFloat(1))).toBe('1.0');
    expect(pyStr(1e-5)).toBe('1e-05');
    expect(pyStr(makeFloat(1e16))).toBe('1e+16');
    expect(pyStr(makeFloat(1.5e16))).toBe('1.5e+16');
    expect(pyStr(1.5e16)).toBe('15000000000000000');
    expect(pyStr(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(pyStr(2 ** 64)).toBe('18446744073709551616');
    expect(pyStr(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(pyStr(Number.NaN)).toBe('nan');
    expect(pyStr([1, 'a', null, true])).toBe("[1, 'a', None, True]");
    expect(pyStr({ k: 1 })).toBe("{'k': 1}");
    expect(pyStr(tuple([1]))).toBe('(1,)');
    expect(pyStr(tuple([1, 2]))).toBe('(1, 2)');
    expect(pyStr(new Undefined())).toBe('');
    expect(code(() => pyStr(new StrictUndefined(null, undefined, 'x')))).toBe('UndefinedError');
  });
  it('repr chooses quotes and escapes like CPython', () => {
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyRepr('say "hi" it\'s')).toBe("'say \"hi\" it\\'s'");
    expect(pyRepr('a\nb\\')).toBe("'a\\nb\\\\'");
    expect(pyRepr('é\u0001\u200b')).toBe("'é\\x01\\u200b'");
    expect(pyRepr(new Markup('<b>'))).toBe("Markup('<b>')");
    expect(floatRepr(123456789.125)).toBe('123456789.125');
    expect(floatRepr(0.0001)).toBe('0.0001');
    expect(floatRepr(-0)).toBe('-0.0');
  });
});

describe('truthiness', () => {
  it('follows Python', () => {
    expect([0, '', [], {}, null, new PyFloat(0), new Undefined()].some(truthy)).toBe(false);
    expect([1, '0', [0], { a: 1 }, new PyFloat(2), Number.NaN].every(truthy)).toBe(true);
    expect(code(() => truthy(new StrictUndefined()))).toBe('UndefinedError');
  });
});

describe('arithmetic', () => {
  it('keeps the int/float distinction', () => {
    expect(pyStr(add(1, 2.5))).toBe('3.5');
    expect(pyStr(add(1, new PyFloat(2)))).toBe('3.0');
    expect(pyStr(truediv(7, 2))).toBe('3.5');
    expect(pyStr(truediv(10, 5))).toBe('2.0');
    expect(floordiv(7, 2)).toBe(3);
    expect(pyStr(floordiv(7.5, 2))).toBe('3.0');
    expect(mod(-7, 3)).toBe(2);
    expect(mod(7, -3)).toBe(-2);
    expect(pyStr(mod(7.5, 2))).toBe('1.5');
    expect(pow(2, 10)).toBe(1024);
    expect(pyStr(pow(2, -1))).toBe('0.5');
    expect(neg(-4)).toBe(4);
    expect(pos(-4)).toBe(-4);
    expect(sub(3, -2)).toBe(5);
    expect(pyStr(mul(3, 1.5))).toBe('4.5');
  });
  it('repeats and concatenates sequences', () => {
    expect(mul('ab', 3)).toBe('ababab');
    expect(mul('x', 0)).toBe('');
    expect(add([1, 2], [3])).toEqual([1, 2, 3]);
    expect(add('ab', 'cd')).toBe('abcd');
    expect(String(add(new Markup('<b>'), '<i>'))).toBe('<b>&lt;i&gt;');
  });
  it('raises Python errors', () => {
    expect(code(() => add('a', 1))).toBe('TypeError');
    expect(code(() => add(1, 'a'))).toBe('TypeError');
    expect(code(() => sub('a', 'b'))).toBe('TypeError');
    expect(code(() => truediv(1, 0))).toBe('ZeroDivisionError');
    expect(code(() => mod(5, 0))).toBe('ZeroDivisionError');
    expect(code(() => add(new Undefined(null, undefined, 'x'), 1))).toBe('UndefinedError');
  });
  it('formats strings with %', () => {
    expect(mod('%s-%s', tuple(['a', 'b']))).toBe('a-b');
    expect(mod('%.2f', 3.14159)).toBe('3.14');
    expect(mod('[%5s][%-5s][%03d]', tuple(['ab', 'ab', 7]))).toBe('[   ab][ab   ][007]');
    expect(mod('%(name)s is %(age)d', { name: 'Al', age: 30 })).toBe('Al is 30');
    expect(mod('%x|%X|%o', tuple([255, 255, 8]))).toBe('ff|FF|10');
    expect(mod('100%%', tuple([]))).toBe('100%');
    expect(mod('got %s', tuple([[1, 2]]))).toBe('got [1, 2]');
    expect(mod('%s', [1, 2])).toBe('[1, 2]');
    expect(String(mod(new Markup('<p>%s</p>'), '<i>'))).toBe('<p>&lt;i&gt;</p>');
    expect(String(mod(new Markup('<p>%(a)s</p>'), { a: '&' }))).toBe('<p>&amp;</p>');
    expect(code(() => mod('%s %s', tuple([1])))).toBe('TypeError');
    expect(code(() => mod('%s', tuple([1, 2])))).toBe('TypeError');
  });
});

describe('comparison and membership', () => {
  it('compares deeply', () => {
    expect(eq([1, 2], [1, 2])).toBe(true);
    expect(eq(tuple([1, 2]), [1, 2])).toBe(false);
    expect(eq({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(eq(1, new PyFloat(1)) && eq(true, 1)).toBe(true);
    expect(eq(new Markup('<b>'), '<b>')).toBe(true);
    expect(eq(new Undefined(), null)).toBe(false);
    expect(ne(1, 2)).toBe(true);
    expect(lt(1, 2) && le(2, 2) && gt('b', 'B') && ge(3, new PyFloat(3))).toBe(true);
    expect(compare([1, 2], [1, 3])).toBe(-1);
    expect(code(() => lt(1, 'a'))).toBe('TypeError');
    expect(code(() => eq(new StrictUndefined(), 1))).toBe('UndefinedError');
  });
  it('contains', () => {
    expect(contains([1, 2, 3], 2)).toBe(true);
    expect(contains([1, 2, 3], '2')).toBe(false);
    expect(contains('abcd', 'bc')).toBe(true);
    expect(contains({ a: 1 }, 'a')).toBe(true);
    expect(contains(new Markup('<b>'), '<')).toBe(true);
    expect(code(() => contains('abc', 1))).toBe('TypeError');
  });
});

describe('concat and slice', () => {
  it('joins with and without autoescape', () => {
    expect(concat('a', 1, 'b', null, true)).toBe('a1bNoneTrue');
    expect(concat('L', [1, 2])).toBe('L[1, 2]');
    expect(String(markupJoin(new Markup('<hr>'), '<br>'))).toBe('<hr>&lt;br&gt;');
    expect(markupJoin('<a>', '<b>')).toBe('<a><b>');
  });
  it('slices like Python', () => {
    expect(slice('stressed', null, null, -1)).toBe('desserts');
    expect(slice('abcdefg', null, null, 2)).toBe('aceg');
    expect(slice('abcdef', -3)).toBe('def');
    expect(slice('abcdef', null, -2)).toBe('abcd');
    expect(slice('abcdef', -4, -1)).toBe('cde');
    expect(slice('abc', 10)).toBe('');
    expect(slice('abc', 2, 100)).toBe('c');
    expect(slice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], null, null, -2)).toEqual([9, 7, 5, 3, 1]);
    expect(slice('a😀b', 1, 2)).toBe('😀');
    expect(code(() => slice('abc', null, null, 0))).toBe('ValueError');
  });
});

describe('dates', () => {
  it('print, compare and format like Python datetimes', async () => {
    const { getPyMethod } = await import('../../src/builtins/pymethods.js');
    const d = new Date(2024, 0, 5, 9, 30, 7);
    expect(pyStr(d)).toBe('2024-01-05 09:30:07');
    expect(pyStr(new Date(2024, 0, 5, 9, 30, 7, 250))).toBe('2024-01-05 09:30:07.250000');
    expect(lt(d, new Date(2024, 0, 6))).toBe(true);
    expect(eq(d, new Date(d.getTime()))).toBe(true);
    const strftime = getPyMethod(d, 'strftime') as (f: string) => string;
    expect(strftime('%Y-%m-%d %H:%M:%S %a %b %j %p %I %y %%')).toBe(
      '2024-01-05 09:30:07 Fri Jan 005 AM 09 24 %',
    );
    expect(strftime('%A %B %-d')).toBe('Friday January 5');
    expect((getPyMethod(d, 'isoformat') as () => string)()).toBe('2024-01-05T09:30:07');
    expect(getPyMethod(d, 'year')).toBe(2024);
    expect(getPyMethod(d, 'month')).toBe(1);
    expect((getPyMethod(d, 'weekday') as () => number)()).toBe(4);
  });
});
