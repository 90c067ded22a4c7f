import { describe, expect, it } from 'vitest';
import { parseUrlEncoded } from '../../../src/http/body/index.js';
import { RequestEntityTooLarge } from '../../../src/http/exceptions.js';
import { bytes } from './helpers.js';

describe('parseUrlEncoded', () => {
  it('parses pairs, repeated keys and blank values', () => {
    const md = parseUrlEncoded('a=1&b=2&a=3&empty=&bare&&x=y=z');
    expect(md.getAll('a')).toEqual(['1', '3']);
    expect(md.get('b')).toBe('2');
    expect(md.get('empty')).toBe('');
    expect(md.get('bare')).toBe('');
    expect(md.get('x')).toBe('y=z');
    expect([...md.keys()]).toEqual(['a', 'b', 'empty', 'bare', 'x']);
  });

  it('decodes + and percent escapes, bytes or string', () => {
    const md = parseUrlEncoded(bytes('name=J%C3%BCrgen+M%C3%BCller&q=a%2Bb%26c&sp%20ace=1'));
    expect(md.get('name')).toBe('Jürgen Müller');
    expect(md.get('q')).toBe('a+b&c');
    expect(md.get('sp ace')).toBe('1');
    expect(parseUrlEncoded('k=%E2%82%AC').get('k')).toBe('€');
    expect(parseUrlEncoded(bytes('raw=é')).get('raw')).toBe('é');
  });

  it('tolerates bad percent escapes like Werkzeug', () => {
    const md = parseUrlEncoded('a=%zz&b=100%&c=%4&d=%C3%28&e=%FF%41&f=ok%20%G1');
    expect(md.get('a')).toBe('%zz');
    expect(md.get('b')).toBe('100%');
    expect(md.get('c')).toBe('%4');
    expect(md.get('d')).toBe('%C3(');
    expect(md.get('e')).toBe('%FFA');
    expect(md.get('f')).toBe('ok %G1');
  });

  it('does not nest brackets and keeps __proto__ as a key', () => {
    const md = parseUrlEncoded('a[b]=1&a[]=2&__proto__=x&constructor=y&__proto__[polluted]=1');
    expect(md.get('a[b]')).toBe('1');
    expect(md.get('a[]')).toBe('2');
    expect(md.get('__proto__')).toBe('x');
    expect(md.get('constructor')).toBe('y');
    expect(md.get('__proto__[polluted]')).toBe('1');
    const obj = md.toObject();
    expect(Object.getPrototypeOf(obj)).toBeNull();
    expect(Object.keys(obj)).toContain('__proto__');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('handles empty input', () => {
    expect(parseUrlEncoded('').size).toBe(0);
    expect(parseUrlEncoded(new Uint8Array(0)).size).toBe(0);
    expect(parseUrlEncoded('&&&').size).toBe(0);
  });

  it('enforces maxFormParts and maxFormMemorySize with 413', () => {
    expect(parseUrlEncoded('a=1&b=2', { maxFormParts: 2 }).size).toBe(2);
    expect(() => parseUrlEncoded('a=1&b=2&c=3', { maxFormParts: 2 })).toThrow(RequestEntityTooLarge);
    expect(() => parseUrlEncoded('a=12345', { maxFormMemorySize: 5 })).toThrow(RequestEntityTooLarge);
    try {
      parseUrlEncoded('a=12345', { maxFormMemorySize: 5 });
    } catch (e) {
      expect((e as RequestEntityTooLarge).code).toBe(413);
    }
  });
});
