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
  it('lipsum validates its word range like random.randrange (Jinja raises ValueError)', () => {
    const err = (...a: unknown[]) => {
      try {
        lipsum(...a);
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    expect(err(1, false, 3, 3)).toBe('ValueError: empty range for randrange() (3, 3, 0)');
    expect(err(2, false, 5, 3)).toBe('ValueError: empty range for randrange() (5, 3, -2)');
    expect(err(1, false, 3.5, 9)).toBe('ValueError: non-integer arg 1 for randrange()');
    expect(err(1, false, 5, '9')).toBe('ValueError: non-integer stop for randrange()');
    expect(err(1.5)).toBe("TypeError: 'float' object cannot be interpreted as an integer");
    expect(err(new Kwargs({ x: 1 }))).toBe(
      "TypeError: generate_lorem_ipsum() got an unexpected keyword argument 'x'",
    );
    expect(err(1, new Kwargs({ n: 2 }))).toBe(
      "TypeError: generate_lorem_ipsum() got multiple values for argument 'n'",
    );
    expect(err(1, 2, 3, 4, 5)).toBe(
      'TypeError: generate_lorem_ipsum() takes from 0 to 4 positional arguments but 5 were given',
    );
    // no paragraph, no draw: an empty range is not looked at
    expect(lipsum(0, false, 3, 3)).toBe('');
    expect(String(lipsum(-1))).toBe('');
    // one word per paragraph with range(3, 4); falsy html gives text; keywords bind by name
    expect(
      (lipsum(2, [], 3, 4) as string).split('\n\n').every((p) => /^[A-Z][a-z]+ [a-z]+ [a-z]+\.$/.test(p)),
    ).toBe(true);
    expect(lipsum(new Kwargs({ n: 1, html: false, min: 1, max: 2 }))).toMatch(/^[A-Z][a-z]+\.$/);
  });
});
