import { describe, expect, it } from 'vitest';
import {
  type Cycler,
  DEFAULT_GLOBALS,
  isNamespace,
  lipsum,
  type Namespace,
  pyDict,
  pyRange,
} from '../../src/builtins/globals.js';
import { getPyMethod } from '../../src/builtins/pymethods.js';
import { Kwargs } from '../../src/runtime/calls.js';
import { Markup } from '../../src/runtime/markup.js';
import { pyStr } from '../../src/runtime/python.js';

describe('range', () => {
  it('follows Python', () => {
    expect(pyRange(-3, 1)).toEqual([-3, -2, -1, 0]);
    expect(pyRange(0)).toEqual([]);
    expect(pyRange(5, 2)).toEqual([]);
    expect(pyRange(1, 5, -1)).toEqual([]);
    expect(pyRange(3, 0, -1)).toEqual([3, 2, 1]);
    expect(pyRange(3, 30, 3).length).toBe(9);
    expect(() => pyRange(1, 10, 0)).toThrow(expect.objectContaining({ name: 'ValueError' }));
    expect(() => pyRange(2.5)).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(() => pyRange(200000)).toThrow(expect.objectContaining({ name: 'OverflowError' }));
  });
  it('prints like a Python range object', () => {
    expect(pyStr(pyRange(3))).toBe('range(0, 3)');
    expect(pyStr(pyRange(1, 10, 2))).toBe('range(1, 10, 2)');
    expect(getPyMethod(pyRange(3), 'append')).toBeUndefined();
    expect(getPyMethod(pyRange(3), 'index')?.(2)).toBe(2);
  });
});

describe('dict and namespace', () => {
  it('dict takes kwargs and mappings', () => {
    expect(pyDict(new Kwargs({ a: 1, b: 'x' }))).toEqual({ a: 1, b: 'x' });
    expect(pyDict()).toEqual({});
    expect(pyDict([['k', 1]], new Kwargs({ z: 2 }))).toEqual({ k: 1, z: 2 });
    const m = pyDict([
      [1, 'a'],
      ['b', 2],
    ]);
    expect(m).toBeInstanceOf(Map);
    expect(pyStr(m)).toBe("{1: 'a', 'b': 2}");
  });
  it('namespace merges positional dict and kwargs', () => {
    const ns = (DEFAULT_GLOBALS.namespace as (...a: unknown[]) => Namespace)(
      { a: 1 },
      new Kwargs({ b: 2, a: 3 }),
    );
    expect(isNamespace(ns)).toBe(true);
    expect(ns.a).toBe(3);
    expect(ns.b).toBe(2);
    expect(String(ns)).toBe("<Namespace {'a': 3, 'b': 2}>");
  });
});

describe('cycler, joiner, lipsum', () => {
  it('cycler cycles and resets', () => {
    const c = (DEFAULT_GLOBALS.cycler as (...a: unknown[]) => Cycler)('a', 'b', 'c');
    const next = c.next;
    expect([next(), next(), c.current, next(), next(), c.current]).toEqual(['a', 'b', 'c', 'c', 'a', 'b']);
    c.reset();
    expect(c.current).toBe('a');
    expect(() => (DEFAULT_GLOBALS.cycler as () => Cycler)()).toThrow(
      expect.objectContaining({ name: 'RuntimeError' }),
    );
  });
  it('joiner returns the separator after the first call', () => {
    const j = (DEFAULT_GLOBALS.joiner as (...a: unknown[]) => () => unknown)('-');
    expect([j(), j(), j()]).toEqual(['', '-', '-']);
    const d = (DEFAULT_GLOBALS.joiner as () => () => unknown)();
    d();
    expect(d()).toBe(', ');
  });
  it('lipsum produces paragraphs', () => {
    const html = lipsum(2);
    expect(html).toBeInstanceOf(Markup);
    expect(String(html).match(/<p>/g)?.length).toBe(2);
    const text = lipsum(3, false, 5, 10) as string;
    expect(text.split('\n\n').length).toBe(3);
    expect(text.endsWith('.')).toBe(true);
  });
});
