/**
 * The output fast paths (HTML escaping by string length, number printing, `round` and `truncate` on
 * plain values, attribute reads on dicts) must give exactly what the general paths give.
 */
import { describe, expect, it } from 'vitest';
import { Environment } from '../../src/environment.js';
import { escapeString } from '../../src/runtime/markup.js';

const TABLE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const reference = (s: string) => s.replace(/[&<>"']/g, (c) => TABLE[c]!);

/** A deterministic pseudo-random generator (xorshift) so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('escapeString', () => {
  it('matches a replace-based escape on strings of every length and density of special characters', () => {
    const rand = rng(42);
    const alphabet = ['a', 'b', ' ', 'é', '😀', '&', '<', '>', '"', "'", '=', '\n'];
    for (let len = 0; len < 200; len++) {
      for (const density of [0, 0.02, 0.2, 0.8]) {
        let s = '';
        for (let i = 0; i < len; i++) {
          s += rand() < density ? alphabet[5 + Math.floor(rand() * 5)]! : alphabet[Math.floor(rand() * 5)]!;
        }
        expect(escapeString(s)).toBe(reference(s));
      }
    }
  });

  it('escapes at the edges: first, last, only, and after a long clean run', () => {
    for (const c of Object.keys(TABLE)) {
      for (const n of [0, 1, 14, 15, 16, 17, 63, 64, 65, 80, 300]) {
        const pad = 'x'.repeat(n);
        expect(escapeString(c + pad)).toBe(TABLE[c] + pad);
        expect(escapeString(pad + c)).toBe(pad + TABLE[c]);
        expect(escapeString(pad + c + pad)).toBe(pad + TABLE[c] + pad);
        expect(escapeString(c + pad + c + pad + c)).toBe(TABLE[c] + pad + TABLE[c] + pad + TABLE[c]);
      }
      expect(escapeString(c)).toBe(TABLE[c]);
    }
  });

  it('returns a clean string itself', () => {
    const long = 'y'.repeat(1000);
    expect(escapeString(long)).toBe(long);
    expect(escapeString('short')).toBe('short');
  });
});

describe('printing numbers', () => {
  const on = new Environment({ autoescape: true });
  const off = new Environment({ autoescape: false });
  const values = [0, -0, 1, -1, 42, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 0.5, -2.25, 1e-4];
  const more = [9.99e-5, 1e-7, 1e15 + 0.5, 1e16, 1.5e16, 1e21, 1e300, Number.NaN, Infinity, -Infinity];
  it('prints the same with and without autoescape', () => {
    for (const v of [...values, ...more]) {
      const a = on.fromString('{{ v }}').render({ v });
      const b = off.fromString('{{ v }}').render({ v });
      expect(a).toBe(b);
    }
  });
  it('prints like Python str()', () => {
    const r = (v: number) => on.fromString('{{ v }}').render({ v });
    expect([0, -0, 42, 2 ** 53 - 1, 0.5, -2.25, 1e-4].map(r)).toEqual([
      '0',
      '0',
      '42',
      '9007199254740991',
      '0.5',
      '-2.25',
      '0.0001',
    ]);
    expect([9.99e-5, 1e-7, 1.5e16, Number.NaN, Infinity, -Infinity].map(r)).toEqual([
      '9.99e-05',
      '1e-07',
      '15000000000000000',
      'nan',
      'inf',
      '-inf',
    ]);
    expect(r(2 ** 60)).toBe('1152921504606846976');
  });
});

describe('round on plain numbers', () => {
  const env = new Environment({ autoescape: true });
  it('gives what the keyword (general) call gives', () => {
    const rand = rng(7);
    const xs = [0.5, 1.5, 2.5, -0.5, 2.675, 1.005, -1.005, 0.125, 1e-9, 123456.789, 3, -7, 0, 1e17];
    for (let i = 0; i < 200; i++) xs.push((rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 4));
    const t = env.fromString('{% for x in xs %}{% for p in ps %}{{ x|round(p) }}/{% endfor %}|{% endfor %}');
    const g = env.fromString(
      '{% for x in xs %}{% for p in ps %}{{ x|round(precision=p) }}/{% endfor %}|{% endfor %}',
    );
    const ps = [0, 1, 2, 3, 5, 10, 15, 22, 23, 40, -1, -3];
    expect(t.render({ xs, ps })).toBe(g.render({ xs, ps }));
  });
  it('keeps ints, makes floats (2.0 stays a float) and takes booleans as precision', () => {
    expect(
      env
        .fromString('{{ 3|round(2) }} {{ 2.0|round(2) }} {{ 0.5|round(0) }} {{ 2.675|round(true) }}')
        .render(),
    ).toBe('3 2.0 0.0 2.7');
    expect(env.fromString('{{ 1.96|round(1) }} {{ -0.04|round(1) }}').render()).toBe('2.0 -0.0');
  });
});

describe('truncate leeway policy', () => {
  it('reads an own leeway, ignores an inherited one, and accepts a Map', () => {
    const s = 'Espresso machine deluxe with grinder';
    const e1 = new Environment();
    expect(e1.fromString('{{ s|truncate(32) }}').render({ s })).toBe(s);
    e1.policies['truncate.leeway'] = 0;
    expect(e1.fromString('{{ s|truncate(32) }}').render({ s })).toBe('Espresso machine deluxe with...');
    const e2 = new Environment();
    e2.policies = Object.create({ 'truncate.leeway': 0 });
    expect(e2.fromString('{{ s|truncate(32) }}').render({ s })).toBe(s);
    const e3 = new Environment();
    (e3 as unknown as { policies: unknown }).policies = new Map([['truncate.leeway', 0]]);
    expect(e3.fromString('{{ s|truncate(32) }}').render({ s })).toBe('Espresso machine deluxe with...');
  });
});

describe('attributes of dicts', () => {
  const env = new Environment({ autoescape: true });
  it('reads keys, dict methods, missing keys and null-prototype objects', () => {
    const bare = Object.assign(Object.create(null), { a: '<1>' });
    const r = env
      .fromString(
        '{{ d.a }}|{{ d.items()|list }}|{{ d.nope|default("-") }}|{{ e.u|default("u") }}|{{ bare.a }}|{{ bare.b is undefined }}',
      )
      .render({ d: { a: 1 }, e: { u: undefined }, bare });
    expect(r).toBe('1|[(&#39;a&#39;, 1)]|-|u|&lt;1&gt;|True');
  });
});
