import { describe, expect, it } from 'vitest';
import { UndefinedError } from '../../src/errors.js';
import {
  ChainableUndefined,
  DebugUndefined,
  isUndefined,
  MISSING,
  StrictUndefined,
  Undefined,
} from '../../src/runtime/undefined.js';

describe('Undefined', () => {
  it('builds Jinja messages for names, attributes and items', () => {
    expect(new Undefined(null, MISSING, 'x').undefinedMessage).toBe("'x' is undefined");
    expect(new Undefined(null, {}, 'y').undefinedMessage).toBe("'dict object' has no attribute 'y'");
    expect(new Undefined(null, [1], 5).undefinedMessage).toBe('list object has no element 5');
    expect(new Undefined(null, null, 'a').undefinedMessage).toBe("'None' has no attribute 'a'");
    expect(new Undefined('custom hint').undefinedMessage).toBe('custom hint');
  });

  it('prints empty, iterates empty and is falsy, but fails on attribute access and calls', () => {
    const u = new Undefined(null, MISSING, 'x');
    expect(u.str()).toBe('');
    expect(`${u}`).toBe('');
    expect([...u]).toEqual([]);
    expect(u.bool()).toBe(false);
    expect(u.len()).toBe(0);
    expect(() => u.getattr('a')).toThrow(UndefinedError);
    expect(() => u.getitem(0)).toThrow("'x' is undefined");
    expect(() => u.call()).toThrow(UndefinedError);
    expect(u.eq(new Undefined())).toBe(true);
    expect(u.eq(new StrictUndefined())).toBe(false);
    expect(isUndefined(u)).toBe(true);
    expect(isUndefined(null)).toBe(false);
  });

  it('StrictUndefined refuses printing, truth tests, iteration and comparison', () => {
    const u = new StrictUndefined(null, MISSING, 's');
    expect(() => u.str()).toThrow("'s' is undefined");
    expect(() => `${u}`).toThrow(UndefinedError);
    expect(() => u.bool()).toThrow(UndefinedError);
    expect(() => [...u]).toThrow(UndefinedError);
    expect(() => u.eq(1)).toThrow(UndefinedError);
  });

  it('ChainableUndefined returns itself for attributes and items', () => {
    const u = new ChainableUndefined(null, MISSING, 'c');
    expect(u.getattr('a')).toBe(u);
    expect(u.getitem('b')).toBe(u);
    expect(u.__html__()).toBe('');
    expect(() => u.call()).toThrow(UndefinedError);
  });

  it('DebugUndefined prints the missing expression', () => {
    expect(new DebugUndefined(null, MISSING, 'who').str()).toBe('{{ who }}');
  });
});
