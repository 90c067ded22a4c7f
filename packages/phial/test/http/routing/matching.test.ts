import { describe, expect, it } from 'vitest';
import { MethodNotAllowed, NotFound, RequestRedirect } from '../../../src/http/exceptions.js';
import { decodePathInfo, Rule, UrlMap, ValidationError } from '../../../src/http/routing/index.js';
import { catchError, makeMap } from './helpers.js';

function ep(
  map: UrlMap,
  path: string,
  method = 'GET',
  host = 'example.org',
): [string, Record<string, unknown>] {
  const { rule, params } = map.bind({ host }).match(path, method);
  return [rule.endpoint, params];
}

function redirectOf(map: UrlMap, path: string, method = 'GET', qs?: string, scriptName?: string): string {
  const err = catchError(
    () => map.bind({ host: 'example.org', scriptName }).match(path, method, qs),
    RequestRedirect,
  );
  expect(err.code).toBe(308);
  return err.newUrl;
}

describe('basic matching', () => {
  const map = makeMap([
    ['/', { endpoint: 'index' }],
    ['/foo', { endpoint: 'foo' }],
    ['/bar/', { endpoint: 'bar' }],
  ]);

  it('matches static rules and returns the rule with empty params', () => {
    expect(ep(map, '/')).toEqual(['index', {}]);
    expect(ep(map, '/foo')).toEqual(['foo', {}]);
    expect(ep(map, '/bar/')).toEqual(['bar', {}]);
    const { rule } = map.bind({ host: 'x' }).match('/foo', 'GET');
    expect(rule).toBeInstanceOf(Rule);
    expect(rule.rule).toBe('/foo');
  });

  it('raises NotFound for unknown paths and for a leaf with a trailing slash', () => {
    catchError(() => ep(map, '/blub'), NotFound);
    catchError(() => ep(map, '/foo/'), NotFound);
    catchError(() => ep(map, '/foox'), NotFound);
  });

  it('redirects a branch URL without its slash (308), keeping query string and mount point', () => {
    expect(redirectOf(map, '/bar')).toBe('http://example.org/bar/');
    expect(redirectOf(map, '/bar', 'GET', 'aha=muhaha')).toBe('http://example.org/bar/?aha=muhaha');
    expect(redirectOf(map, '/bar', 'GET', undefined, '/test')).toBe('http://example.org/test/bar/');
    const err = catchError(
      () => map.bind({ host: 'example.org' }).match('/bar', 'GET', { a: 'x y' }),
      RequestRedirect,
    );
    expect(err.newUrl).toBe('http://example.org/bar/?a=x+y');
  });

  it('quotes the redirect target', () => {
    const m = makeMap(['/öäü/', '/foo+bar/']);
    expect(redirectOf(m, '/öäü')).toBe('http://example.org/%C3%B6%C3%A4%C3%BC/');
    expect(redirectOf(m, '/foo+bar')).toBe('http://example.org/foo+bar/');
  });

  it('redirects an empty path to the root', () => {
    expect(redirectOf(map, '')).toBe('http://example.org/');
    expect(redirectOf(map, '', 'GET', undefined, '/approot')).toBe('http://example.org/approot/');
  });

  it('treats leading double slashes as one', () => {
    expect(ep(map, '//foo')).toEqual(['foo', {}]);
  });

  it('returns a fresh params object per match', () => {
    const m = makeMap([['/d', { defaults: { a: 1 } }]]);
    const a = m.bind({ host: 'x' });
    const p1 = a.match('/d', 'GET').params;
    p1.a = 2;
    expect(a.match('/d', 'GET').params).toEqual({ a: 1 });
  });

  it('matches non-ASCII rules against decoded paths (PATH_INFO), never decoding twice', () => {
    const m = makeMap([
      ['/лошадь', { endpoint: 'horse' }],
      ['/a b/<x>', { endpoint: 'space' }],
    ]);
    expect(ep(m, '/лошадь')[0]).toBe('horse');
    expect(ep(m, '/a b/jörg')).toEqual(['space', { x: 'jörg' }]);
    expect(ep(m, '/a b/100%25')).toEqual(['space', { x: '100%25' }]);
    catchError(() => ep(m, '/барсук'), NotFound);
    catchError(() => ep(m, '/%D0%BB%D0%BE%D1%88%D0%B0%D0%B4%D1%8C'), NotFound);
  });

  it('decodePathInfo decodes a raw path as WSGI does, never throwing', () => {
    expect(decodePathInfo('/a%20b/j%C3%B6rg')).toBe('/a b/jörg');
    expect(decodePathInfo('/a%2Fb')).toBe('/a/b');
    expect(decodePathInfo('/100%')).toBe('/100%');
    expect(decodePathInfo('/%zz/%41')).toBe('/%zz/A');
    expect(decodePathInfo('/%C3/ö')).toBe('/\uFFFD/ö');
  });
});

