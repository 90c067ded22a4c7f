import { describe, expect, it } from 'vitest';
import { BuildError } from '../../../src/http/routing/index.js';
import { catchError, makeMap } from './helpers.js';

describe('building URLs', () => {
  const map = makeMap([
    ['/', { endpoint: 'index' }],
    ['/foo', { endpoint: 'foo' }],
    ['/bar/<baz>', { endpoint: 'bar' }],
    ['/bar/<int:bazi>', { endpoint: 'bari' }],
    ['/bar/<float:bazf>', { endpoint: 'barf' }],
    ['/bar/<path:bazp>', { endpoint: 'barp' }],
    ['/hehe', { endpoint: 'blah', subdomain: 'blah' }],
  ]);

  it('builds paths from values with each converter', () => {
    const a = map.bind({ host: 'example.org' });
    expect(a.build('index')).toBe('/');
    expect(a.build('foo', {})).toBe('/foo');
    expect(a.build('bar', { baz: 'blub' })).toBe('/bar/blub');
    expect(a.build('bari', { bazi: 50 })).toBe('/bar/50');
    expect(a.build('barf', { bazf: 0.815 })).toBe('/bar/0.815');
    expect(a.build('barp', { bazp: 'la/di' })).toBe('/bar/la/di');
  });

  it('prefixes the mount point', () => {
    const a = map.bind({ host: 'example.org', scriptName: '/test' });
    expect(a.build('index')).toBe('/test/');
    expect(a.build('bar', { baz: 'blub' })).toBe('/test/bar/blub');
    expect(a.build('foo', {}, { forceExternal: true })).toBe('http://example.org/test/foo');
  });

  it('builds external URLs with scheme and host, or protocol-relative without scheme', () => {
    expect(map.bind({ host: 'example.org' }).build('foo', {}, { forceExternal: true })).toBe(
      'http://example.org/foo',
    );
    expect(map.bind({ host: 'example.org:5000' }).build('index', {}, { forceExternal: true })).toBe(
      'http://example.org:5000/',
    );
    expect(
      map.bind({ host: 'example.org', urlScheme: 'https' }).build('foo', {}, { forceExternal: true }),
    ).toBe('https://example.org/foo');
    expect(map.bind({ host: 'example.org', urlScheme: '' }).build('foo', {}, { forceExternal: true })).toBe(
      '//example.org/foo',
    );
    expect(map.bind({ host: 'example.org', urlScheme: '' }).build('foo')).toBe('/foo');
    expect(map.bind({ host: 'example.org' }).build('foo', {}, { forceExternal: true, scheme: 'https' })).toBe(
      'https://example.org/foo',
    );
  });

  it('keeps colons inside a path segment (no protocol confusion)', () => {
    const a = makeMap([['/<foo>', { endpoint: 'x' }]]).bind({ host: 'example.org' });
    expect(a.build('x', { foo: 'x:y' })).toBe('/x:y');
    expect(a.build('x', { foo: 'x:y' }, { forceExternal: true })).toBe('http://example.org/x:y');
  });

  it('builds URLs of rules on other subdomains as external', () => {
    const a = map.bind({ host: 'example.org', subdomain: 'blah' });
    expect(a.build('blah')).toBe('/hehe');
    expect(a.build('index')).toBe('http://example.org/');
    expect(a.build('bari', { bazi: 50 })).toBe('http://example.org/bar/50');
    const b = map.bind({ host: 'example.org', scriptName: '/test', subdomain: 'blah' });
    expect(b.build('foo')).toBe('http://example.org/test/foo');
    expect(b.build('blah')).toBe('/test/hehe');
    expect(map.bind({ host: 'example.org' }).build('blah')).toBe('http://blah.example.org/hehe');
  });

  it('puts unknown values into the query string, quoted; arrays become repeated keys', () => {
    const m = makeMap([
      ['/bar/<float:bazf>', { endpoint: 'barf' }],
      ['/', { endpoint: 'index' }],
    ]);
    const a = m.bind({ host: 'example.org' });
    expect(a.build('barf', { bazf: 0.815, bif: 1.5 })).toBe('/bar/0.815?bif=1.5');
    expect(a.build('barf', { bazf: 0.815, bif: 1.5 }, { appendUnknown: false })).toBe('/bar/0.815');
    expect(a.build('index', { q: 'a b&c=d/e?', tag: ['x', 'y'], skip: null, gone: undefined })).toBe(
      '/?q=a+b%26c%3Dd/e?&tag=x&tag=y',
    );
    expect(a.build('index', { 'ä k': 'ö', plus: '1+1' })).toBe('/?%C3%A4+k=%C3%B6&plus=1%2B1');
    expect(a.build('index', { x: 20, y: 10, z: 30 }, { forceExternal: true })).toBe(
      'http://example.org/?x=20&y=10&z=30',
    );
  });

  it('treats a __proto__ key as a plain query value', () => {
    const a = makeMap([['/', { endpoint: 'index' }]]).bind({ host: 'x' });
    const values = JSON.parse('{"__proto__": {"polluted": 1}, "a": "b"}') as Record<string, unknown>;
    expect(a.build('index', values)).toBe('/?__proto__=%5Bobject+Object%5D&a=b');
  });

  it('appends a quoted anchor', () => {
    const a = makeMap([['/p/<int:id>', { endpoint: 'p' }]]).bind({ host: 'example.org' });
    expect(a.build('p', { id: 1 }, { anchor: 'section 2' })).toBe('/p/1#section%202');
    expect(a.build('p', { id: 1, x: 'y' }, { anchor: 'a/b?c#d' })).toBe('/p/1?x=y#a/b?c#d');
    expect(a.build('p', { id: 1 }, { anchor: 'ü', forceExternal: true })).toBe(
      'http://example.org/p/1#%C3%BC',
    );
  });

  it('quotes static rule text', () => {
    const m = makeMap([
      ['/войти/', { endpoint: 'enter' }],
      ['/foo+bar/', { endpoint: 'foobar' }],
      ['/a b', { endpoint: 'space' }],
    ]);
    const a = m.bind({ host: 'example.org' });
    expect(a.build('enter', {}, { forceExternal: true })).toBe(
      'http://example.org/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/',
    );
    expect(a.build('foobar')).toBe('/foo+bar/');
    expect(a.build('space')).toBe('/a%20b');
  });

  it('punycodes non-ASCII hosts', () => {
    const m = makeMap([['/', { endpoint: 'index' }]]);
    expect(m.bind({ host: '☃.example.com' }).build('index', {}, { forceExternal: true })).toBe(
      'http://xn--n3h.example.com/',
    );
  });
});

