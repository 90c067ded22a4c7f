import { describe, expect, it } from 'vitest';
import { getPyMethod } from '../../src/builtins/pymethods.js';
import { Kwargs } from '../../src/runtime/calls.js';
import { Markup } from '../../src/runtime/markup.js';
import { pyStr, tuple } from '../../src/runtime/python.js';

const call = (obj: unknown, name: string, ...args: unknown[]) => {
  const m = getPyMethod(obj, name);
  if (!m) throw new Error(`no method ${name}`);
  return m(...args);
};

describe('str methods', () => {
  it('case and whitespace', () => {
    expect(call('MiXeD', 'upper')).toBe('MIXED');
    expect(call('MiXeD', 'lower')).toBe('mixed');
    expect(call("they're bill's", 'title')).toBe("They'Re Bill'S");
    expect(call('hELLO', 'capitalize')).toBe('Hello');
    expect(call('aB', 'swapcase')).toBe('Ab');
    expect(call('  pad  ', 'strip')).toBe('pad');
    expect(call('  pad  ', 'lstrip')).toBe('pad  ');
    expect(call('  pad  ', 'rstrip')).toBe('  pad');
    expect(call('xxhixx', 'strip', 'x')).toBe('hi');
  });
  it('split, join, replace', () => {
    expect(call('a,b,c', 'split', ',')).toEqual(['a', 'b', 'c']);
    expect(call(' one  two\tthree ', 'split')).toEqual(['one', 'two', 'three']);
    expect(call('a,b,c', 'split', ',', 1)).toEqual(['a', 'b,c']);
    expect(call('a b c', 'split', new Kwargs({ maxsplit: 1 }))).toEqual(['a', 'b c']);
    expect(call('a b c', 'rsplit', null, 1)).toEqual(['a b', 'c']);
    expect(call('a\nb\r\nc', 'splitlines')).toEqual(['a', 'b', 'c']);
    expect(call('-', 'join', ['x', 'y', 'z'])).toBe('x-y-z');
    expect(() => call('-', 'join', [1])).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(call('aaaa', 'replace', 'a', 'b', 2)).toBe('bbaa');
  });
  it('search and predicates', () => {
    expect(call('https://x', 'startswith', 'https')).toBe(true);
    expect(call('cat.jpg', 'endswith', tuple(['.png', '.jpg']))).toBe(true);
    expect(call('hello', 'find', 'l')).toBe(2);
    expect(call('hello', 'rfind', 'l')).toBe(3);
    expect(call('hello', 'find', 'z')).toBe(-1);
    expect(() => call('hello', 'index', 'z')).toThrow(expect.objectContaining({ name: 'ValueError' }));
    expect(call('banana', 'count', 'an')).toBe(2);
    expect(call('123', 'isdigit')).toBe(true);
    expect(call('12a', 'isdigit')).toBe(false);
    expect(call('abc', 'isalpha') && call('a1', 'isalnum') && call(' \t', 'isspace')).toBe(true);
    expect(call('ABC', 'isupper') && call('abc', 'islower') && call('Hello World', 'istitle')).toBe(true);
    expect(pyStr(call('a=b=c', 'partition', '='))).toBe("('a', '=', 'b=c')");
  });
  it('padding and format', () => {
    expect(call('hi', 'center', 6, '*')).toBe('**hi**');
    expect(call('ab', 'center', 7)).toBe('   ab  ');
    expect(call('7', 'zfill', 3)).toBe('007');
    expect(call('-7', 'zfill', 4)).toBe('-007');
    expect(call('ab', 'ljust', 4, '.')).toBe('ab..');
    expect(call('ab', 'rjust', 4)).toBe('  ab');
    expect(call('{} and {}', 'format', 'x', 'y')).toBe('x and y');
    expect(call('{greet}, {name}!', 'format', new Kwargs({ name: 'Bo', greet: 'Hi' }))).toBe('Hi, Bo!');
    expect(call('{0}{1}{x}', 'format', 'a', 'b', new Kwargs({ x: 'c' }))).toBe('abc');
    expect(call('{:>6.2f}|{:<4}|{:^5}|{:+d}|{:,}', 'format', 3.14159, 'ab', 'c', 5, 1234567)).toBe(
      '  3.14|ab  |  c  |+5|1,234,567',
    );
    expect(call('{0[a]} {1!r} {2:x} {2:#06x}', 'format', { a: 1 }, 'q', 255)).toBe("1 'q' ff 0x00ff");
    expect(() => call('{0} {}', 'format', 1, 2)).toThrow(expect.objectContaining({ name: 'ValueError' }));
    expect(call('{:08.3f} {:e} {:%} {:g}', 'format', -3.14159, 1234.5, 0.25, 1e-7)).toBe(
      '-003.142 1.234500e+03 25.000000% 1e-07',
    );
  });
  it('Markup methods escape arguments and stay safe', () => {
    const m = new Markup('<b>x</b>');
    const up = call(m, 'upper');
    expect(up).toBeInstanceOf(Markup);
    expect(String(up)).toBe('<B>X</B>');
    expect(String(call(m, 'replace', 'x', '<i>'))).toBe('<b>&lt;i&gt;</b>');
    expect(String(call(new Markup('<p>{}</p>'), 'format', '<i>'))).toBe('<p>&lt;i&gt;</p>');
    expect(call(new Markup('&amp;'), 'unescape')).toBe('&');
  });
});

describe('list and dict methods', () => {
  it('list methods mutate in place', () => {
    const lst: unknown[] = [1, 2];
    expect(call(lst, 'append', 3)).toBe(null);
    expect(lst).toEqual([1, 2, 3]);
    call(lst, 'extend', [4]);
    call(lst, 'insert', 0, 0);
    expect(call(lst, 'pop')).toBe(4);
    call(lst, 'remove', 0);
    call(lst, 'reverse');
    expect(lst).toEqual([3, 2, 1]);
    call(lst, 'sort');
    expect(lst).toEqual([1, 2, 3]);
    call(lst, 'sort', new Kwargs({ reverse: true }));
    expect(lst).toEqual([3, 2, 1]);
    expect(call(['a', 'b', 'c', 'a'], 'index', 'c')).toBe(2);
    expect(call(['a', 'b', 'c', 'a'], 'count', 'a')).toBe(2);
    expect(() => call([], 'pop')).toThrow(expect.objectContaining({ name: 'IndexError' }));
    expect(getPyMethod(tuple([1]), 'append')).toBeUndefined();
  });
  it('dict methods', () => {
    const d: Record<string, unknown> = { one: 1, two: 2 };
    expect(pyStr(call(d, 'items'))).toBe("[('one', 1), ('two', 2)]");
    expect(call(d, 'keys')).toEqual(['one', 'two']);
    expect(call(d, 'values')).toEqual([1, 2]);
    expect(call(d, 'get', 'zz')).toBe(null);
    expect(call(d, 'get', 'zz', 5)).toBe(5);
    expect(call(d, 'setdefault', 'three', 3)).toBe(3);
    call(d, 'update', { four: 4 }, new Kwargs({ five: 5 }));
    expect(Object.keys(d)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(call(d, 'pop', 'five')).toBe(5);
    expect(call(d, 'pop', 'nope', 'dflt')).toBe('dflt');
    expect(() => call(d, 'pop', 'nope')).toThrow(expect.objectContaining({ name: 'KeyError' }));
    const m = new Map<unknown, unknown>([['a', 1]]);
    expect(call(m, 'get', 'a')).toBe(1);
  });
});