describe('methods', () => {
  it('raises MethodNotAllowed with the valid methods of every matching rule', () => {
    const m = makeMap([
      ['/x', { endpoint: 'get', methods: ['GET'] }],
      ['/x', { endpoint: 'put', methods: ['put'] }],
    ]);
    expect(ep(m, '/x', 'PUT')[0]).toBe('put');
    const err = catchError(() => ep(m, '/x', 'DELETE'), MethodNotAllowed);
    expect(err.code).toBe(405);
    expect([...err.validMethods].sort()).toEqual(['GET', 'HEAD', 'PUT']);
    expect(err.headers?.Allow).toBeDefined();
  });

  it('adds HEAD when GET is there, and only then', () => {
    const m = makeMap([
      ['/get', { endpoint: 'a', methods: ['GET'] }],
      ['/post', { endpoint: 'b', methods: ['POST'] }],
    ]);
    expect(ep(m, '/get', 'HEAD')[0]).toBe('a');
    catchError(() => ep(m, '/post', 'HEAD'), MethodNotAllowed);
    expect(new Rule('/r', { methods: ['get'] }).methods).toEqual(new Set(['GET', 'HEAD']));
  });

  it('accepts lower-case request methods', () => {
    const m = makeMap([['/get', { endpoint: 'a', methods: ['GET'] }]]);
    expect(ep(m, '/get', 'get')[0]).toBe('a');
  });

  it('rules without methods accept any method', () => {
    const m = makeMap([['/any', { endpoint: 'any' }]]);
    expect(ep(m, '/any', 'PATCH')[0]).toBe('any');
    expect(ep(m, '/any', 'BREW')[0]).toBe('any');
  });

  it('falls back to a dynamic rule when the static rule refuses the method', () => {
    const m = makeMap([
      ['/select', { endpoint: 'select', methods: ['POST'] }],
      ['/<name>', { endpoint: 'name', methods: ['GET'] }],
    ]);
    expect(ep(m, '/select', 'GET')).toEqual(['name', { name: 'select' }]);
    expect(ep(m, '/select', 'POST')[0]).toBe('select');
    const err = catchError(() => ep(m, '/select', 'PUT'), MethodNotAllowed);
    expect([...err.validMethods].sort()).toEqual(['GET', 'HEAD', 'POST']);
  });

  it('allowedMethods lists what the path accepts', () => {
    const m = makeMap([
      ['/<foo>', { methods: ['GET', 'HEAD'] }],
      ['/foo', { methods: ['POST'] }],
    ]);
    const a = m.bind({ host: 'example.org' });
    expect([...a.allowedMethods('/foo')].sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(a.allowedMethods('/foo/bar')).toEqual([]);
  });

  it('test() says whether a path would match', () => {
    const m = makeMap(['/a', '/b/']);
    const a = m.bind({ host: 'x' });
    expect(a.test('/a')).toBe(true);
    expect(a.test('/b')).toBe(true);
    expect(a.test('/c')).toBe(false);
  });
});

describe('strict slashes', () => {
  it('keeps slash and slashless rules with different methods apart, in any order', () => {
    for (const order of [0, 1]) {
      const rules: [string, { endpoint: string; methods: string[] }][] = [
        ['/bar/', { endpoint: 'get', methods: ['GET'] }],
        ['/bar', { endpoint: 'post', methods: ['POST'] }],
      ];
      if (order) rules.reverse();
      const m = makeMap(rules);
      expect(ep(m, '/bar/', 'GET')[0]).toBe('get');
      expect(ep(m, '/bar', 'POST')[0]).toBe('post');
      expect(redirectOf(m, '/bar', 'GET')).toBe('http://example.org/bar/');
      catchError(() => ep(m, '/bar/', 'POST'), MethodNotAllowed);
    }
  });

  it('a slash-only rule answers other methods with 405 on both forms', () => {
    const m = makeMap([['/bar/', { endpoint: 'get', methods: ['GET'] }]]);
    expect(redirectOf(m, '/bar', 'GET')).toBe('http://example.org/bar/');
    catchError(() => ep(m, '/bar/', 'POST'), MethodNotAllowed);
    const err = catchError(() => ep(m, '/bar', 'POST'), MethodNotAllowed);
    expect([...err.validMethods].sort()).toEqual(['GET', 'HEAD']);
  });

  it('strictSlashes: false on a rule matches both forms', () => {
    const m = makeMap([
      ['/branch/', { endpoint: 'branch', strictSlashes: false }],
      ['/leaf', { endpoint: 'leaf', strictSlashes: false }],
      ['/dyn/<x>/', { endpoint: 'dyn', strictSlashes: false }],
    ]);
    expect(ep(m, '/branch/')[0]).toBe('branch');
    expect(ep(m, '/branch')[0]).toBe('branch');
    expect(ep(m, '/leaf')[0]).toBe('leaf');
    expect(ep(m, '/leaf/')[0]).toBe('leaf');
    expect(ep(m, '/dyn/a')).toEqual(['dyn', { x: 'a' }]);
    expect(ep(m, '/dyn/a/')).toEqual(['dyn', { x: 'a' }]);
  });

  it('strictSlashes: false on the map applies to rules that do not say', () => {
    const m = makeMap(
      [
        ['/a/', { endpoint: 'a' }],
        ['/b/', { endpoint: 'b', strictSlashes: true }],
      ],
      {
        strictSlashes: false,
      },
    );
    expect(ep(m, '/a')[0]).toBe('a');
    expect(redirectOf(m, '/b')).toBe('http://example.org/b/');
  });

  it('redirects dynamic branch rules and path-converter branch rules', () => {
    const m = makeMap([
      ['/u/<name>/', { endpoint: 'u' }],
      ['/files/<path:p>/', { endpoint: 'dir' }],
    ]);
    expect(redirectOf(m, '/u/bob')).toBe('http://example.org/u/bob/');
    expect(redirectOf(m, '/files/a/b c')).toBe('http://example.org/files/a/b%20c/');
    expect(ep(m, '/files/a/b/')).toEqual(['dir', { p: 'a/b' }]);
  });

  it('prefers the slash redirect of a static branch over a converter match', () => {
    const m = makeMap([
      ['/bar/', { endpoint: 'bar' }],
      ['/<name>', { endpoint: 'name' }],
    ]);
    expect(redirectOf(m, '/bar')).toBe('http://example.org/bar/');
    expect(ep(m, '/baz')).toEqual(['name', { name: 'baz' }]);
  });
});

describe('merge slashes', () => {
  it('redirects to the merged URL when that matches', () => {
    const m = makeMap([
      ['/a/b', { endpoint: 'ab' }],
      ['/c/<x>/', { endpoint: 'c' }],
    ]);
    expect(redirectOf(m, '/a//b')).toBe('http://example.org/a/b');
    expect(redirectOf(m, '/a///b', 'GET', 'q=1')).toBe('http://example.org/a/b?q=1');
    expect(redirectOf(m, '/c//y')).toBe('http://example.org/c/y/');
  });

  it('does not merge when disabled on the map or the rule', () => {
    const m = makeMap([['/a/b', { endpoint: 'ab' }]], { mergeSlashes: false });
    catchError(() => ep(m, '/a//b'), NotFound);
    const r = makeMap([['/a/b', { endpoint: 'ab', mergeSlashes: false }]]);
    catchError(() => ep(r, '/a//b'), NotFound);
  });

  it('keeps double slashes inside path values', () => {
    const m = makeMap([['/p/<path:rest>', { endpoint: 'p' }]]);
    expect(ep(m, '/p/a//b')).toEqual(['p', { rest: 'a//b' }]);
  });

  it('merges slashes in the rule text itself', () => {
    const m = makeMap([['/x//y', { endpoint: 'xy' }]]);
    expect(ep(m, '/x/y')[0]).toBe('xy');
  });
});

describe('ordering (Werkzeug weights)', () => {
  it('static parts beat converters; int beats string; string beats path', () => {
    const m = makeMap([
      ['/<path:p>', { endpoint: 'path' }],
      ['/<s>', { endpoint: 'string' }],
      ['/<int:i>', { endpoint: 'int' }],
      ['/static', { endpoint: 'static' }],
    ]);
    expect(ep(m, '/static')).toEqual(['static', {}]);
    expect(ep(m, '/42')).toEqual(['int', { i: 42 }]);
    expect(ep(m, '/abc')).toEqual(['string', { s: 'abc' }]);
    expect(ep(m, '/a/b')).toEqual(['path', { p: 'a/b' }]);
  });

  it('float and uuid beat the default converter whatever the order', () => {
    const m = makeMap([
      ['/<s>', { endpoint: 'string' }],
      ['/<float:f>', { endpoint: 'float' }],
    ]);
    expect(ep(m, '/1.5')).toEqual(['float', { f: 1.5 }]);
    const u = makeMap([
      ['/<s>', { endpoint: 'string' }],
      ['/<uuid:u>', { endpoint: 'uuid' }],
    ]);
    expect(ep(u, '/a8098c1a-f86e-11da-bd1a-00112444be1e')).toEqual([
      'uuid',
      { u: 'a8098c1a-f86e-11da-bd1a-00112444be1e' },
    ]);
    expect(ep(u, '/not-a-uuid')).toEqual(['string', { s: 'not-a-uuid' }]);
  });

  it('equal weights keep insertion order, and rules sharing a part are tried in order', () => {
    const m = makeMap([
      ['/<a>', { endpoint: 'first', methods: ['POST'] }],
      ['/<b>', { endpoint: 'second', methods: ['GET'] }],
      ['/<c>', { endpoint: 'third', methods: ['GET'] }],
    ]);
    expect(ep(m, '/x', 'POST')).toEqual(['first', { a: 'x' }]);
    expect(ep(m, '/x', 'GET')).toEqual(['second', { b: 'x' }]);
  });

  it('a converter may itself match URLs on the same map (re-entrant matching)', () => {
    const m = new UrlMap();
    m.converters.known = class {
      regex = '[a-z]+';
      toJs(v: string): string {
        // looks another path up while the outer match is in progress
        return m.bind({ host: 'x' }).match(`/target/${v}/1`, 'GET').rule.endpoint;
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    m.add(new Rule('/target/<t>/<int:n>', { endpoint: 'target' }));
    m.add(new Rule('/via/<known:k>/<int:n>', { endpoint: 'via' }));
    expect(ep(m, '/via/abc/7')).toEqual(['via', { k: 'target', n: 7 }]);
  });

  it('parts with more static text are tried first', () => {
    const m = makeMap([
      ['/<a>', { endpoint: 'plain' }],
      ['/x-<a>', { endpoint: 'short' }],
      ['/xyz-<a>', { endpoint: 'long' }],
    ]);
    expect(ep(m, '/xyz-1')).toEqual(['long', { a: '1' }]);
    expect(ep(m, '/x-1')).toEqual(['short', { a: '1' }]);
    expect(ep(m, '/y-1')).toEqual(['plain', { a: 'y-1' }]);
  });

  it('matches the Werkzeug path example', () => {
    const m = makeMap([
      ['/', { endpoint: 'page', defaults: { name: 'FrontPage' } }],
      ['/Special', { endpoint: 'special' }],
      ['/<int:year>', { endpoint: 'year' }],
      ['/<path:name>', { endpoint: 'page' }],
      ['/<path:name>/edit', { endpoint: 'editpage' }],
      ['/<path:name>/silly/<path:name2>', { endpoint: 'sillypage' }],
      ['/<path:name>/silly/<path:name2>/edit', { endpoint: 'editsillypage' }],
      ['/Talk:<path:name>', { endpoint: 'talk' }],
      ['/User:<username>', { endpoint: 'user' }],
      ['/User:<username>/<path:name>', { endpoint: 'userpage' }],
      ['/Files/<path:file>', { endpoint: 'files' }],
    ]);
    expect(ep(m, '/')).toEqual(['page', { name: 'FrontPage' }]);
    expect(redirectOf(m, '/FrontPage')).toBe('http://example.org/');
    expect(ep(m, '/Special')).toEqual(['special', {}]);
    expect(ep(m, '/2007')).toEqual(['year', { year: 2007 }]);
    expect(ep(m, '/Some/Page')).toEqual(['page', { name: 'Some/Page' }]);
    expect(ep(m, '/Some/Page/edit')).toEqual(['editpage', { name: 'Some/Page' }]);
    expect(ep(m, '/Foo/silly/bar')).toEqual(['sillypage', { name: 'Foo', name2: 'bar' }]);
    expect(ep(m, '/Foo/silly/bar/edit')).toEqual(['editsillypage', { name: 'Foo', name2: 'bar' }]);
    expect(ep(m, '/Talk:Foo/Bar')).toEqual(['talk', { name: 'Foo/Bar' }]);
    expect(ep(m, '/User:thomas')).toEqual(['user', { username: 'thomas' }]);
    expect(ep(m, '/User:thomas/projects/werkzeug')).toEqual([
      'userpage',
      { username: 'thomas', name: 'projects/werkzeug' },
    ]);
    expect(ep(m, '/Files/downloads/werkzeug/0.2.zip')).toEqual([
      'files',
      { file: 'downloads/werkzeug/0.2.zip' },
    ]);
  });

  it('path converters: two paths beat one, and split at the first slash', () => {
    const m = makeMap([
      ['/foo', { endpoint: 'foo' }],
      ['/<path:bar>', { endpoint: 'bar' }],
      ['/<path:bar>/<path:blub>', { endpoint: 'bar2' }],
    ]);
    expect(ep(m, '/foo')).toEqual(['foo', {}]);
    expect(ep(m, '/blub')).toEqual(['bar', { bar: 'blub' }]);
    expect(ep(m, '/he/he')).toEqual(['bar2', { bar: 'he', blub: 'he' }]);
    expect(ep(m, '/1/2/3')).toEqual(['bar2', { bar: '1', blub: '2/3' }]);
  });

  it('backtracks into other branches when a deeper part fails', () => {
    const m = makeMap([
      ['/a/<x>/c', { endpoint: 'first' }],
      ['/<y>/b/d', { endpoint: 'second' }],
    ]);
    expect(ep(m, '/a/b/c')).toEqual(['first', { x: 'b' }]);
    expect(ep(m, '/a/b/d')).toEqual(['second', { y: 'a' }]);
  });

  it('matches the Werkzeug complex-rules example', () => {
    const m = makeMap([
      ['/', { endpoint: 'index' }],
      ['/<int:blub>', { endpoint: 'an_int' }],
      ['/<blub>', { endpoint: 'a_string' }],
      ['/foo/', { endpoint: 'nested' }],
      ['/foobar/', { endpoint: 'nestedbar' }],
      ['/foo/<path:testing>/', { endpoint: 'nested_show' }],
      ['/foo/<path:testing>/edit', { endpoint: 'nested_edit' }],
      ['/users/', { endpoint: 'users', defaults: { page: 1 } }],
      ['/users/page/<int:page>', { endpoint: 'users' }],
      ['/foox', { endpoint: 'foox' }],
      ['/<path:bar>/<path:blub>', { endpoint: 'barx_path_path' }],
    ]);
    expect(ep(m, '/')).toEqual(['index', {}]);
    expect(ep(m, '/42')).toEqual(['an_int', { blub: 42 }]);
    expect(ep(m, '/blub')).toEqual(['a_string', { blub: 'blub' }]);
    expect(ep(m, '/foo/')).toEqual(['nested', {}]);
    expect(ep(m, '/foobar/')).toEqual(['nestedbar', {}]);
    expect(ep(m, '/foo/1/2/3/')).toEqual(['nested_show', { testing: '1/2/3' }]);
    expect(ep(m, '/foo/1/2/3/edit')).toEqual(['nested_edit', { testing: '1/2/3' }]);
    expect(ep(m, '/users/')).toEqual(['users', { page: 1 }]);
    expect(ep(m, '/users/page/2')).toEqual(['users', { page: 2 }]);
    expect(ep(m, '/foox')).toEqual(['foox', {}]);
    expect(ep(m, '/1/2/3')).toEqual(['barx_path_path', { bar: '1', blub: '2/3' }]);
  });

  it('many static siblings (hashed lookup) still resolve exactly', () => {
    const rules: [string, { endpoint: string }][] = [];
    for (let i = 0; i < 50; i++) rules.push([`/api/v1/resource${i}/<int:id>`, { endpoint: `r${i}` }]);
    for (let i = 0; i < 50; i++) rules.push([`/api/v1/resource${i}`, { endpoint: `s${i}` }]);
    const m = makeMap(rules);
    expect(ep(m, '/api/v1/resource37/9')).toEqual(['r37', { id: 9 }]);
    expect(ep(m, '/api/v1/resource3/9')).toEqual(['r3', { id: 9 }]);
    expect(ep(m, '/api/v1/resource49')).toEqual(['s49', {}]);
    catchError(() => ep(m, '/api/v1/resource50/1'), NotFound);
    catchError(() => ep(m, '/api/v1/resource3x/1'), NotFound);
  });
});

describe('defaults', () => {
  it('passes defaults to the view and redirects the URL that equals a rule with defaults', () => {
    const m = makeMap([
      ['/foo/', { endpoint: 'foo', defaults: { page: 1 } }],
      ['/foo/<int:page>', { endpoint: 'foo' }],
    ]);
    expect(ep(m, '/foo/')).toEqual(['foo', { page: 1 }]);
    expect(redirectOf(m, '/foo/1')).toBe('http://example.org/foo/');
    expect(redirectOf(m, '/foo/1', 'GET', 'x=1')).toBe('http://example.org/foo/?x=1');
    expect(ep(m, '/foo/2')).toEqual(['foo', { page: 2 }]);
  });

  it('does not redirect when redirectDefaults is off', () => {
    const m = makeMap(
      [
        ['/foo/', { endpoint: 'foo', defaults: { page: 1 } }],
        ['/foo/<int:page>', { endpoint: 'foo' }],
      ],
      { redirectDefaults: false },
    );
    expect(ep(m, '/foo/1')).toEqual(['foo', { page: 1 }]);
  });

  it('redirects with quoting and to another subdomain', () => {
    const m = makeMap([
      ['/<category>', { endpoint: 'category', defaults: { page: 1 } }],
      ['/<category>/page/<int:page>', { endpoint: 'category' }],
    ]);
    expect(redirectOf(m, '/foo bar/page/1')).toBe('http://example.org/foo%20bar');
    const s = makeMap([
      ['/foo', { endpoint: 'x', defaults: { bar: 42 }, subdomain: 'test' }],
      ['/foo/<int:bar>', { endpoint: 'x', subdomain: 'other' }],
    ]);
    const err = catchError(
      () => s.bind({ host: 'localhost', subdomain: 'other' }).match('/foo/42', 'GET'),
      RequestRedirect,
    );
    expect(err.newUrl).toBe('http://test.localhost/foo');
  });

  it('handles double defaults under a prefix', () => {
    for (const prefix of ['', '/aaa']) {
      const m = makeMap([
        [`${prefix}/`, { endpoint: 'x', defaults: { foo: 1, bar: false } }],
        [`${prefix}/<int:foo>`, { endpoint: 'x', defaults: { bar: false } }],
        [`${prefix}/bar/`, { endpoint: 'x', defaults: { foo: 1, bar: true } }],
        [`${prefix}/bar/<int:foo>`, { endpoint: 'x', defaults: { bar: true } }],
      ]);
      expect(ep(m, `${prefix}/`)).toEqual(['x', { foo: 1, bar: false }]);
      expect(ep(m, `${prefix}/2`)).toEqual(['x', { foo: 2, bar: false }]);
      expect(ep(m, `${prefix}/bar/`)).toEqual(['x', { foo: 1, bar: true }]);
      expect(ep(m, `${prefix}/bar/2`)).toEqual(['x', { foo: 2, bar: true }]);
      expect(redirectOf(m, `${prefix}/1`)).toBe(`http://example.org${prefix}/`);
      expect(redirectOf(m, `${prefix}/bar/1`)).toBe(`http://example.org${prefix}/bar/`);
    }
  });
});

describe('redirectTo', () => {
  it('redirects with a rule-like string, filled with converted values', () => {
    const m = makeMap([
      ['/foo/<slug>', { endpoint: 'foo' }],
      ['/some/old/url/<slug>', { redirectTo: 'foo/<slug>' }],
      ['/old/<int:id>', { redirectTo: '/new/<id>' }],
      ['/away', { redirectTo: 'https://elsewhere.test/x' }],
    ]);
    expect(redirectOf(m, '/some/old/url/a b')).toBe('http://example.org/foo/a%20b');
    expect(redirectOf(m, '/old/7')).toBe('http://example.org/new/7');
    expect(redirectOf(m, '/away')).toBe('https://elsewhere.test/x');
  });

  it('joins relative targets against the mount point', () => {
    const m = makeMap([['/old', { redirectTo: 'new' }]]);
    expect(redirectOf(m, '/old', 'GET', undefined, '/app')).toBe('http://example.org/app/new');
  });

  it('redirects with a function of the params', () => {
    const seen: unknown[] = [];
    const m = makeMap([
      [
        '/other/old/<int:id>',
        {
          redirectTo: (params) => {
            seen.push(params);
            return `foo/${Number(params.id) * 2}`;
          },
        },
      ],
    ]);
    expect(redirectOf(m, '/other/old/21')).toBe('http://example.org/foo/42');
    expect(seen).toEqual([{ id: 21 }]);
  });
});

describe('converter rejections', () => {
  it('a ValidationError from toJs makes matching try the next rule', () => {
    const m = new UrlMap();
    m.converters.even = class {
      regex = '\\d+';
      weight = 10; // before int (50)
      toJs(v: string): number {
        const n = Number(v);
        if (n % 2) throw new ValidationError();
        return n;
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    m.add(new Rule('/n/<even:n>', { endpoint: 'even' }));
    m.add(new Rule('/n/<int:n>', { endpoint: 'odd' }));
    expect(ep(m, '/n/4')).toEqual(['even', { n: 4 }]);
    expect(ep(m, '/n/5')).toEqual(['odd', { n: 5 }]);
  });

  it('a rejected value with no other rule is a 404, not a 405', () => {
    const m = makeMap([['/item/<int(max=10):id>', { endpoint: 'item', methods: ['POST'] }]]);
    catchError(() => ep(m, '/item/50', 'GET'), NotFound);
    catchError(() => ep(m, '/item/5', 'GET'), MethodNotAllowed);
  });

  it('other errors from a converter propagate', () => {
    const m = new UrlMap();
    m.converters.boom = class {
      regex = '[^/]+';
      toJs(): never {
        throw new TypeError('boom');
      }
      toUrl(v: unknown): string {
        return String(v);
      }
    };
    m.add(new Rule('/<boom:x>'));
    expect(() => ep(m, '/x')).toThrow(TypeError);
  });
});

describe('buildOnly and rule listing', () => {
  it('buildOnly rules never match but build', () => {
    const m = makeMap([['/static/<path:f>', { endpoint: 'static', buildOnly: true }]]);
    catchError(() => ep(m, '/static/a.css'), NotFound);
    expect(m.bind({ host: 'x' }).build('static', { f: 'a.css' })).toBe('/static/a.css');
  });

  it('lists rules in insertion order and per endpoint in build order', () => {
    const m = makeMap([
      ['/a', { endpoint: 'a' }],
      ['/b/', { endpoint: 'b', defaults: { page: 1 } }],
      ['/b/<int:page>', { endpoint: 'b' }],
      ['/b/<int:page>/<int:size>', { endpoint: 'b' }],
    ]);
    expect(m.rules().map((r) => r.rule)).toEqual(['/a', '/b/', '/b/<int:page>', '/b/<int:page>/<int:size>']);
    expect(m.rulesForEndpoint('b').map((r) => r.rule)).toEqual([
      '/b/<int:page>/<int:size>',
      '/b/',
      '/b/<int:page>',
    ]);
    expect(m.rulesForEndpoint('zzz')).toEqual([]);
    expect(m.isEndpointExpecting('b', 'size')).toBe(true);
    expect(m.isEndpointExpecting('a', 'size')).toBe(false);
  });

  it('a rule added after matching started is found', () => {
    const m = makeMap(['/a']);
    const a = m.bind({ host: 'x' });
    expect(a.match('/a', 'GET').rule.rule).toBe('/a');
    m.add(new Rule('/b/<int:n>', { endpoint: 'b' }));
    expect(a.match('/b/3', 'GET').params).toEqual({ n: 3 });
  });
});
