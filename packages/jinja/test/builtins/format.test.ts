import { describe, expect, it } from 'vitest';
import { formatValue, percentFormat, strFormat } from '../../src/builtins/format.js';
import { Markup } from '../../src/runtime/markup.js';
import { PyFloat, tuple } from '../../src/runtime/python.js';

const err = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
};

describe('printf-style formatting', () => {
  it('formats numbers like CPython', () => {
    expect(percentFormat('%d|%i|%5d|%-5d|%05d|%+d|% d', tuple([3.9, -2, 42, 42, -42, 7, 7]), false)).toBe(
      '3|-2|   42|42   |-0042|+7| 7',
    );
    expect(
      percentFormat(
        '%.2f|%8.3f|%-8.1f|%e|%.2E|%g|%G',
        tuple([2.675, 3.14159, 2.25, 12345.678, 0.000123, 1e-7, 1e20]),
        false,
      ),
    ).toBe('2.67|   3.142|2.2     |1.234568e+04|1.23E-04|1e-07|1E+20');
    expect(percentFormat('%x|%X|%o|%#x|%#o|%c|%c', tuple([255, 255, 8, 255, 8, 65, 'z']), false)).toBe(
      'ff|FF|10|0xff|0o10|A|z',
    );
    expect(percentFormat('%s|%r|%.2s|%5s', tuple([new PyFloat(1), 'it', 'abc', null]), false)).toBe(
      "1.0|'it'|ab| None",
    );
    expect(percentFormat('%*d|%-*d|%.*f', tuple([4, 1, 3, 2, 1, 2.25]), false)).toBe('   1|2  |2.2');
    expect(percentFormat('%f|%f', tuple([Number.POSITIVE_INFINITY, Number.NaN]), false)).toBe('inf|nan');
  });
  it('uses mappings and single values', () => {
    expect(percentFormat('%(a)s-%(b)05.1f', { a: 'x', b: 2.25 }, false)).toBe('x-002.2');
    expect(percentFormat('%s', [1, 2], false)).toBe('[1, 2]');
    expect(percentFormat('%s', { a: 1 }, false)).toBe("{'a': 1}");
    expect(percentFormat('plain', { a: 1 }, false)).toBe('plain');
  });
  it('raises the errors Python raises', () => {
    expect(err(() => percentFormat('%d', 'x', false))).toBe('TypeError');
    expect(err(() => percentFormat('%x', 1.5, false))).toBe('TypeError');
    expect(err(() => percentFormat('%(a)s', tuple([1]), false))).toBe('TypeError');
    expect(err(() => percentFormat('%(zz)s', { a: 1 }, false))).toBe('KeyError');
    expect(err(() => percentFormat('plain', 5, false))).toBe('TypeError');
  });
  it('escapes arguments for Markup', () => {
    expect(percentFormat('<%s|%r>', tuple(['<a>', '&']), true)).toBe('<&lt;a&gt;|&#39;&amp;&#39;>');
    expect(percentFormat('%s', new Markup('<b>'), true)).toBe('<b>');
  });
});

describe('str.format', () => {
  it('handles fields, conversions and nested specs', () => {
    expect(strFormat('{} {} {}', ['a', 1, null], {})).toBe('a 1 None');
    expect(strFormat('{1}{0}{1}', ['a', 'b'], {})).toBe('bab');
    expect(
      strFormat(
        '{x.y}|{x[y]}',
        [],
        { x: { y: 1 } },
        {
          getattr: (o, n) => (o as Record<string, unknown>)[n],
          getitem: (o, k) => (o as Record<string, unknown>)[String(k)],
        },
      ),
    ).toBe('1|1');
    expect(strFormat('{0!r} {0!s}', ['x'], {})).toBe("'x' x");
    expect(strFormat('{:{w}.{p}f}', [3.14159], { w: 8, p: 2 })).toBe('    3.14');
    expect(strFormat('{{literal}} {}', [1], {})).toBe('{literal} 1');
    expect(err(() => strFormat('{', [], {}))).toBe('ValueError');
    expect(err(() => strFormat('}', [], {}))).toBe('ValueError');
    expect(err(() => strFormat('{}', [], {}))).toBe('IndexError');
    expect(err(() => strFormat('{nope}', [], {}))).toBe('KeyError');
    class Box {
      v = 1;
      _secret = 2;
    }
    expect(strFormat('{0.v}', [new Box()], {})).toBe('1');
    expect(err(() => strFormat('{0._secret}', [new Box()], {}))).toBe('AttributeError');
    expect(err(() => strFormat('{0.constructor}', [new Box()], {}))).toBe('AttributeError');
    expect(err(() => strFormat('{0.a}', [{ a: 1 }], {}))).toBe('AttributeError');
  });
  it('implements the format-spec mini-language', () => {
    expect(formatValue('ab', '*^7')).toBe('**ab***');
    expect(formatValue('abc', '.2')).toBe('ab');
    expect(formatValue(42, '08b')).toBe('00101010');
    expect(formatValue(-42, '=+8')).toBe('-     42');
    expect(formatValue(1234567.891, ',.2f')).toBe('1,234,567.89');
    expect(formatValue(1234567, '_')).toBe('1_234_567');
    expect(formatValue(0.5, '.0%')).toBe('50%');
    expect(formatValue(new PyFloat(2), '')).toBe('2.0');
    expect(formatValue(2.5, '')).toBe('2.5');
    expect(formatValue(1.0e-7, '.3')).toBe('1e-07');
    expect(formatValue(3, '.2f')).toBe('3.00');
    expect(formatValue(255, '#X')).toBe('0XFF');
    expect(err(() => formatValue('x', 'd'))).toBe('ValueError');
    expect(err(() => formatValue([1], '>5'))).toBe('TypeError');
  });
});
