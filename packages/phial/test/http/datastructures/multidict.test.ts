import { describe, expect, it } from 'vitest';
import { MultiDict } from '../../../src/http/datastructures/index.js';
import { BadRequest, BadRequestKeyError } from '../../../src/http/exceptions.js';

describe('MultiDict', () => {
  it('keeps every value and reads the first', () => {
    const md = new MultiDict<string>([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ]);
    expect(md.get('a')).toBe('1');
    expect(md.getAll('a')).toEqual(['1', '3']);
    expect(md.getAll('missing')).toEqual([]);
    expect(md.get('missing')).toBeUndefined();
    expect(md.get('missing', 'dflt')).toBe('dflt');
    expect(md.has('b')).toBe(true);
    expect(md.has('c')).toBe(false);
    expect(md.size).toBe(2);
  });

  it('getOrThrow gives the first value or a 400 BadRequestKeyError', () => {
    const md = new MultiDict({ a: ['1', '2'] });
    expect(md.getOrThrow('a')).toBe('1');
    try {
      md.getOrThrow('missing');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BadRequestKeyError);
      expect(e).toBeInstanceOf(BadRequest);
      expect((e as BadRequestKeyError).code).toBe(400);
      expect((e as BadRequestKeyError).key).toBe('missing');
    }
  });

  it('converts with type and falls back to the default when it throws', () => {
    const md = new MultiDict({ n: ['5', 'x', '7'], bad: 'x' });
    const toInt = (v: string): number => {
      if (!/^\d+$/.test(v)) throw new Error('no');
      return Number(v);
    };
    expect(md.get('n', 0, toInt)).toBe(5);
    expect(md.get('bad', -1, toInt)).toBe(-1);
    expect(md.getAll('n', toInt)).toEqual([5, 7]);
  });

  it('builds from objects with arrays and from another MultiDict', () => {
    const md = new MultiDict({ a: ['1', '2'], b: '3' });
    expect([...md.items(true)]).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', '3'],
    ]);
    const copy = new MultiDict(md);
    copy.add('a', '9');
    expect(md.getAll('a')).toEqual(['1', '2']);
    expect(copy.getAll('a')).toEqual(['1', '2', '9']);
  });

  it('iterates keys in insertion order, even integer-like keys', () => {
    const md = new MultiDict<string>([
      ['z', '1'],
      ['2', 'x'],
      ['1', 'y'],
    ]);
    expect([...md.keys()]).toEqual(['z', '2', '1']);
    expect([...md.values()]).toEqual(['1', 'x', 'y']);
    expect([...md]).toEqual([
      ['z', '1'],
      ['2', 'x'],
      ['1', 'y'],
    ]);
  });

  it('entries() gives the first value per key; items(true) every pair', () => {
    const md = new MultiDict<string>([
      ['a', '1'],
      ['a', '2'],
    ]);
    expect([...md.entries()]).toEqual([['a', '1']]);
    expect([...md.items()]).toEqual([['a', '1']]);
    expect([...md.items(true)]).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
    expect([...md.lists()]).toEqual([['a', ['1', '2']]]);
  });

  it('set replaces, add appends, setDefault keeps existing', () => {
    const md = new MultiDict<string>();
    md.add('a', '1').add('a', '2');
    md.set('a', '3');
    expect(md.getAll('a')).toEqual(['3']);
    expect(md.setDefault('a', 'x')).toBe('3');
    expect(md.setDefault('b', 'y')).toBe('y');
    expect(md.get('b')).toBe('y');
    md.setAll('c', ['p', 'q']);
    expect(md.getAll('c')).toEqual(['p', 'q']);
    md.setAll('c', []);
    expect(md.has('c')).toBe(false);
  });

  it('delete, pop and popAll remove keys', () => {
    const md = new MultiDict({ a: ['1', '2'], b: '3', c: '4' });
    expect(md.pop('a')).toBe('1');
    expect(md.has('a')).toBe(false);
    expect(md.pop('a', 'd')).toBe('d');
    expect(md.pop('a')).toBeUndefined();
    expect(md.delete('b')).toBe(true);
    expect(md.delete('b')).toBe(false);
    expect(md.popAll('c')).toEqual(['4']);
    expect(md.size).toBe(0);
  });

  it('getAll returns a copy', () => {
    const md = new MultiDict({ a: ['1'] });
    md.getAll('a').push('x');
    expect(md.getAll('a')).toEqual(['1']);
  });

  it('toObject gives null-prototype objects, flat or not', () => {
    const md = new MultiDict<string>([
      ['a', '1'],
      ['a', '2'],
      ['b', '3'],
    ]);
    const flat = md.toObject();
    expect(Object.getPrototypeOf(flat)).toBeNull();
    expect({ ...flat }).toEqual({ a: '1', b: '3' });
    const lists = md.toObject({ flat: false });
    expect({ ...lists }).toEqual({ a: ['1', '2'], b: ['3'] });
    expect(JSON.stringify(md)).toBe('{"a":"1","b":"3"}');
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const md = new MultiDict<string>([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
    expect(md.get('__proto__')).toBe('x');
    expect(md.get('constructor')).toBe('y');
    expect(md.has('toString')).toBe(false);
    expect(md.get('hasOwnProperty')).toBeUndefined();
    const obj = md.toObject();
    expect(Object.keys(obj)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('update extends existing values', () => {
    const md = new MultiDict({ a: '1' });
    md.update({ a: '2', b: '3' });
    expect(md.getAll('a')).toEqual(['1', '2']);
    md.clear();
    expect(md.size).toBe(0);
  });
});

describe('MultiDict type conversion', () => {
  it('treats NaN from a converter like Number as a rejected value', () => {
    const d = new MultiDict<string>([
      ['page', 'abc'],
      ['n', '4'],
      ['n', 'x'],
      ['n', '5'],
    ]);
    expect(d.get('page', 1, Number)).toBe(1);
    expect(d.get('n', 0, Number)).toBe(4);
    expect(d.getAll('n', Number)).toEqual([4, 5]);
  });
});
