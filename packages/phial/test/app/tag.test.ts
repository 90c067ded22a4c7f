import { Markup } from '@phial/jinja';
import { describe, expect, it } from 'vitest';
import { pyJsonString, sessionJsonSerializer as s, TaggedJSONSerializer } from '../../src/app/tag.js';

describe('TaggedJSONSerializer.dumps (Flask byte-for-byte)', () => {
  it('sorts keys and uses compact separators', () => {
    expect(s.dumps({ zeta: 1, alpha: 2, Mid: 3, _under: 4 })).toBe('{"Mid":3,"_under":4,"alpha":2,"zeta":1}');
    expect(s.dumps({ a: { c: [1, 'x', null, true], b: {} } })).toBe('{"a":{"b":{},"c":[1,"x",null,true]}}');
  });

  it('escapes non-ASCII like ensure_ascii, emoji as surrogate pairs', () => {
    expect(s.dumps({ k: 'Grüße 日本 😀' })).toBe('{"k":"Gr\\u00fc\\u00dfe \\u65e5\\u672c \\ud83d\\ude00"}');
    expect(pyJsonString('a"b\\c\n\u0001\u007f')).toBe('"a\\"b\\\\c\\n\\u0001\\u007f"');
  });

  it('sorts keys by code point like Python', () => {
    expect(s.dumps({ '😀': 1, '\uffff': 2 })).toBe('{"\\uffff":2,"\\ud83d\\ude00":1}');
  });

  it('tags bytes, dates, markup; arrays are lists', () => {
    expect(s.dumps({ raw: new Uint8Array([0, 1, 98, 105, 110, 97, 114, 121, 255]) })).toBe(
      '{"raw":{" b":"AAFiaW5hcnn/"}}',
    );
    expect(s.dumps({ when: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) })).toBe(
      '{"when":{" d":"Thu, 02 Jan 2020 03:04:05 GMT"}}',
    );
    expect(s.dumps({ html: new Markup('<b>x</b>') })).toBe('{"html":{" m":"<b>x</b>"}}');
    expect(s.dumps({ html: { __html__: () => '<i>' } })).toBe('{"html":{" m":"<i>"}}');
    expect(s.dumps({ p: [1, 2, 3] })).toBe('{"p":[1,2,3]}');
    expect(
      s.dumps(
        new Map<string, unknown>([
          ['b', 1],
          ['a', [2]],
        ]),
      ),
    ).toBe('{"a":[2],"b":1}');
  });

  it('escapes one-key dicts whose key is a tag', () => {
    expect(s.dumps({ w: { ' t': [1, 2] } })).toBe('{"w":{" di":{" t__":[1,2]}}}');
    expect(s.dumps({ w: { ' t': 1, other: 2 } })).toBe('{"w":{" t":1,"other":2}}');
  });

  it('drops undefined like JSON and refuses what JSON cannot hold', () => {
    expect(s.dumps({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => s.dumps({ a: new Set([1]) })).toThrow(TypeError);
    expect(() => s.dumps({ d: new Date(Number.NaN) })).toThrow(TypeError);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => s.dumps(loop)).toThrow(RangeError);
  });
});

describe('TaggedJSONSerializer.loads', () => {
  it('restores tagged values per API.md decision 11', () => {
    const v = s.loads(
      '{"b":{" b":"AAFi"},"d":{" d":"Thu, 02 Jan 2020 03:04:05 GMT"},"m":{" m":"<b>x</b>"},"t":{" t":[1,{" t":[2]}]},"u":{" u":"12345678123456781234567812345678"}}',
    ) as Record<string, unknown>;
    expect(v.b).toBeInstanceOf(Uint8Array);
    expect([...(v.b as Uint8Array)]).toEqual([0, 1, 98]);
    expect((v.d as Date).toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(v.m).toBeInstanceOf(Markup);
    expect(String(v.m)).toBe('<b>x</b>');
    expect((v.m as Markup).__html__()).toBe('<b>x</b>');
    expect(v.t).toEqual([1, [2]]);
    expect(v.u).toBe('12345678-1234-5678-1234-567812345678');
  });

  it('finds tags written with escapes or spaces (no fast path then)', () => {
    expect(s.loads('{"a":{"\\u0020t":[1]}}')).toEqual({ a: [1] });
    expect(s.loads('{"a":{ " t" : [1]}}')).toEqual({ a: [1] });
    expect(s.loads('{"a":{"b":" t"}}')).toEqual({ a: { b: ' t' } });
  });

  it('unescapes " di" to the plain dict', () => {
    expect(s.loads('{"w":{" di":{" t__":[1,2]}}}')).toEqual({ w: { ' t': [1, 2] } });
  });

  it('round-trips', () => {
    const value = { a: [1, 'x', { ' b': 'not bytes' }], n: null, when: new Date(Date.UTC(2021, 5, 6)) };
    expect(s.loads(s.dumps(value))).toEqual(value);
  });

  it('rejects malformed tags', () => {
    expect(() => s.loads('{"u":{" u":"xyz"}}')).toThrow(TypeError);
    expect(() => s.loads('{"d":{" d":"not a date"}}')).toThrow(TypeError);
    expect(() => s.loads('{"b":{" b":"@@@"}}')).toThrow(TypeError);
    expect(() => s.loads('{"t":{" t":5}}')).toThrow(TypeError);
  });

  it('keeps a __proto__ key as data', () => {
    const v = s.loads('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
});

describe('custom tags', () => {
  it('registers a tag used for dumping and loading', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const t = new TaggedJSONSerializer();
    t.register({
      key: ' pt',
      check: (v): v is Point => v instanceof Point,
      toJSON: (p: Point) => [p.x, p.y],
      toValue: (stored) => new Point(...(stored as [number, number])),
    });
    expect(t.dumps({ p: new Point(1, 2) })).toBe('{"p":{" pt":[1,2]}}');
    expect((t.loads('{"p":{" pt":[3,4]}}') as { p: Point }).p).toEqual(new Point(3, 4));
    expect(() =>
      t.register({ key: ' t', check: (v): v is never => false, toJSON: (v) => v, toValue: (v) => v }),
    ).toThrow(/already registered/);
  });
});
