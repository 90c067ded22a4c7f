import { describe, expect, it } from 'vitest';
import { Rule, UrlMap } from '../../../src/http/routing/index.js';

function addError(rule: string, map = new UrlMap()): string {
  try {
    map.add(new Rule(rule, { endpoint: 'e' }));
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error(`adding ${rule} did not throw`);
}

describe('bad rules fail at add() with the rule text in the message', () => {
  const cases: [string, RegExp][] = [
    ['no-slash', /must start with a slash/],
    ['/a/<b', /unclosed '<'/],
    ['/a/<>', /expected a name/],
    ['/a/<1abc>', /expected a name/],
    ['/a/<a b>', /expected '<converter:name>'/],
    ['/a/<int:>', /variable name must be an identifier/],
    ['/a/<int:1x>', /variable name must be an identifier/],
    ['/a/<int(:x>', /unclosed '\('/],
    ['/a/<x>/<int:x>', /variable name 'x' used twice/],
    ['/a/<nope:x>', /the converter 'nope' does not exist/],
    ['/a/<int(min=abc):x>', /argument 'min' of the 'int' converter must be a number/],
    ['/a/<int(foo=1):x>', /unexpected argument 'foo'/],
    ['/a/<int(1, 2, 3, 4, 5):x>', /takes at most 4 arguments/],
    ['/a/<int(min=1 max=2):x>', /cannot parse converter argument/],
    ['/a/<string(length=-1):x>', /'length'/],
    ['/a/<string(minlength=5, maxlength=2):x>', /maxlength 2 < minlength 5/],
    ['/a/<path(1):x>', /takes at most 0 arguments/],
    ['/a/<any:x>', /needs at least one item/],
    ['/a/<any(a, b=1):x>', /only positional items/],
    ['/a/<__proto__>', /'__proto__' cannot be a variable name/],
  ];
  for (const [rule, reason] of cases) {
    it(rule, () => {
      const msg = addError(rule);
      expect(msg).toContain(`'${rule}'`);
      expect(msg).toMatch(reason);
    });
  }

  it('a custom converter with a broken regex', () => {
    const m = new UrlMap();
    m.converters.bad = class {
      regex = '([a-z';
      toJs(v: string): string {
        return v;
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    expect(addError('/x/<bad:v>', m)).toMatch(/Invalid URL rule '\/x\/<bad:v>'.*Invalid regular expression/);
  });

  it('a converter constructor that throws', () => {
    const m = new UrlMap();
    m.converters.picky = class {
      regex = 'x';
      constructor() {
        throw new Error('I refuse');
      }
      toJs(v: string): string {
        return v;
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    expect(addError('/x/<picky(1):v>', m)).toMatch(/'\/x\/<picky\(1\):v>'.*I refuse/);
  });

  it('a string for methods is a TypeError', () => {
    expect(() => new Rule('/x', { methods: 'GET' as unknown as string[] })).toThrow(TypeError);
  });

  it('a rule can be added to one map only', () => {
    const rule = new Rule('/x');
    new UrlMap().add(rule);
    expect(() => new UrlMap().add(rule)).toThrow(/already added/);
  });

  it('a failed add leaves the map usable', () => {
    const m = new UrlMap();
    m.add(new Rule('/ok', { endpoint: 'ok' }));
    expect(() => m.add(new Rule('/bad/<nope:x>', { endpoint: 'bad' }))).toThrow();
    expect(m.rules().map((r) => r.rule)).toEqual(['/ok']);
    expect(m.bind({ host: 'x' }).match('/ok', 'GET').rule.endpoint).toBe('ok');
  });
});

describe('good rules', () => {
  it('accepts Flask rules unchanged', () => {
    const m = new UrlMap();
    for (const r of [
      '/<int(min=1, max=9, fixed_digits=2, signed=True):n>',
      '/s/<string(length=2):code>',
      '/a/<any(a, b):x>',
      '/q/<any(\'x y\', "z"):x>',
      '/f/<float(min=0.5):f>',
      '/u/<uuid:id>',
      '/p/<path:rest>',
      '/mixed/pre-<int:a>-mid-<b>.html',
      '/weird>chars!/<x>',
    ]) {
      m.add(new Rule(r, { endpoint: r }));
    }
    expect(m.rules()).toHaveLength(9);
  });

  it('exposes what was compiled', () => {
    const m = new UrlMap();
    const rule = new Rule('/u/<int:id>/<name>/', {
      endpoint: 'u',
      defaults: { extra: 1 },
      methods: ['post'],
    });
    m.add(rule);
    expect(rule.arguments).toEqual(new Set(['extra', 'id', 'name']));
    expect(Object.keys(rule.converters)).toEqual(['id', 'name']);
    expect(rule.isBranch).toBe(true);
    expect(rule.isLeaf).toBe(false);
    expect(rule.methods).toEqual(new Set(['POST']));
    expect(rule.strictSlashes).toBe(true);
    expect(rule.subdomain).toBe('');
    expect(rule.map).toBe(m);
    expect(String(rule)).toBe('/u/<int:id>/<name>/');
    expect(new Rule('/x').endpoint).toBe('/x');
  });

  it('mixed static text and converters in one segment', () => {
    const m = new UrlMap();
    m.add(new Rule('/mixed/pre-<int:a>-mid-<b>.html', { endpoint: 'm' }));
    const a = m.bind({ host: 'x' });
    expect(a.match('/mixed/pre-12-mid-foo.bar.html', 'GET').params).toEqual({ a: 12, b: 'foo.bar' });
    expect(a.build('m', { a: 3, b: 'z' })).toBe('/mixed/pre-3-mid-z.html');
  });
});