describe('choosing the rule to build', () => {
  it('prefers rules whose defaults match, then the one using most values', () => {
    const m = makeMap([
      ['/foo/', { endpoint: 'foo', defaults: { page: 1 } }],
      ['/foo/<int:page>', { endpoint: 'foo' }],
    ]);
    const a = m.bind({ host: 'example.org' });
    expect(a.build('foo', {})).toBe('/foo/');
    expect(a.build('foo', { page: 1 })).toBe('/foo/');
    expect(a.build('foo', { page: 2 })).toBe('/foo/2');
    expect(a.build('foo', { page: 2, x: 1 })).toBe('/foo/2?x=1');
  });

  it('uses more values first (greedy)', () => {
    const m = makeMap([
      ['/foo', { endpoint: 'foo' }],
      ['/<path:bar>', { endpoint: 'bar' }],
      ['/<path:bar>/<path:blub>', { endpoint: 'bar' }],
    ]);
    const a = m.bind({ host: 'example.org' });
    expect(a.build('bar', { bar: 'blub' })).toBe('/blub');
    expect(a.build('bar', { bar: 'blub', blub: 'bar' })).toBe('/blub/bar');
    expect(a.build('bar', { bar: '1', blub: '2/3' })).toBe('/1/2/3');
  });

  it('double defaults pick the right rule', () => {
    const m = makeMap([
      ['/', { endpoint: 'x', defaults: { foo: 1, bar: false } }],
      ['/<int:foo>', { endpoint: 'x', defaults: { bar: false } }],
      ['/bar/', { endpoint: 'x', defaults: { foo: 1, bar: true } }],
      ['/bar/<int:foo>', { endpoint: 'x', defaults: { bar: true } }],
    ]);
    const a = m.bind({ host: 'example.com' });
    expect(a.build('x', { foo: 1, bar: false })).toBe('/');
    expect(a.build('x', { foo: 2, bar: false })).toBe('/2');
    expect(a.build('x', { bar: false })).toBe('/');
    expect(a.build('x', { foo: 1, bar: true })).toBe('/bar/');
    expect(a.build('x', { foo: 2, bar: true })).toBe('/bar/2');
    expect(a.build('x', { bar: true })).toBe('/bar/');
  });

  it('a default for a placeholder is built in as a constant', () => {
    const m = makeMap([['/lang/<code>', { endpoint: 'l', defaults: { code: 'en' } }]]);
    const a = m.bind({ host: 'x' });
    expect(a.build('l')).toBe('/lang/en');
    expect(a.build('l', { code: 'en' })).toBe('/lang/en');
    catchError(() => a.build('l', { code: 'de' }), BuildError);
  });

  it('method selection: the bound method first, then any', () => {
    const m = makeMap([
      ['/', { endpoint: 'index', methods: ['GET'] }],
      ['/<name>', { endpoint: 'hello_name', methods: ['GET'] }],
      ['/select', { endpoint: 'hello_select', methods: ['POST'] }],
      ['/search_get', { endpoint: 'search', methods: ['GET'] }],
      ['/search_post', { endpoint: 'search', methods: ['POST'] }],
    ]);
    const a = m.bind({ host: 'example.com' });
    expect(a.build('index')).toBe('/');
    expect(a.build('index', {}, { method: 'GET' })).toBe('/');
    expect(a.build('hello_name', { name: 'foo' })).toBe('/foo');
    expect(a.build('hello_select')).toBe('/select');
    expect(a.build('hello_select', {}, { method: 'post' })).toBe('/select');
    expect(a.build('search')).toBe('/search_get');
    expect(a.build('search', {}, { method: 'GET' })).toBe('/search_get');
    expect(a.build('search', {}, { method: 'POST' })).toBe('/search_post');
    expect(m.bind({ host: 'example.com', method: 'POST' }).build('search')).toBe('/search_post');
  });
});

