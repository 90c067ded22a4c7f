import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOBALS, Namespace } from '../../src/builtins/globals.js';
import { Markup } from '../../src/runtime/markup.js';
import { PyFloat } from '../../src/runtime/python.js';
import { StrictUndefined, Undefined } from '../../src/runtime/undefined.js';
import { makeEnv } from './fake-env.js';

const { test: t } = makeEnv();

describe('builtin tests', () => {
  it('defined / undefined / none', () => {
    expect(t('defined', 1)).toBe(true);
    expect(t('defined', null)).toBe(true);
    expect(t('defined', new Undefined())).toBe(false);
    expect(t('undefined', new Undefined())).toBe(true);
    expect(t('none', null)).toBe(true);
    expect(t('none', 0)).toBe(false);
    expect(t('none', new Undefined())).toBe(false);
  });
  it('types', () => {
    expect([true, false, 1, null].map((v) => t('boolean', v))).toEqual([true, true, false, false]);
    expect(t('true', true) && !t('true', 1) && t('false', false) && !t('false', 0)).toBe(true);
    expect([new PyFloat(3), 3, 2.5, '1.5'].map((v) => t('float', v))).toEqual([true, false, true, false]);
    expect([3, true, 2.5].map((v) => t('integer', v))).toEqual([true, false, false]);
    expect(['a', 3, new Markup('a'), null].map((v) => t('string', v))).toEqual([true, false, true, false]);
    expect([{}, [], 'a', new Namespace()].map((v) => t('mapping', v))).toEqual([true, false, false, false]);
    expect([[], 'abc', {}, 3, new Undefined(), null].map((v) => t('iterable', v))).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect([{}, [], 'x', 5, null].map((v) => t('sequence', v))).toEqual([true, true, true, false, false]);
    expect([1, 'a', null, 2.5, true, '3'].filter((v) => t('number', v)).length).toBe(3);
    expect(
      t('callable', DEFAULT_GLOBALS.range) && t('callable', DEFAULT_GLOBALS.cycler) && !t('callable', 'abc'),
    ).toBe(true);
  });
  it('numbers', () => {
    expect([4, 0, 7].map((v) => t('even', v))).toEqual([true, true, false]);
    expect([-3, -2, 7].map((v) => t('odd', v))).toEqual([true, false, true]);
    expect(
      t('divisibleby', 9, 3) && !t('divisibleby', 10, 3) && t('divisibleby', 0, 7) && t('divisibleby', -6, 3),
    ).toBe(true);
    expect(t('divisibleby', 4.5, 1.5) && t('divisibleby', 5, 2.5) && !t('divisibleby', 5.5, 2)).toBe(true);
    expect(() => t('divisibleby', 4, 0)).toThrow(expect.objectContaining({ name: 'ZeroDivisionError' }));
  });
  it('comparisons and aliases', () => {
    expect(t('eq', 1, new PyFloat(1)) && t('==', 3, 3) && t('equalto', 'a', 'a') && !t('eq', 'a', 'b')).toBe(
      true,
    );
    expect(
      t('lt', 2, 2.5) &&
        !t('lessthan', 2, 2) &&
        t('le', 'B', 'a') &&
        t('gt', 'b', 'B') &&
        !t('greaterthan', 5, 5),
    ).toBe(true);
    expect(
      t('ne', 1, 2) && t('!=', 1, 2) && t('>=', 2, 2) && t('<=', 1, 2) && t('<', 1, 2) && t('>', 2, 1),
    ).toBe(true);
    expect(() => t('gt', 5)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
  it('string case, in, sameas, escaped, filter/test names', () => {
    expect(['ABC', 'ABC 1', 'AbC', '1', 'ÉÀ'].map((v) => t('upper', v))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(t('lower', 5)).toBe(false);
    expect(t('in', 'bc', 'abcd') && t('in', '', 'x') && !t('in', 'ac', 'abc') && t('in', 2, [1, 2])).toBe(
      true,
    );
    expect(t('sameas', null, null) && t('sameas', false, false) && !t('sameas', 0, false)).toBe(true);
    expect(
      t('escaped', new Markup('x')) &&
        !t('escaped', 'x') &&
        !t('escaped', 3) &&
        !t('escaped', new Undefined()),
    ).toBe(true);
    expect(
      t('filter', 'upper') && !t('filter', 'odd') && t('filter', 'd') && t('test', 'odd') && t('test', 'in'),
    ).toBe(true);
  });
  it('strict undefined raises on comparisons', () => {
    expect(() => t('eq', new StrictUndefined(null, undefined, 'x'), 1)).toThrow(
      expect.objectContaining({ name: 'UndefinedError' }),
    );
  });
});
