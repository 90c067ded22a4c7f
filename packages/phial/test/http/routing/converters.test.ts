import { describe, expect, it } from 'vitest';
import { NotFound } from '../../../src/http/exceptions.js';
import type { ConverterKwargs } from '../../../src/http/routing/index.js';
import {
  BaseConverter,
  BuildError,
  parseConverterArgs,
  Rule,
  UrlMap,
  ValidationError,
} from '../../../src/http/routing/index.js';
import { catchError, makeMap } from './helpers.js';

function single(rule: string): { match: (p: string) => unknown; build: (v: unknown) => string; map: UrlMap } {
  const map = makeMap([[rule, { endpoint: 'e' }]]);
  const a = map.bind({ host: 'example.org' });
  return {
    map,
    match: (p) => {
      try {
        return a.match(p, 'GET').params.v;
      } catch (e) {
        if (e instanceof NotFound) return 'NOT FOUND';
        throw e;
      }
    },
    build: (v) => a.build('e', { v }),
  };
}

describe('parseConverterArgs (Werkzeug syntax)', () => {
  it('reads positional and keyword arguments as Python literals', () => {
    expect(parseConverterArgs('test, a=1, b=3.0')).toEqual({ args: ['test'], kwargs: { a: 1, b: 3 } });
    expect(parseConverterArgs('')).toEqual({ args: [], kwargs: {} });
    expect(parseConverterArgs('a, b, c,')).toEqual({ args: ['a', 'b', 'c'], kwargs: {} });
    expect(parseConverterArgs('True, False, None')).toEqual({ args: [true, false, null], kwargs: {} });
    expect(parseConverterArgs('"foo", u"bar", \'baz, qux\'')).toEqual({
      args: ['foo', 'bar', 'baz, qux'],
      kwargs: {},
    });
    expect(parseConverterArgs('min=-5, max = 10')).toEqual({ args: [], kwargs: { min: -5, max: 10 } });
    expect(parseConverterArgs("'True', '12'")).toEqual({ args: ['True', '12'], kwargs: {} });
  });

  it('rejects what it cannot read', () => {
    expect(() => parseConverterArgs('a b')).toThrow(/cannot parse converter argument/);
    expect(() => parseConverterArgs('a=1, a=2')).toThrow(/given twice/);
    expect(() => parseConverterArgs('a=1, 2')).toThrow(/positional/);
    expect(() => parseConverterArgs('"unclosed')).toThrow(/cannot parse/);
  });
});

describe('string / default', () => {
  it('matches one non-empty segment', () => {
    const c = single('/s/<v>');
    expect(c.match('/s/hello world')).toBe('hello world');
    expect(c.match('/s/a/b')).toBe('NOT FOUND');
    expect(c.match('/s/')).toBe('NOT FOUND');
    expect(single('/s/<string:v>').match('/s/x')).toBe('x');
    expect(single('/s/<default:v>').match('/s/x')).toBe('x');
  });

  it('length, minlength and maxlength', () => {
    const len = single('/<string(length=2):v>');
    expect(len.match('/de')).toBe('de');
    expect(len.match('/d')).toBe('NOT FOUND');
    expect(len.match('/deu')).toBe('NOT FOUND');
    const range = single('/<string(minlength=2, maxlength=3):v>');
    expect(range.match('/a')).toBe('NOT FOUND');
    expect(range.match('/ab')).toBe('ab');
    expect(range.match('/abc')).toBe('abc');
    expect(range.match('/abcd')).toBe('NOT FOUND');
    const min = single('/<string(minlength=3):v>');
    expect(min.match('/ab')).toBe('NOT FOUND');
    expect(min.match('/abcdef')).toBe('abcdef');
    expect(single('/<string(2):v>').match('/abc')).toBe('abc');
    expect(single('/<string(1, 2):v>').match('/abc')).toBe('NOT FOUND');
  });

  it('builds quoted values, keeping slashes and URL-safe characters as Werkzeug does', () => {
    const c = single('/s/<v>');
    expect(c.build('a b')).toBe('/s/a%20b');
    expect(c.build('x:y')).toBe('/s/x:y');
    expect(c.build("!$&'()*+,;=@")).toBe("/s/!$&'()*+,;=@");
    expect(c.build('ä?#%')).toBe('/s/%C3%A4%3F%23%25');
    expect(c.build(42)).toBe('/s/42');
    expect(c.build('la/di')).toBe('/s/la/di');
  });
});

