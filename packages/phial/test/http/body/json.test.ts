import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_JSON_DEPTH, parseJson } from '../../../src/http/body/index.js';
import { BadRequest } from '../../../src/http/exceptions.js';
import { bytes } from './helpers.js';

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof BadRequest ? e.code : -1;
  }
  return undefined;
}

describe('parseJson', () => {
  it('parses UTF-8 JSON', () => {
    expect(parseJson(bytes('{"a":[1,2,{"b":"é"}],"c":null}'))).toEqual({ a: [1, 2, { b: 'é' }], c: null });
    expect(parseJson(bytes('42'))).toBe(42);
    expect(parseJson('"s"')).toBe('s');
  });

  it('tolerates a UTF-8 BOM', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"x":1}')]);
    expect(parseJson(withBom)).toEqual({ x: 1 });
    expect(parseJson('\ufeff[1]')).toEqual([1]);
  });

  it('rejects invalid JSON, an empty body and invalid UTF-8 with 400', () => {
    expect(code(() => parseJson(bytes('{"a":')))).toBe(400);
    expect(code(() => parseJson(bytes('')))).toBe(400);
    expect(code(() => parseJson(new Uint8Array([0x22, 0xff, 0x22])))).toBe(400);
    expect(() => parseJson(bytes('nope'))).toThrow(/Failed to decode JSON object/);
  });

  it('limits nesting depth', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(DEFAULT_MAX_JSON_DEPTH).toBe(512);
    expect(Array.isArray(parseJson(bytes(deep(512))))).toBe(true);
    expect(code(() => parseJson(bytes(deep(513))))).toBe(400);
    expect(code(() => parseJson(bytes(deep(11)), 10))).toBe(400);
    expect(parseJson(bytes(deep(10)), 10)).toBeDefined();
    // mixed objects and arrays count too
    const mixed = `${'{"a":'.repeat(6)}1${'}'.repeat(6)}`;
    expect(code(() => parseJson(bytes(mixed), 5))).toBe(400);
    // brackets inside strings do not count
    const inString = JSON.stringify({ s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\\' });
    expect(parseJson(bytes(inString), 2)).toEqual({ s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\\' });
    expect(() => parseJson(bytes(deep(100_000)))).toThrow(BadRequest);
    // long documents: few brackets skip the scan; many brackets are scanned exactly
    const long = JSON.stringify({ a: 'x'.repeat(5000), b: [[1], [2]] });
    expect(parseJson(bytes(long), 3)).toEqual({ a: 'x'.repeat(5000), b: [[1], [2]] });
    expect(code(() => parseJson(bytes(long), 2))).toBe(400);
    const flat = JSON.stringify(Array.from({ length: 2000 }, (_, i) => [i]));
    expect((parseJson(bytes(flat), 2) as unknown[]).length).toBe(2000);
    expect(code(() => parseJson(bytes(`${'['.repeat(600)}${' '.repeat(5000)}${']'.repeat(600)}`)))).toBe(400);
  });

  it('keeps __proto__ as an own key', () => {
    const v = parseJson(bytes('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect((v as { polluted?: number }).polluted).toBeUndefined();
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
});
