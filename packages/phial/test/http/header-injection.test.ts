/**
 * Header safety table: CR, LF and NUL (and other control characters) that reach a header from a view,
 * a redirect target, a cookie value or cookie option never split a header (no injected header line, no
 * injected body) and never turn into a 500. Every case is checked through the test client, `app.fetch` and a
 * real socket (the exact bytes node:http writes).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeResponse,
  Phial,
  Response,
  type ResponseReturnValue,
  redirect,
  sendFile,
  Unauthorized,
} from '../../src/index.js';
import { rawExchange, serve } from '../testing/socket-helpers.js';

const INJECT = 'Injected: yes';
const CRLF = `a\r\n${INJECT}`;
const FILE = join(tmpdir(), `phial-injection-${process.pid}.txt`);

/** name → view. Each view tries to smuggle `Injected: yes` into the response head. */
const CASES: Record<string, () => ResponseReturnValue | Promise<ResponseReturnValue>> = {
  'headers.set with CRLF': () => {
    const r = new Response('ok');
    r.headers.set('X-Test', CRLF);
    return r;
  },
  'headers.append with LF only': () => {
    const r = new Response('ok');
    r.headers.append('X-Test', `a\n${INJECT}`);
    return r;
  },
  'headers.set with CR only': () => {
    const r = new Response('ok');
    r.headers.set('X-Test', `a\r${INJECT}`);
    return r;
  },
  'NUL and other controls in a value': () => {
    const r = new Response('ok');
    r.headers.set('X-Test', 'a\u0000b\u0001c\u007fd');
    return r;
  },
  'non-Latin-1 text in a value': () => {
    const r = new Response('ok');
    r.headers.set('X-Test', 'snow ☃ \u2028 line sep');
    return r;
  },
  'Response init headers (object)': () => new Response('ok', { headers: { 'X-Test': CRLF } }),
  'Response init headers (pairs)': () => new Response('ok', { headers: [['X-Test', CRLF]] }),
  'makeResponse(body, status, headers)': () => makeResponse('ok', 200, { 'X-Test': CRLF }),
  'makeResponse(body, headers)': () => makeResponse('ok', { 'X-Test': CRLF }),
  'header smuggling a body': () =>
    new Response('ok', { headers: { 'X-Test': 'a\r\n\r\n<script>x</script>' } }),
  'mimetype with CRLF': () => {
    const r = new Response('ok');
    r.mimetype = `text/plain\r\n${INJECT}`;
    return r;
  },
  'contentType with CRLF': () => {
    const r = new Response('ok');
    r.contentType = `text/plain\r\n${INJECT}`;
    return r;
  },
  'contentType init option': () => new Response('ok', { contentType: `text/plain\r\n${INJECT}` }),
  'statusText with CRLF': () => new Response('ok', { status: 200, statusText: `OK\r\n${INJECT}` }),
  'redirect() location with CRLF': () => redirect(`/next\r\n${INJECT}`),
  'redirect() location with CRLFCRLF and a body': () => redirect('/n\r\n\r\n<h1>owned</h1>'),
  'redirect() location with NUL': () => redirect('/next\u0000x'),
  'response.location with CRLF': () => {
    const r = new Response('', { status: 302 });
    r.location = `/x\r\n${INJECT}`;
    return r;
  },
  'Location via headers.set': () => {
    const r = new Response('', { status: 302 });
    r.headers.set('Location', `/x\r\n${INJECT}`);
    return r;
  },
  'setCookie value with CRLF': () => new Response('ok').setCookie('c', `v\r\n${INJECT}`),
  'setCookie value with NUL and ;': () => new Response('ok').setCookie('c', 'v\u0000; Domain=evil.example'),
  'setCookie path with CRLF': () => new Response('ok').setCookie('c', 'v', { path: `/p\r\n${INJECT}` }),
  'setCookie domain with CRLF': () =>
    new Response('ok').setCookie('c', 'v', { domain: `example.com\r\n${INJECT}` }),
  'setCookie path with ; attribute smuggling': () =>
    new Response('ok').setCookie('c', 'v', { path: '/p; Domain=evil.example' }),
  'deleteCookie path with CRLF': () => new Response('ok').deleteCookie('c', { path: `/p\r\n${INJECT}` }),
  'WWW-Authenticate from Unauthorized': () => {
    throw new Unauthorized(null, undefined, `Basic realm="a\r\n${INJECT}"`);
  },
  'sendFile downloadName with CRLF': () =>
    sendFile(FILE, { asAttachment: true, downloadName: `report\r\n${INJECT}.txt` }),
};

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  app.secretKey = 'header-injection';
  app.config.SESSION_COOKIE_PATH = `/\r\n${INJECT}`;
  app.config.SESSION_COOKIE_DOMAIN = `example.com\r\n${INJECT}`;
  Object.entries(CASES).forEach(([, view], i) => {
    app.get(`/case/${i}`, { endpoint: `case${i}` }, view);
  });
  app.get('/session', { endpoint: 'session' }, (req) => {
    req.session.set('user', `ann\r\n${INJECT}`);
    return 'ok';
  });
  return app;
}