describe('int', () => {
  it('matches digits and converts to a number', () => {
    const c = single('/<int:v>');
    expect(c.match('/42')).toBe(42);
    expect(c.match('/007')).toBe(7);
    expect(c.match('/-1')).toBe('NOT FOUND');
    expect(c.match('/1.5')).toBe('NOT FOUND');
    expect(c.match('/x')).toBe('NOT FOUND');
    expect(c.match('/１２')).toBe('NOT FOUND');
  });

  it('does not match integers beyond exact double precision', () => {
    const c = single('/<int:v>');
    expect(c.match('/9007199254740991')).toBe(9007199254740991);
    expect(c.match('/99999999999999999999')).toBe('NOT FOUND');
  });

  it('min, max, fixed_digits, signed', () => {
    const c = single('/<int(min=1, max=9, fixed_digits=2, signed=True):v>');
    expect(c.match('/05')).toBe(5);
    expect(c.match('/5')).toBe('NOT FOUND');
    expect(c.match('/10')).toBe('NOT FOUND');
    expect(c.match('/00')).toBe('NOT FOUND');
    expect(c.build(3)).toBe('/03');
    const s = single('/<int(signed=True):v>');
    expect(s.match('/-12')).toBe(-12);
    expect(s.match('/-0')).toBe(0);
    expect(s.match('/12')).toBe(12);
    expect(s.build(-12)).toBe('/-12');
    const camel = single('/<int(fixedDigits=4):v>');
    expect(camel.match('/0042')).toBe(42);
    expect(camel.build(42)).toBe('/0042');
    expect(single('/<int(4):v>').match('/0042')).toBe(42);
    expect(single('/<int(0, 10):v>').match('/9')).toBe('NOT FOUND');
    expect(single('/<int(fixed_digits=3, signed=True):v>').build(-5)).toBe('/-05');
  });

  it('builds from numbers and numeric strings, rejects the rest', () => {
    const c = single('/<int:v>');
    expect(c.build(7)).toBe('/7');
    expect(c.build(7.9)).toBe('/7');
    expect(c.build('12')).toBe('/12');
    expect(c.build(12n)).toBe('/12');
    catchError(() => c.build('abc'), BuildError);
  });
});

describe('float', () => {
  it('matches digits.digits', () => {
    const c = single('/<float:v>');
    expect(c.match('/1.5')).toBe(1.5);
    expect(c.match('/0.815')).toBe(0.815);
    expect(c.match('/1')).toBe('NOT FOUND');
    expect(c.match('/-1.5')).toBe('NOT FOUND');
    expect(c.match('/1.')).toBe('NOT FOUND');
  });

  it('min, max, signed', () => {
    const c = single('/<float(min=0.5, max=2.5, signed=True):v>');
    expect(c.match('/1.0')).toBe(1);
    expect(c.match('/0.1')).toBe('NOT FOUND');
    expect(c.match('/3.0')).toBe('NOT FOUND');
    expect(single('/<float(signed=True):v>').match('/-1.25')).toBe(-1.25);
  });

  it('builds like Python str(float)', () => {
    const c = single('/<float:v>');
    expect(c.build(0.815)).toBe('/0.815');
    expect(c.build(1)).toBe('/1.0');
    expect(c.build('2.5')).toBe('/2.5');
    catchError(() => c.build('x'), BuildError);
    catchError(() => c.build(Number.NaN), BuildError);
  });
});

describe('path', () => {
  it('matches across slashes and builds with slashes kept', () => {
    const c = single('/files/<path:v>');
    expect(c.match('/files/a/b/c.txt')).toBe('a/b/c.txt');
    expect(c.match('/files/')).toBe('NOT FOUND');
    expect(c.build('a/b c/d')).toBe('/files/a/b%20c/d');
  });

  it('matches newlines in values', () => {
    expect(single('/files/<path:v>').match('/files/a\nb')).toBe('a\nb');
    expect(single('/s/<v>').match('/s/a\r\nb')).toBe('a\r\nb');
  });
});

describe('uuid', () => {
  it('matches dashed UUIDs and hands out lower-case strings', () => {
    const c = single('/a/<uuid:v>');
    expect(c.match('/a/a8098c1a-f86e-11da-bd1a-00112444be1e')).toBe('a8098c1a-f86e-11da-bd1a-00112444be1e');
    expect(c.match('/a/A8098C1A-F86E-11DA-BD1A-00112444BE1E')).toBe('a8098c1a-f86e-11da-bd1a-00112444be1e');
    expect(c.match('/a/a8098c1a-f86e-11da-bd1a')).toBe('NOT FOUND');
    expect(c.match('/a/g8098c1a-f86e-11da-bd1a-00112444be1e')).toBe('NOT FOUND');
    expect(c.build('a8098c1a-f86e-11da-bd1a-00112444be1e')).toBe('/a/a8098c1a-f86e-11da-bd1a-00112444be1e');
  });
});

describe('any', () => {
  it('matches one of the items and nothing else', () => {
    const c = single('/<any(about, "help", \'imprint\'):v>');
    expect(c.match('/about')).toBe('about');
    expect(c.match('/help')).toBe('help');
    expect(c.match('/imprint')).toBe('imprint');
    expect(c.match('/aboutx')).toBe('NOT FOUND');
    expect(c.match('/abou')).toBe('NOT FOUND');
    expect(c.build('help')).toBe('/help');
    const err = catchError(() => c.build('nope'), BuildError);
    expect(err.message).toContain("'e'");
  });

  it('escapes regex characters in items', () => {
    const c = single('/<any(a.b, "c+d"):v>');
    expect(c.match('/a.b')).toBe('a.b');
    expect(c.match('/axb')).toBe('NOT FOUND');
    expect(c.match('/c+d')).toBe('c+d');
  });

  it('works next to static text and other converters', () => {
    const m = makeMap([['/<any(en, de):lang>/page-<int:n>', { endpoint: 'p' }]]);
    expect(m.bind({ host: 'x' }).match('/de/page-3', 'GET').params).toEqual({ lang: 'de', n: 3 });
  });
});

