/**
 * Request cookies are read like Werkzeug's `parse_cookie`: quoted values unquoted (with its backslash
 * escapes), nameless pairs dropped. The expected values were recorded with Werkzeug 3 on this machine
 * (first value of each name, as `request.cookies[name]` gives).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCookies } from '../../src/http/cookies.js';
import { exchange, KINDS, parseResponses, quietApp, start, stopAll } from './helpers.js';

afterEach(stopAll);

const WERKZEUG: [string, Record<string, string>][] = [
  ['q="x y"', { q: 'x y' }],
  ['=__Host-sid=x; a=1', { a: '1' }],
  ['  =x; b=" "', { b: ' ' }],
  ['a="x\\"y"', { a: 'x"y' }],
  ['a="\\101"', { a: 'A' }],
  ['a="a\\nb"', { a: 'anb' }],
  ['a="\\342\\230\\203"', { a: '☃' }],
  ['a="\\400"', { a: '400' }],
  ['a="unterminated', { a: '"unterminated' }],
  ['a=""', { a: '' }],
  ['a="x;y"; b=1', { a: 'x;y', b: '1' }],
  ['a = "q" ;b', { a: 'q', b: '' }],
  ['a="x" z"', { a: 'x" z' }],
  ['q="x y" z', { q: '"x y" z' }],
  [';;a=1;;', { a: '1' }],
  ['a=b=c', { a: 'b=c' }],
  ['a="x\\', { a: '"x\\' }],
  ['a=1; a=2', { a: '1' }],
  ['foo; a=1', { foo: '', a: '1' }],
  ['sid="a\\\\b"; next=ok', { sid: 'a\\b', next: 'ok' }],
  ['a="\\"";b="\\;"', { a: '"', b: ';' }],
];

describe('parseCookies', () => {
  it.each(WERKZEUG)('%s reads as Werkzeug reads it', (header, expected) => {
    expect({ ...parseCookies(header) }).toEqual(expected);
  });

  it('keeps percent-decoding unquoted values (what serializeCookie writes)', () => {
    expect({ ...parseCookies('a=x%20y; b="x%20y"; c=%zz') }).toEqual({ a: 'x y', b: 'x%20y', c: '%zz' });
  });

  it('a nameless cookie cannot shadow a __Host- cookie', () => {
    const c = parseCookies('=__Host-sid=evil; __Host-sid=good');
    expect(c['__Host-sid']).toBe('good');
    expect(Object.keys(c)).toEqual(['__Host-sid']);
  });
});

describe.each(KINDS)('req.cookies over a real socket (%s server)', (kind) => {
  it('unquotes a quoted value and drops a nameless pair', async () => {
    const app = quietApp();
    app.get('/', (req) => ({ ...req.cookies }));
    const port = await start(app, kind);
    const { text } = await exchange(port, [
      'GET / HTTP/1.1\r\nHost: x\r\nCookie: q="x y"; =__Host-sid=x; e="\\101\\""\r\nConnection: close\r\n\r\n',
    ]);
    const [r] = parseResponses(text).responses;
    expect(JSON.parse(r?.body ?? '')).toEqual({ q: 'x y', e: 'A"' });
  });
});