describe('BuildError', () => {
  const m = makeMap([
    ['/user/<int:id>', { endpoint: 'user', methods: ['GET'] }],
    ['/users/', { endpoint: 'users' }],
  ]);
  const a = m.bind({ host: 'example.org' });

  it('names the endpoint and the given values, and the missing values', () => {
    const err = catchError(() => a.build('user', { name: 'x', other: 1 }), BuildError);
    expect(err.endpoint).toBe('user');
    expect(err.values).toEqual({ name: 'x', other: 1 });
    expect(err.message).toBe(
      "Could not build url for endpoint 'user' with values ['name', 'other']. Did you forget to specify values ['id']?",
    );
  });

  it('suggests the methods the rule accepts', () => {
    const err = catchError(() => a.build('user', { id: 1 }, { method: 'POST' }), BuildError);
    expect(err.message).toBe(
      "Could not build url for endpoint 'user' ('POST') with values ['id']. Did you mean to use methods ['GET', 'HEAD']?",
    );
  });

  it('suggests a similar endpoint for an unknown one', () => {
    const err = catchError(() => a.build('usrs'), BuildError);
    expect(err.message).toBe("Could not build url for endpoint 'usrs'. Did you mean 'users' instead?");
    expect(err.name).toBe('BuildError');
    expect(err).toBeInstanceOf(Error);
  });

  it('has no suggestion in an empty map', () => {
    const err = catchError(() => makeMap([]).bind({ host: 'x' }).build('nothing'), BuildError);
    expect(err.message).toBe("Could not build url for endpoint 'nothing'.");
  });
});

describe('BuildError printing', () => {
  it('prints the suggested rule compactly instead of the whole map', async () => {
    const { inspect } = await import('node:util');
    const { UrlMap, Rule, BuildError } = await import('../../../src/http/routing/index.js');
    const map = new UrlMap();
    map.add(new Rule('/user/<int:id>', { endpoint: 'user' }));
    map.add(new Rule('/other', { endpoint: 'other', methods: ['POST'] }));
    const adapter = map.bind({ host: 'localhost' });
    let caught: unknown;
    try {
      adapter.build('user', {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BuildError);
    const printed = inspect(caught);
    expect(printed).toContain("suggested: <Rule '/user/<int:id>' -> user>");
    expect(printed.split('\n').length).toBeLessThan(40);
  });
});
