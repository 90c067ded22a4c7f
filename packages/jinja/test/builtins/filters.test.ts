import { describe, expect, it } from 'vitest';
import { Markup } from '../../src/runtime/markup.js';
import { PyFloat, pyStr, tuple } from '../../src/runtime/python.js';
import { StrictUndefined, Undefined } from '../../src/runtime/undefined.js';
import { kw, makeEnv } from './fake-env.js';

const { filter: f } = makeEnv();
const ae = makeEnv(Undefined, true).filter;
const s = (v: unknown) => pyStr(v);
const users = [
  {
    name: 'Ann',
    age: 31,
    city: 'Oslo',
    email: 'ann@x.io',
    address: { city: 'Oslo', zip: '0150' },
    stats: { points: 12 },
  },
  {
    name: 'bob',
    age: 25,
    city: 'berlin',
    email: null,
    address: { city: 'Berlin', zip: '10115' },
    stats: { points: 7 },
  },
  {
    name: 'Cid',
    age: 31,
    city: 'Berlin',
    email: 'cid@x.io',
    address: { city: 'Berlin', zip: '10117' },
    stats: { points: 3 },
  },
  { name: 'dee', age: 19, city: 'oslo', address: { city: 'Bergen', zip: '5003' }, stats: { points: 20 } },
];
const names = (v: unknown) => (v as { name: string }[]).map((u) => u.name).join(',');