describe('custom converters', () => {
  it('a plain class with regex, toJs and toUrl, registered on the map', () => {
    const m = new UrlMap();
    m.converters.list = class {
      regex = '[^/]+(?:,[^/]+)*';
      toJs(v: string): string[] {
        return v.split(',');
      }
      toUrl(v: unknown): string {
        return (v as string[]).join(',');
      }
    };
    m.add(new Rule('/tags/<list:tags>', { endpoint: 'tags' }));
    const a = m.bind({ host: 'x' });
    expect(a.match('/tags/a,b,c', 'GET').params).toEqual({ tags: ['a', 'b', 'c'] });
    expect(a.build('tags', { tags: ['x', 'y'] })).toBe('/tags/x,y');
  });

  it('receives the map, positional args and a kwargs object', () => {
    const seen: unknown[][] = [];
    const m = new UrlMap();
    m.converters.rx = class extends BaseConverter {
      constructor(map: UrlMap, ...args: unknown[]) {
        super(map);
        seen.push([map, ...args]);
        this.regex = String(args[0]);
      }
    };
    m.add(new Rule('/a/<rx("[a-z]{3}"):code>', { endpoint: 'a' }));
    m.add(new Rule('/b/<rx("\\d", flag=True, n=2):code>', { endpoint: 'b' }));
    expect(seen[0]).toEqual([m, '[a-z]{3}']);
    expect(seen[1]?.[0]).toBe(m);
    expect(seen[1]?.slice(1)).toEqual(['\\d', { flag: true, n: 2 }]);
    const a = m.bind({ host: 'x' });
    expect(a.match('/a/abc', 'GET').params).toEqual({ code: 'abc' });
    expect(() => a.match('/a/abcd', 'GET')).toThrow(NotFound);
  });

  it('a converter whose regex spans slashes consumes the rest like path', () => {
    const m = new UrlMap();
    m.converters.deep = class {
      regex = '[a-z]+/[a-z]+';
      toJs(v: string): string {
        return v.toUpperCase();
      }
      toUrl(v: unknown): string {
        return String(v).toLowerCase();
      }
    };
    m.add(new Rule('/d/<deep:x>/end', { endpoint: 'd' }));
    const a = m.bind({ host: 'x' });
    expect(a.match('/d/ab/cd/end', 'GET').params).toEqual({ x: 'AB/CD' });
    expect(a.build('d', { x: 'AB/CD' })).toBe('/d/ab/cd/end');
  });

  it('Python-style named groups in a custom regex still work', () => {
    const m = new UrlMap({
      converters: {
        year: class {
          regex = '(?P<y>\\d{4})';
          toJs(v: string): number {
            return Number(v);
          }
          toUrl(v: unknown): string {
            return String(v);
          }
        },
      },
    });
    m.add(new Rule('/<year:y>/<int:n>', { endpoint: 'y' }));
    expect(m.bind({ host: 'x' }).match('/2024/5', 'GET').params).toEqual({ y: 2024, n: 5 });
  });

  it('a toUrl that forgets to quote cannot break the URL', () => {
    const m = new UrlMap();
    m.converters.raw = class {
      regex = '[^/]+';
      toJs(v: string): string {
        return v;
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    m.add(new Rule('/r/<raw:x>', { endpoint: 'r' }));
    expect(m.bind({ host: 'x' }).build('r', { x: 'a b%20c' })).toBe('/r/a%20b%20c');
  });

  it('a ValidationError from toUrl skips the rule when building', () => {
    const m = new UrlMap();
    m.converters.small = class {
      regex = '\\d';
      toJs(v: string): number {
        return Number(v);
      }
      toUrl(v: unknown): string {
        if (Number(v) > 9) throw new ValidationError();
        return String(v);
      }
    };
    m.add(new Rule('/one/<small:n>', { endpoint: 'n' }));
    m.add(new Rule('/many/<int:n>', { endpoint: 'n' }));
    const a = m.bind({ host: 'x' });
    expect(a.build('n', { n: 5 })).toBe('/one/5');
    expect(a.build('n', { n: 50 })).toBe('/many/50');
  });

  it('custom converters are per map', () => {
    const m1 = new UrlMap();
    m1.converters.foo = class extends BaseConverter {};
    m1.add(new Rule('/<foo:x>'));
    const m2 = new UrlMap();
    expect(() => m2.add(new Rule('/<foo:x>'))).toThrow(/converter 'foo' does not exist/);
  });

  it('kwargs objects are plain data', () => {
    const got: ConverterKwargs[] = [];
    const m = new UrlMap();
    m.converters.k = class extends BaseConverter {
      constructor(map: UrlMap, kwargs: ConverterKwargs) {
        super(map);
        got.push(kwargs);
      }
    };
    m.add(new Rule('/<k(constructor=1):x>'));
    expect(got[0]).toEqual({ constructor: 1 });
  });
});
