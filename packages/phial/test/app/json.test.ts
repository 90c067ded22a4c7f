import { describe, expect, it } from 'vitest';
import { DefaultJSONProvider, type DumpsOptions, httpDate } from '../../src/app/json.js';
import { MultiDict } from '../../src/http/datastructures/index.js';

const p = new DefaultJSONProvider();
/** Compact output, as JSON responses use. */
const dump = (v: unknown, o: DumpsOptions = {}) => p.dumps(v, { compact: true, ...o });

describe('DefaultJSONProvider.dumps', () => {
  it("uses Python's default separators unless compact, like Flask's app.json.dumps", () => {
    expect(p.dumps({ b: [1, 2], a: 'x, y: z' })).toBe('{"a": "x, y: z", "b": [1, 2]}');
    expect(p.dumps({ a: 1 }, { separators: [',', ': '] })).toBe('{"a": 1}');
    expect(p.dumps({ b: 1, a: 'é' }, { sort_keys: false, ensure_ascii: false })).toBe('{"b": 1, "a": "é"}');
    expect(p.dumps('"quoted, text": here')).toBe('"\\"quoted, text\\": here"');
    expect(p.dumps({ n: 1n, m: new Map([['k', [1, 2]]]) })).toBe('{"m": {"k": [1, 2]}, "n": 1}');
  });

  it('sorts keys recursively and is compact', () => {
    expect(dump({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(dump({ a: 1, b: 2 })).toBe('{"a":1,"b":2}');
    expect(dump([1, 'x', true, null])).toBe('[1,"x",true,null]');
  });

  it('sorts keys as strings like Python, integer-like keys included', () => {
    expect(dump({ b: 1, 10: 'ten', 9: 'nine', a: 0 })).toBe('{"10":"ten","9":"nine","a":0,"b":1}');
  });

  it('keeps insertion order when sortKeys is off', () => {
    const q = new DefaultJSONProvider();
    q.sortKeys = false;
    expect(q.dumps({ b: 1, a: 2 }, { compact: true })).toBe('{"b":1,"a":2}');
    expect(dump({ b: 1, a: 2 }, { sortKeys: false })).toBe('{"b":1,"a":2}');
  });

  it('escapes non-ASCII by default (ensure_ascii) and not when disabled', () => {
    expect(dump({ s: 'é€😀' })).toBe('{"s":"\\u00e9\\u20ac\\ud83d\\ude00"}');
    expect(dump({ s: 'é' }, { ensureAscii: false })).toBe('{"s":"é"}');
    expect(JSON.parse(dump({ s: 'é€😀' }))).toEqual({ s: 'é€😀' });
  });

  it('indents like Python indent=2', () => {
    expect(dump({ b: [1, 2], a: {} }, { indent: 2 })).toBe('{\n  "a": {},\n  "b": [\n    1,\n    2\n  ]\n}');
    expect(
      dump(
        {
          m: new Map<string, unknown>([
            ['b', 1],
            ['a', []],
          ]),
        },
        { indent: 2 },
      ),
    ).toBe('{\n  "m": {\n    "a": [],\n    "b": 1\n  }\n}');
  });

  it('serialises dates as HTTP dates', () => {
    const d = new Date(Date.UTC(2015, 9, 21, 7, 28, 0));
    expect(httpDate(d)).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(dump({ when: d })).toBe('{"when":"Wed, 21 Oct 2015 07:28:00 GMT"}');
    expect(dump([d])).toBe('["Wed, 21 Oct 2015 07:28:00 GMT"]');
    expect(() => dump(new Date(Number.NaN))).toThrow(TypeError);
  });

  it('Map → object, Set → array, bigint → digits, toJSON used', () => {
    expect(
      dump(
        new Map<unknown, unknown>([
          ['b', 1],
          [2, 'two'],
          [true, 'yes'],
        ]),
      ),
    ).toBe('{"2":"two","b":1,"true":"yes"}');
    expect(() => dump(new Map([[{}, 1]]))).toThrow(TypeError);
    expect(dump({ s: new Set([3, 1]) })).toBe('{"s":[3,1]}');
    expect(dump({ n: 12345678901234567890n })).toBe('{"n":12345678901234567890}');
    const md = new MultiDict<string>([
      ['b', '1'],
      ['a', '2'],
      ['a', '3'],
    ]);
    expect(dump(md)).toBe('{"a":"2","b":"1"}');
    expect(dump({ x: { toJSON: () => ({ z: 1, y: 2 }) } })).toBe('{"x":{"y":2,"z":1}}');
  });

  it('rejects bytes, promises and top-level undefined with TypeError', () => {
    expect(() => dump(new Uint8Array([1]))).toThrow(/Uint8Array is not JSON serializable/);
    expect(() => dump({ b: Buffer.from('x') })).toThrow(/Buffer is not JSON serializable/);
    expect(() => dump({ b: new ArrayBuffer(2) })).toThrow(TypeError);
    expect(() => dump(Promise.resolve(1))).toThrow(TypeError);
    expect(() => dump(undefined)).toThrow(TypeError);
  });

  it('drops undefined/functions in objects and nulls them in arrays, like JSON.stringify', () => {
    expect(dump({ b: undefined, a: () => 1, c: 1 })).toBe('{"c":1}');
    expect(dump([undefined, () => 1])).toBe('[null,null]');
    expect(dump({ n: Number.NaN, i: Number.POSITIVE_INFINITY })).toBe('{"i":null,"n":null}');
  });

  it('serialises class instances by their own properties, __html__ by its text', () => {
    class User {
      constructor(
        readonly name: string,
        readonly id: number,
      ) {}
      greet() {
        return 'hi';
      }
    }
    expect(dump(new User('ann', 1))).toBe('{"id":1,"name":"ann"}');
    const markup = { __html__: () => '<b>x</b>' };
    Object.setPrototypeOf(markup, { kind: 'Markup' });
    expect(dump({ m: markup })).toBe('{"m":"<b>x</b>"}');
  });

  it('keeps __proto__ keys as data and never pollutes', () => {
    const obj = JSON.parse('{"z":1,"__proto__":{"x":1}}') as object;
    expect(dump(obj)).toBe('{"__proto__":{"x":1},"z":1}');
    expect(({} as { x?: number }).x).toBeUndefined();
  });

  it('detects cycles', () => {
    const a: Record<string, unknown> = { k: 1 };
    a.self = a;
    expect(() => dump(a)).toThrow(TypeError);
  });

  it('a custom default adds types', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    class MyProvider extends DefaultJSONProvider {
      override default(o: object): unknown {
        if (o instanceof Money) return `$${(o.cents / 100).toFixed(2)}`;
        return super.default(o);
      }
    }
    expect(new MyProvider().dumps({ price: new Money(1234) }, { compact: true })).toBe('{"price":"$12.34"}');
  });

  it('gives the same output on the fast and slow paths', () => {
    const data = { b: [1, { d: 'x', c: 'é' }], a: 'ok', n: null };
    const viaFast = dump(data);
    const viaSlow = dump({ ...data, big: 1n });
    expect(viaFast).toBe('{"a":"ok","b":[1,{"c":"\\u00e9","d":"x"}],"n":null}');
    expect(viaSlow).toBe('{"a":"ok","b":[1,{"c":"\\u00e9","d":"x"}],"big":1,"n":null}');
    expect(dump({ ...data, big: 1n }, { indent: 2 })).toBe(
      JSON.stringify({ a: 'ok', b: [1, { c: 'é', d: 'x' }], big: 1, n: null }, null, 2).replace(
        'é',
        '\\u00e9',
      ),
    );
  });
});

describe('DefaultJSONProvider.loads and responseBody', () => {
  it('parses text and UTF-8 bytes', () => {
    expect(p.loads('{"a":[1]}')).toEqual({ a: [1] });
    expect(p.loads(new TextEncoder().encode('"é"'))).toBe('é');
    expect(() => p.loads('{')).toThrow(SyntaxError);
  });

  it('is compact with a newline unless the app is in debug mode', () => {
    expect(new DefaultJSONProvider({ debug: false }).responseBody({ b: 1, a: 2 })).toBe('{"a":2,"b":1}\n');
    expect(new DefaultJSONProvider({ debug: true }).responseBody({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    const forced = new DefaultJSONProvider({ debug: true });
    forced.compact = true;
    expect(forced.responseBody({ a: 1 })).toBe('{"a":1}\n');
    expect(p.mimetype).toBe('application/json');
  });

  it('response() builds an application/json Response', () => {
    const res = new DefaultJSONProvider({ debug: false }).response({ b: [1], a: 'é' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.text).toBe('{"a":"\\u00e9","b":[1]}\n');
    expect(res.json).toEqual({ a: 'é', b: [1] });
  });

  it('response() follows the provider settings: dumps overrides, mimetype, ensureAscii, nested toJSON', () => {
    class Custom extends DefaultJSONProvider {
      override dumps(value: unknown): string {
        return `custom:${JSON.stringify(value)}`;
      }
    }
    expect(new Custom({ debug: false }).response({ a: 1 }).text).toBe('custom:{"a":1}\n');
    const q = new DefaultJSONProvider({ debug: false });
    q.mimetype = 'application/vnd.api+json';
    expect(q.response([1]).headers.get('content-type')).toBe('application/vnd.api+json');
    q.mimetype = 'application/json';
    expect(q.response([1]).headers.get('content-type')).toBe('application/json');
    q.ensureAscii = false;
    expect(q.response({ a: 'é😀' }).text).toBe('{"a":"é😀"}\n');
    q.ensureAscii = true;
    expect(q.response({ a: 'é😀' }).text).toBe('{"a":"\\u00e9\\ud83d\\ude00"}\n');
    const seen: string[] = [];
    const item = (v: number) => ({ toJSON: (k: string) => (seen.push(k), v) });
    expect(q.response({ list: [item(1), 2, item(3)] }).text).toBe('{"list":[1,2,3]}\n');
    expect(seen).toEqual(['0', '2']);
  });
});