/** Splits a raw HTTP/1.1 response head into lines (the head ends at the first empty line). */
function headLines(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  expect(end, 'a complete response head').toBeGreaterThan(0);
  return raw.slice(0, end).split('\r\n');
}

const PATHS: [string, string][] = [
  ...Object.keys(CASES).map((name, i): [string, string] => [name, `/case/${i}`]),
  ['session cookie with CRLF in SESSION_COOKIE_PATH/DOMAIN', '/session'],
];

describe('CR/LF/NUL never split a header or cause a 500', () => {
  const app = makeApp();
  let port = 0;
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    writeFileSync(FILE, 'file body');
    ({ port, close } = await serve(app));
  });
  afterAll(() => {
    rmSync(FILE, { force: true });
    return close();
  });

  for (const [name, path] of PATHS) {
    it(`${name}: test client`, async () => {
      const res = await app.testClient().get(path);
      expect(res.status, name).not.toBe(500);
      expect(res.headers.has('injected'), name).toBe(false);
      for (const [k, v] of res.headers) {
        expect(v, `${name}: ${k}`).not.toMatch(/[\r\n\0]/);
      }
      expect(res.statusText).not.toMatch(/[\r\n\0]/);
      expect(res.text).not.toContain('<h1>owned');
    });

    it(`${name}: app.fetch (Web Response)`, async () => {
      const res = await app.fetch(new globalThis.Request(`http://localhost${path}`));
      expect(res.status, name).not.toBe(500);
      expect(res.headers.has('injected'), name).toBe(false);
      for (const [k, v] of res.headers) expect(v, `${name}: ${k}`).not.toMatch(/[\r\n\0]/);
    });

    it(`${name}: real socket`, async () => {
      const out = await rawExchange(port, (write) => {
        write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      });
      const lines = headLines(out.text);
      expect(lines[0], name).toMatch(/^HTTP\/1\.1 (200|302|401) /);
      for (const line of lines.slice(1)) {
        expect(line.toLowerCase().startsWith('injected:'), `${name}: ${JSON.stringify(line)}`).toBe(false);
        expect(line, name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: /);
        expect(line, name).not.toMatch(/[\0\r\n]/);
      }
      // exactly one response and no smuggled markup
      expect(out.text.match(/HTTP\/1\.1 \d{3}/g), name).toHaveLength(1);
      const body = out.text.slice(out.text.indexOf('\r\n\r\n') + 4);
      expect(body).not.toContain('<h1>owned');
      expect(body).not.toContain('<script>');
    });
  }

  it('the unsafe text is still visible, made harmless (not silently dropped)', async () => {
    const client = app.testClient();
    const set = await client.get(`/case/${Object.keys(CASES).indexOf('headers.set with CRLF')}`);
    expect(set.headers.get('x-test')).toBe(`a ${INJECT}`);
    const loc = await client.get(`/case/${Object.keys(CASES).indexOf('redirect() location with CRLF')}`);
    expect(loc.headers.get('location')).toBe('/next%0D%0AInjected:%20yes');
    const val = await client.get(`/case/${Object.keys(CASES).indexOf('setCookie value with CRLF')}`);
    expect(val.headers.get('set-cookie')).toMatch(/^c=v%0D%0AInjected%3A%20yes; Path=\//);
    const path = await client.get(`/case/${Object.keys(CASES).indexOf('setCookie path with CRLF')}`);
    expect(path.headers.get('set-cookie')).toMatch(/; Path=\/p%0D%0AInjected:%20yes(;|$)/);
    const smuggle = await client.get(
      `/case/${Object.keys(CASES).indexOf('setCookie path with ; attribute smuggling')}`,
    );
    expect(smuggle.headers.get('set-cookie')).not.toMatch(/; Domain=/i);
  });
});