describe('numeric filters', () => {
  it('abs keeps int/float and rejects strings', () => {
    expect(f('abs', -12)).toBe(12);
    expect(s(f('abs', -3.25))).toBe('3.25');
    expect(() => f('abs', 'x')).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
  it('int parses like Python with fallbacks', () => {
    expect(f('int', '42')).toBe(42);
    expect(f('int', '42.9')).toBe(42);
    expect(f('int', 'x')).toBe(0);
    expect(f('int', 'x', -1)).toBe(-1);
    expect(f('int', 'abc', kw({ default: 7 }))).toBe(7);
    expect(f('int', '0x1F', 0, 16)).toBe(31);
    expect(f('int', -3.99)).toBe(-3);
    expect(f('int', true)).toBe(1);
    expect(f('int', null)).toBe(0);
    expect(f('int', '  12 ')).toBe(12);
    expect(f('int', '1_000')).toBe(1000);
    expect(f('int', '1e3')).toBe(1000);
    expect(f('int', '12abc')).toBe(0);
    expect(f('int', 17, kw({ base: 16 }))).toBe(17);
    expect(f('int', '19', 5, 8)).toBe(19);
  });
  it('float prints Python floats', () => {
    expect(s(f('float', '3.25'))).toBe('3.25');
    expect(s(f('float', 'abc'))).toBe('0.0');
    expect(f('float', 'x', 'n/a')).toBe('n/a');
    expect(s(f('float', 7))).toBe('7.0');
    expect(s(f('float', '1_000.5'))).toBe('1000.5');
    expect(s(f('float', '1e3'))).toBe('1000.0');
    expect(s(f('float', null))).toBe('0.0');
    expect(s(f('float', '', kw({ default: -1.5 })))).toBe('-1.5');
  });
  it('round supports precision and methods', () => {
    expect(s(f('round', 3.14159, 2))).toBe('3.14');
    expect(s(f('round', 2.675, 2))).toBe('2.67');
    expect(s(f('round', 3.712, 1, 'ceil'))).toBe('3.8');
    expect(s(f('round', -2.5, 0, 'floor'))).toBe('-3.0');
    expect(s(f('round', -2.5, kw({ method: 'ceil' })))).toBe('-2.0');
    expect(s(f('round', 7))).toBe('7');
    expect(s(f('round', 1234, -2))).toBe('1200');
    expect(s(f('round', new PyFloat(1250), -2))).toBe('1200.0');
    expect(s(f('round', -2.5))).toBe('-2.0');
    expect(() => f('round', 2.5, 0, 'up')).toThrow(expect.objectContaining({ name: 'FilterArgumentError' }));
    expect(() => f('round', '2.5')).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
  it('filesizeformat', () => {
    expect(f('filesizeformat', 100)).toBe('100 Bytes');
    expect(f('filesizeformat', 1000)).toBe('1.0 kB');
    expect(f('filesizeformat', 1250)).toBe('1.2 kB');
    expect(f('filesizeformat', 1500000)).toBe('1.5 MB');
    expect(f('filesizeformat', 4200000000)).toBe('4.2 GB');
    expect(f('filesizeformat', 3221225472, kw({ binary: true }))).toBe('3.0 GiB');
    expect(f('filesizeformat', 1000, true)).toBe('1000 Bytes');
    expect(f('filesizeformat', 1e27)).toBe('1000.0 YB');
    expect(f('filesizeformat', '2048')).toBe('2.0 kB');
    expect(f('filesizeformat', -5)).toBe('-5 Bytes');
    expect(f('filesizeformat', 1)).toBe('1 Byte');
  });
  it('sum with attribute and start', () => {
    expect(f('sum', [1, 2, 3])).toBe(6);
    expect(f('sum', users, kw({ attribute: 'age' }))).toBe(106);
    expect(f('sum', users, 'age')).toBe(106);
    expect(() => f('sum', ['a', 'b'])).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(f('sum', [[1], [2, 3]], kw({ start: [] }))).toEqual([1, 2, 3]);
  });
});

describe('string filters', () => {
  it('case filters', () => {
    expect(f('capitalize', 'hELLO wORLD')).toBe('Hello world');
    expect(f('capitalize', new Undefined())).toBe('');
    expect(f('capitalize', 42)).toBe('42');
    expect(f('upper', 'straße')).toBe('STRASSE');
    expect(f('lower', 'ÄÖÜ ÉÇ')).toBe('äöü éç');
    expect(f('lower', new Markup('<B>Hi</B>'))).toBeInstanceOf(Markup);
    expect(f('title', 'HELLO-wORLD (foo bar)')).toBe('Hello-World (Foo Bar)');
    expect(f('title', '3rd place 2nd')).toBe('3rd Place 2nd');
    expect(f('title', '  a  b\tc\nd ')).toBe('  A  B\tC\nD ');
  });
  it('center, trim, truncate', () => {
    expect(f('center', 'ab', 6)).toBe('  ab  ');
    expect(f('center', 'ab', 5)).toBe('  ab ');
    expect((f('center', 'x') as string).length).toBe(80);
    expect(f('trim', 'xyhixy', 'xy')).toBe('hi');
    expect(f('trim', '...end.', kw({ chars: '.' }))).toBe('end');
    expect(f('trim', '\n\t body \r\n')).toBe('body');
    expect(f('trim', '\u00a0x\u00a0')).toBe('x');
    const t = 'foo bar baz qux quux';
    expect(f('truncate', t, 10)).toBe('foo...');
    expect(f('truncate', t, 10, true)).toBe('foo bar...');
    expect(f('truncate', t, 10, false, '…')).toBe('foo bar…');
    expect(f('truncate', 'abcdefghijkl', 10)).toBe('abcdefghijkl');
    expect(f('truncate', t, kw({ length: 8, killwords: true, end: '~', leeway: 0 }))).toBe('foo bar~');
    expect(() => f('truncate', 'abcdefghij', 2)).toThrow(expect.objectContaining({ name: 'AssertionError' }));
    expect(f('truncate', 'αβγδεζηθικλ', 7, true, '..', 0)).toBe('αβγδε..');
    expect(f('truncate', 'abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcdefg...');
    expect(f('truncate', 'aaa bbb ccc ddd', 8, kw({ leeway: 0 }))).toBe('aaa...');
    expect(String(f('truncate', new Markup('<b>bold</b> and more text'), 12, kw({ leeway: 0 })))).toBe(
      '<b>bold</...',
    );
  });
  it('replace with count and Markup awareness', () => {
    expect(f('replace', 'aaaa', 'a', 'b', 2)).toBe('bbaa');
    expect(f('replace', 'a-b-c', '-', '+', kw({ count: 1 }))).toBe('a+b-c');
    expect(f('replace', 'abc', '', '-')).toBe('-a-b-c-');
    expect(ae('replace', 'a<b', '<', '&lt;')).toBe('a<b'.replace('<', '&lt;'));
    expect(String(ae('replace', new Markup('<a>x</a>'), new Markup('x'), new Markup('<y>')))).toBe(
      '<a><y></a>',
    );
  });
  it('indent', () => {
    const text = 'a\nb\n\nc';
    expect(f('indent', text, 2)).toBe('a\n  b\n\n  c');
    expect(f('indent', text, 2, true)).toBe('  a\n  b\n\n  c');
    expect(f('indent', text, kw({ width: 1, first: true, blank: true }))).toBe(' a\n b\n \n c');
    expect(f('indent', text, '> ', kw({ first: true }))).toBe('> a\n> b\n\n> c');
    expect(f('indent', 'a\nb\n')).toBe('a\n    b\n');
    expect(f('indent', 'a\nb\n', kw({ blank: true }))).toBe('a\n    b\n    ');
    expect(f('indent', 'a\r\nb', 1)).toBe('a\n b');
  });
  it('format', () => {
    expect(f('format', '%d items', 3)).toBe('3 items');
    expect(f('format', '%05.2f|%.3f', 3.14159, 2)).toBe('03.14|2.000');
    expect(() => f('format', '%s %(a)s', 1, kw({ a: 2 }))).toThrow(
      expect.objectContaining({ name: 'FilterArgumentError' }),
    );
    expect(f('format', 'got %s', [1, 'a'])).toBe("got [1, 'a']");
    expect(f('format', '%-5s|%5s', 'ab', 'cd')).toBe('ab   |   cd');
    expect(String(f('format', new Markup('<b>%s</b>'), '<i>'))).toBe('<b>&lt;i&gt;</b>');
    expect(f('format', '%s', new PyFloat(2))).toBe('2.0');
  });
  it('striptags, wordcount, wordwrap', () => {
    expect(f('striptags', '<p>Hello <b>World</b></p>')).toBe('Hello World');
    expect(f('striptags', '&lt;tag&gt; &amp; x')).toBe('<tag> & x');
    expect(f('striptags', 'a<!-- hidden <b> -->b')).toBe('ab');
    expect(f('striptags', '<ul>\n  <li>One</li>\n  <li>Two</li>\n</ul>')).toBe('One Two');
    expect(f('striptags', 'x <b unclosed')).toBe('x <b unclosed');
    expect(f('striptags', '<i>caf&eacute; &nbsp;&copy;</i>')).toBe('café \u00a0©');
    expect(f('wordcount', 'one two  three')).toBe(3);
    expect(f('wordcount', "don't stop")).toBe(3);
    expect(f('wordcount', 'héllo wörld 日本')).toBe(3);
    expect(f('wordcount', 'a-b_c d.e')).toBe(4);
    expect(f('wordwrap', 'The quick brown fox jumps over the lazy dog', 15, kw({ wrapstring: '<br>' }))).toBe(
      'The quick brown<br>fox jumps over<br>the lazy dog',
    );
    expect(f('wordwrap', 'well-known-thing here', 7)).toBe('well-\nknown-\nthing\nhere');
    expect(f('wordwrap', 'well-known-thing here', 7, kw({ break_on_hyphens: false }))).toBe(
      'well-kn\nown-thi\nng here',
    );
    expect(f('wordwrap', 'alpha beta-gamma deltaepsilon', 8, true, '|', false)).toBe(
      'alpha be|ta-gamma|deltaeps|ilon',
    );
    expect(f('wordwrap', 'first line here\nsecond one is longer\n\nthird', 12)).toBe(
      'first line\nhere\nsecond one\nis longer\n\nthird',
    );
  });
  it('urlize', () => {
    expect(f('urlize', 'Visit http://example.com now')).toBe(
      'Visit <a href="http://example.com" rel="noopener">http://example.com</a> now',
    );
    expect(f('urlize', 'go to www.example.org today')).toBe(
      'go to <a href="https://www.example.org" rel="noopener">www.example.org</a> today',
    );
    expect(f('urlize', 'mailto:a.b@example.net')).toBe(
      '<a href="mailto:a.b@example.net">a.b@example.net</a>',
    );
    expect(f('urlize', 'see http://x.org/page. Or (https://y.org/a), too')).toBe(
      'see <a href="http://x.org/page" rel="noopener">http://x.org/page</a>. Or (<a href="https://y.org/a" rel="noopener">https://y.org/a</a>), too',
    );
    expect(f('urlize', 'https://example.com/path', 10, true, '_top', 'me')).toBe(
      '<a href="https://example.com/path" rel="me nofollow noopener" target="_top">https://ex...</a>',
    );
    expect(f('urlize', 'get ftp://files.test/x', kw({ extra_schemes: ['ftp://'] }))).toBe(
      'get <a href="ftp://files.test/x" rel="noopener">ftp://files.test/x</a>',
    );
    expect(f('urlize', 'example.com and foo.bar')).toBe(
      '<a href="https://example.com" rel="noopener">example.com</a> and foo.bar',
    );
  });
  it('urlencode', () => {
    expect(f('urlencode', 'hello world/ü?&=#')).toBe('hello%20world/%C3%BC%3F%26%3D%23');
    expect(
      f('urlencode', [
        ['a', '1'],
        ['b', 'x&y'],
      ]),
    ).toBe('a=1&b=x%26y');
    expect(f('urlencode', 42)).toBe('42');
    expect(f('urlencode', { a: 'x y' })).toBe('a=x+y');
  });
});

describe('sequence filters', () => {
  it('batch and slice', () => {
    expect(f('batch', [1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(f('batch', [1, 2, 3, 4, 5, 6, 7], 3, 'x')).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 'x', 'x'],
    ]);
    expect(f('batch', [1, 2, 3], 2, 0)).toEqual([
      [1, 2],
      [3, 0],
    ]);
    expect(f('slice', [1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(f('slice', [1, 2, 3, 4, 5, 6, 7], 3, 0)).toEqual([
      [1, 2, 3],
      [4, 5, 0],
      [6, 7, 0],
    ]);
    expect(f('slice', [1, 2, 3, 4, 5, 6], 2, 'x')).toEqual([
      [1, 2, 3, 'x'],
      [4, 5, 6, 'x'],
    ]);
  });
  it('first, last, length, list, reverse', () => {
    expect(f('first', { k1: 1, k2: 2 })).toBe('k1');
    expect(f('first', '😀ab')).toBe('😀');
    expect(f('first', new Undefined())).toBeInstanceOf(Undefined);
    expect(makeEnv(StrictUndefined).filter('first', [])).toBeInstanceOf(StrictUndefined);
    expect(f('last', 'xyz')).toBe('z');
    expect(f('length', 'héllo😀')).toBe(6);
    expect(() => f('length', 5)).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(s(f('list', 'ab'))).toBe("['a', 'b']");
    expect(() => f('list', 5)).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(f('reverse', 'añb😀x')).toBe('x😀bña');
    expect(f('reverse', { a: 1, b: 2, c: 3 })).toEqual(['c', 'b', 'a']);
    expect(() => f('reverse', 123)).toThrow(expect.objectContaining({ name: 'FilterArgumentError' }));
  });
  it('join', () => {
    expect(f('join', [1, 2, 3])).toBe('123');
    expect(f('join', users, ' & ', kw({ attribute: 'name' }))).toBe('Ann & bob & Cid & dee');
    expect(f('join', users, '/', kw({ attribute: 'address.zip' }))).toBe('0150/10115/10117/5003');
    expect(String(ae('join', [new Markup('<a>'), '<b>'], '|'))).toBe('<a>|&lt;b&gt;');
    expect(f('join', [new Markup('<a>'), '<b>'], '|')).toBe('<a>|<b>');
    expect(f('join', [1, 'x', null, new PyFloat(2)], ',')).toBe('1,x,None,2.0');
  });
  it('sort, dictsort, unique, min, max', () => {
    expect(f('sort', ['b', 'C', 'a', 'B'])).toEqual(['a', 'b', 'B', 'C']);
    expect(f('sort', ['b', 'C', 'a', 'B'], kw({ case_sensitive: true }))).toEqual(['B', 'C', 'a', 'b']);
    expect(f('sort', ['b', 'C', 'a'], false, true)).toEqual(['C', 'a', 'b']);
    expect(names(f('sort', users, kw({ attribute: 'age', reverse: true })))).toBe('Ann,Cid,bob,dee');
    const items = [
      { n: 'b', g: 1 },
      { n: 'B', g: 1 },
      { n: 'a', g: 1 },
      { n: 'C', g: 0 },
    ];
    expect(
      (f('sort', items, kw({ attribute: 'g,n', case_sensitive: true })) as { n: string }[])
        .map((x) => x.n)
        .join(','),
    ).toBe('C,B,a,b');
    expect(names(f('sort', users, kw({ attribute: 'city' })))).toBe('bob,Cid,Ann,dee');
    expect(f('sort', [2, 1.5, -1, 0])).toEqual([-1, 0, 1.5, 2]);
    expect(f('sort', ['é', 'e', 'f', 'E'], kw({ case_sensitive: true }))).toEqual(['E', 'e', 'f', 'é']);
    const d = { b: 1, A: 2, a: 3, C: 4 };
    expect(s(f('dictsort', d))).toBe("[('A', 2), ('a', 3), ('b', 1), ('C', 4)]");
    expect(s(f('dictsort', d, true))).toBe("[('A', 2), ('C', 4), ('a', 3), ('b', 1)]");
    expect(s(f('dictsort', d, kw({ reverse: true })))).toBe("[('C', 4), ('b', 1), ('A', 2), ('a', 3)]");
    expect(() => f('dictsort', { a: 1 }, kw({ by: 'size' }))).toThrow(
      expect.objectContaining({ name: 'FilterArgumentError' }),
    );
    expect(f('unique', ['a', 'A', 'b', 'B', 'a'])).toEqual(['a', 'b']);
    expect(f('unique', 'Mississippi')).toEqual(['M', 'i', 's', 'p']);
    expect(names(f('unique', users, true, 'city'))).toBe('Ann,bob,Cid,dee');
    expect(f('min', ['Zed', 'apple', 'Mango'])).toBe('apple');
    expect(f('min', ['Zed', 'apple', 'Mango'], kw({ case_sensitive: true }))).toBe('Mango');
    expect((f('max', users, kw({ attribute: 'age' })) as { name: string }).name).toBe('Ann');
    expect((f('max', users, kw({ attribute: 'stats.points' })) as { name: string }).name).toBe('dee');
    expect(f('max', [2, 1.5, 3])).toBe(3);
    expect(f('min', [])).toBeInstanceOf(Undefined);
    expect(() => f('min', [1, 'a'])).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
  it('groupby', () => {
    const g = f('groupby', users, 'city') as unknown[][];
    expect(g.map((x) => `${x[0]}:${names(x[1])}`).join(';')).toBe('berlin:bob,Cid;Oslo:Ann,dee');
    const cs = f('groupby', users, 'city', kw({ case_sensitive: true })) as unknown[][];
    expect(cs.map((x) => x[0]).join(',')).toBe('Berlin,Oslo,berlin,oslo');
    const people = [{ name: 'a', team: 'red' }, { name: 'b' }, { name: 'c', team: 'blue' }, { name: 'd' }];
    const gd = f('groupby', people, 'team', kw({ default: 'none' })) as unknown[][];
    expect(gd.map((x) => `${x[0]}:${names(x[1])}`).join(' ')).toBe('blue:c none:b,d red:a');
    const gi = f(
      'groupby',
      [
        [2, 'a'],
        [1, 'b'],
        [2, 'c'],
        [1, 'd'],
      ],
      0,
    ) as unknown[][];
    expect(gi.map((x) => x[0]).join(',')).toBe('1,2');
  });
  it('map, select, reject and attr variants', () => {
    expect(f('map', users, kw({ attribute: 'name' }))).toEqual(['Ann', 'bob', 'Cid', 'dee']);
    expect(f('map', ['aaa', 'aa'], 'replace', 'a', 'b', kw({ count: 1 }))).toEqual(['baa', 'ba']);
    expect(f('map', users, kw({ attribute: 'nick', default: '-' }))).toEqual(['-', '-', '-', '-']);
    expect(() => f('map', [1], 'nosuchfilter')).toThrow(
      expect.objectContaining({ name: 'TemplateRuntimeError' }),
    );
    expect(() => f('map', users, kw({ attribute: 'name', x: 1 }))).toThrow(
      expect.objectContaining({ name: 'FilterArgumentError' }),
    );
    expect(f('map', [null, 'x', ''], 'default', 'd', true)).toEqual(['d', 'x', 'd']);
    expect(f('select', [1, 2, 3, 4, 5, 6], 'odd')).toEqual([1, 3, 5]);
    expect(f('select', [1, 2, 3, 4, 5, 6], '>', 4)).toEqual([5, 6]);
    expect((f('select', [0, 1, '', 'a', null, [], [0]]) as unknown[]).length).toBe(3);
    expect(f('reject', [0, 1, '', 'a'])).toEqual([0, '']);
    expect(f('select', [false, 0, null, ''], 'sameas', false)).toEqual([false]);
    expect(names(f('selectattr', users, 'email', 'none'))).toBe('bob');
    expect(names(f('rejectattr', users, 'email', 'defined'))).toBe('dee');
    expect(names(f('selectattr', users, 'address.city', '==', 'Berlin'))).toBe('bob,Cid');
    expect(() => f('selectattr', users)).toThrow(expect.objectContaining({ name: 'FilterArgumentError' }));
    expect(f('select', new Undefined(), 'odd')).toEqual([]);
  });
});

describe('html and data filters', () => {
  it('escape, forceescape, safe', () => {
    expect(String(f('e', '<a href="x">&\'</a>'))).toBe('&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;');
    expect(String(f('escape', new Markup('<b>')))).toBe('<b>');
    expect(String(f('e', null))).toBe('None');
    expect(String(f('forceescape', new Markup('<i>')))).toBe('&lt;i&gt;');
    expect(String(f('forceescape', '&amp;'))).toBe('&amp;amp;');
    expect(f('safe', '<b>')).toBeInstanceOf(Markup);
  });
  it('tojson', () => {
    expect(String(f('tojson', { b: [1, 2], a: 1 }))).toBe('{"a": 1, "b": [1, 2]}');
    expect(String(f('tojson', "<script>&'"))).toBe('"\\u003cscript\\u003e\\u0026\\u0027"');
    expect(String(f('tojson', [1, [2]], kw({ indent: 1 })))).toBe('[\n 1,\n [\n  2\n ]\n]');
    expect(String(f('tojson', 'ü€😀'))).toBe('"\\u00fc\\u20ac\\ud83d\\ude00"');
    expect(String(f('tojson', new PyFloat(2)))).toBe('2.0');
    expect(String(f('tojson', 'a\tb\nc\u0001'))).toBe('"a\\tb\\nc\\u0001"');
    expect(() => f('tojson', new Undefined())).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
  it('xmlattr', () => {
    expect(f('xmlattr', { class: 'btn', id: 'go' })).toBe(' class="btn" id="go"');
    expect(f('xmlattr', { a: 'x', b: null, c: new Undefined(), d: '' })).toBe(' a="x" d=""');
    expect(f('xmlattr', { a: 1 }, false)).toBe('a="1"');
    expect(() => f('xmlattr', { 'bad key': 1 })).toThrow(expect.objectContaining({ name: 'ValueError' }));
    expect(f('xmlattr', { hidden: true, tabindex: 2 })).toBe(' hidden="True" tabindex="2"');
  });
  it('pprint, string, items, attr, default', () => {
    expect(f('pprint', null)).toBe('None');
    expect(f('pprint', { b: 1, a: [1, 'x'] })).toBe("{'a': [1, 'x'], 'b': 1}");
    expect(f('string', true)).toBe('True');
    expect(f('string', [1, 'a'])).toBe("[1, 'a']");
    expect(s(f('items', { z: 1, a: 2 }))).toBe("[('z', 1), ('a', 2)]");
    expect(f('items', new Undefined())).toEqual([]);
    expect(f('attr', { name: 'Ann' }, 'name')).toBeInstanceOf(Undefined);
    expect(f('default', new Undefined(), 'fallback')).toBe('fallback');
    expect(f('default', '', 'fallback')).toBe('');
    expect(f('default', 0, 'zero', kw({ boolean: true }))).toBe('zero');
    expect(f('d', null, 'x')).toBe(null);
    expect(f('count', tuple([1, 2]))).toBe(2);
  });
});

describe('environment policies', () => {
  it('honours tojson, urlize and truncate policies', () => {
    const { env, filter } = makeEnv();
    Object.assign(env, {
      policies: {
        'json.dumps_function': (v: unknown, kwargs: Record<string, unknown>) => JSON.stringify({ v, kwargs }),
        'json.dumps_kwargs': { sort_keys: false },
        'urlize.rel': null,
        'urlize.target': '_blank',
        'truncate.leeway': 0,
      },
    });
    expect(String(filter('tojson', '<', kw({ indent: 2 })))).toBe(
      '{"v":"\\u003c","kwargs":{"sort_keys":false,"indent":2}}',
    );
    expect(filter('urlize', 'http://a.io')).toBe('<a href="http://a.io" target="_blank">http://a.io</a>');
    expect(filter('truncate', 'abcdefgh', 5)).toBe('ab...');
  });
  it('uses the environment newline sequence for wordwrap', () => {
    const { env, filter } = makeEnv();
    Object.assign(env, { newlineSequence: '\r\n' });
    expect(filter('wordwrap', 'aa bb cc', 2)).toBe('aa\r\nbb\r\ncc');
  });
});
