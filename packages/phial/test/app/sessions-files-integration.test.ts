/**
 * Sessions, flashing, the static route and sendFile through the whole stack: the in-process test client
 * and a real socket (app.listen(0)).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Markup } from '@phial/jinja';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blueprint } from '../../src/app/blueprint.js';
import { sendFile, sendFromDirectory } from '../../src/app/files.js';
import { flash, getFlashedMessages } from '../../src/app/flash.js';
import { session } from '../../src/app/globals.js';
import type { Session } from '../../src/app/sessions.js';
import { sessionJsonSerializer } from '../../src/app/tag.js';
import { renderTemplateString } from '../../src/app/templating.js';
import { URLSafeTimedSerializer } from '../../src/http/signing.js';
import { Phial } from '../../src/index.js';

let root: string;
let app: Phial;
const hello = 'Hello from static!\n'.repeat(20); // 380 bytes

function makeApp(): Phial {
  const a = new Phial(null, { rootPath: root });
  a.config.SECRET_KEY = 'integration key';
  a.get('/set/<name>', (req) => {
    session.set('user', req.params.name);
    return 'set';
  });
  a.get('/get', () => String(session.get('user') ?? 'nobody'));
  a.get('/noop', () => 'nothing');
  a.get('/clear', () => {
    session.clear();
    return 'cleared';
  });
  a.get('/permanent', () => {
    session.permanent = true;
    session.set('p', 1);
    return 'permanent';
  });
  a.get('/flash', () => {
    flash('Saved.');
    flash('Disk full', 'error');
    return 'flashed';
  });
  a.get('/messages', () => ({ messages: getFlashedMessages({ withCategories: true }) }));
  a.get('/html', () => {
    session.set('badge', new Markup('<b>vip</b>'));
    session.set('note', '<i>plain</i>');
    session.set('data', 'd1');
    return 'stored';
  });
  a.get('/page', () =>
    renderTemplateString(
      '{{ session.user }}|{{ session["user"] }}|{{ session.badge }}|{{ session.note }}|' +
        '{% for c, m in get_flashed_messages(with_categories=true) %}{{ c }}={{ m }};{% endfor %}|' +
        '{{ session.data }}|{{ session.items() | selectattr(0, "equalto", "user") | list | length }}',
    ),
  );
  a.get('/download', () => sendFile('static/hello.txt', { asAttachment: true, downloadName: 'grüße.txt' }));
  a.get('/files/<path:name>', (req) => sendFromDirectory('static', req.params.name));
  return a;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'phial-integration-'));
  await mkdir(join(root, 'static', 'css'), { recursive: true });
  await writeFile(join(root, 'static', 'hello.txt'), hello);
  await writeFile(join(root, 'static', 'css', 'site.css'), 'body { color: red }');
  await writeFile(join(root, 'static', '.env'), 'SECRET=1');
  await writeFile(join(root, 'secret.txt'), 'top secret');
  await mkdir(join(root, 'admin', 'assets'), { recursive: true });
  await writeFile(join(root, 'admin', 'assets', 'admin.js'), 'let admin = 1;');
  app = makeApp();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('through the test client', () => {
  it('keeps a session across requests, with HttpOnly and Vary: Cookie', async () => {
    const client = app.testClient();
    const set = await client.get('/set/ann');
    expect(set.status).toBe(200);
    const cookie = set.headers.getSetCookie()[0] as string;
    expect(cookie).toMatch(/^session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly$/);
    expect(set.headers.get('Vary')).toContain('Cookie');
    const got = await client.get('/get');
    expect(got.text).toBe('ann');
    expect(got.headers.get('Vary')).toContain('Cookie');
    expect(got.headers.getSetCookie()).toEqual([]);
    const noop = await client.get('/noop');
    expect(noop.headers.get('Vary')).toBeNull();
    // The cookie verifies with an independent serializer configured like Flask.
    const value = client.getCookie('session')?.value as string;
    const flaskLike = new URLSafeTimedSerializer(app.config.SECRET_KEY as string, {
      salt: 'cookie-session',
      serializer: sessionJsonSerializer,
      signer: { keyDerivation: 'hmac', digestMethod: 'sha1' },
    });
    expect(flaskLike.loads(value)).toEqual({ user: 'ann' });
  });

  it('deletes the cookie when the session is cleared', async () => {
    const client = app.testClient();
    await client.get('/set/bob');
    const cleared = await client.get('/clear');
    expect(cleared.headers.getSetCookie()[0]).toMatch(/^session=; .*Max-Age=0/);
    expect((await client.get('/get')).text).toBe('nobody');
  });

  it('permanent sessions carry Expires', async () => {
    const client = app.testClient();
    const res = await client.get('/permanent');
    expect(res.headers.getSetCookie()[0]).toMatch(/Expires=/);
  });

  it('a tampered cookie gives an empty session, not an error', async () => {
    const client = app.testClient();
    await client.get('/set/eve');
    const value = client.getCookie('session')?.value as string;
    client.setCookie(
      'session',
      value.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    const res = await client.get('/get');
    expect(res.status).toBe(200);
    expect(res.text).toBe('nobody');
  });

  it('sessionTransaction edits the session the next request sees', async () => {
    const client = app.testClient();
    await client.sessionTransaction((s: Session) => {
      s.set('user', 'from-transaction');
    });
    expect((await client.get('/get')).text).toBe('from-transaction');
    const seen = await client.sessionTransaction((s: Session) => s.get('user'));
    expect(seen).toBe('from-transaction');
  });

  it('flashes show once on the next request', async () => {
    const client = app.testClient();
    await client.get('/flash');
    const first = await client.get('/messages');
    expect(first.json).toEqual({
      messages: [
        ['message', 'Saved.'],
        ['error', 'Disk full'],
      ],
    });
    const second = await client.get('/messages');
    expect(second.json).toEqual({ messages: [] });
  });

  it('templates see the session (both indexings, Markup stays safe) and the flashes', async () => {
    const client = app.testClient();
    await client.get('/set/ann');
    await client.get('/html');
    await client.get('/flash');
    const page = await client.get('/page');
    expect(page.text).toBe(
      'ann|ann|<b>vip</b>|&lt;i&gt;plain&lt;/i&gt;|message=Saved.;error=Disk full;|d1|1',
    );
  });

  it('without SECRET_KEY a session write is a 500 with the clear error (propagated in testing)', async () => {
    const bare = new Phial(null, { rootPath: root });
    bare.config.TESTING = true;
    bare.get('/w', () => {
      session.set('a', 1);
      return 'x';
    });
    bare.get('/r', () => String(session.get('a') ?? 'empty'));
    await expect(bare.testClient().get('/w')).rejects.toThrow(/no secret key was set/);
    expect((await bare.testClient().get('/r')).text).toBe('empty');
  });

  it('serves the static folder', async () => {
    const client = app.testClient();
    const res = await client.get('/static/hello.txt');
    expect(res.status).toBe(200);
    expect(res.text).toBe(hello);
    expect(res.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('Content-Length')).toBe('380');
    expect(res.headers.get('Cache-Control')).toBe('no-cache');
    const css = await client.get('/static/css/site.css');
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/static/../secret.txt',
    '/static/%2e%2e/secret.txt',
    '/static/..%2fsecret.txt',
    '/static/%2e%2e%2fsecret.txt',
    '/static/..%5csecret.txt',
    '/static/.env',
    '/static/%2eenv',
    '/static/css',
    '/static/nope.txt',
    '/static/NUL',
    '/static/con.txt',
    '/static/a%00b',
    '/files/..%2fsecret.txt',
    '/files/%2e%2e/secret.txt',
  ])('%s → 404', async (path) => {
    const res = await app.testClient().get(path);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('top secret');
  });

  it('answers ranges, conditional requests and HEAD on the static route', async () => {
    const client = app.testClient();
    const full = await client.get('/static/hello.txt');
    const etag = full.headers.get('ETag') as string;
    expect(etag).toBeTruthy();
    const ranged = await client.get('/static/hello.txt', { headers: { Range: 'bytes=6-9' } });
    expect(ranged.status).toBe(206);
    expect(ranged.text).toBe('from');
    expect(ranged.headers.get('Content-Range')).toBe('bytes 6-9/380');
    const bad = await client.get('/static/hello.txt', { headers: { Range: 'bytes=999-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('Content-Range')).toBe('bytes */380');
    const cached = await client.get('/static/hello.txt', { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
    const since = await client.get('/static/hello.txt', {
      headers: { 'If-Modified-Since': full.headers.get('Last-Modified') as string },
    });
    expect(since.status).toBe(304);
    const head = await client.head('/static/hello.txt');
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Length')).toBe('380');
    expect(head.text).toBe('');
  });

  it('serves a blueprint static folder, with the same path checks', async () => {
    const a = makeApp();
    const bp = new Blueprint('admin', join(root, 'admin'), { staticFolder: 'assets', urlPrefix: '/admin' });
    a.registerBlueprint(bp);
    const client = a.testClient();
    const res = await client.get('/admin/assets/admin.js');
    expect(res.status).toBe(200);
    expect(res.text).toBe('let admin = 1;');
    expect(res.headers.get('Content-Type')).toMatch(/javascript/);
    expect((await client.get('/admin/assets/..%2f..%2fsecret.txt')).status).toBe(404);
    expect((await client.get('/admin/assets/%2e%2e/%2e%2e/secret.txt')).status).toBe(404);
    expect(await a.testRequestContext(() => a.urlFor('admin.static', { filename: 'admin.js' }))).toBe(
      '/admin/assets/admin.js',
    );
  });

  it('honours SEND_FILE_MAX_AGE_DEFAULT on the static route', async () => {
    const a = makeApp();
    a.config.SEND_FILE_MAX_AGE_DEFAULT = 3600;
    const res = await a.testClient().get('/static/hello.txt');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(res.headers.get('Expires')).toBeTruthy();
  });

  it('sendFile from a view: attachment with an RFC 5987 name', async () => {
    const res = await app.testClient().get('/download');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Disposition')).toBe(
      "attachment; filename=grue.txt; filename*=UTF-8''gr%C3%BC%C3%9Fe.txt",
    );
    expect(res.text).toBe(hello);
  });
});

describe('through app.fetch (Fetch API adapter)', () => {
  it('streams static files, ranges and HEAD', async () => {
    const res = await app.fetch(new globalThis.Request('http://localhost/static/hello.txt'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('380');
    expect(await res.text()).toBe(hello);
    const ranged = await app.fetch(
      new globalThis.Request('http://localhost/static/hello.txt', { headers: { Range: 'bytes=0-3' } }),
    );
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('Hell');
    const head = await app.fetch(
      new globalThis.Request('http://localhost/static/hello.txt', { method: 'HEAD' }),
    );
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('keeps a session with the cookie header', async () => {
    const set = await app.fetch(new globalThis.Request('http://localhost/set/fay'));
    const cookie = (set.headers.getSetCookie()[0] as string).split(';')[0] as string;
    const got = await app.fetch(
      new globalThis.Request('http://localhost/get', { headers: { Cookie: cookie } }),
    );
    expect(await got.text()).toBe('fay');
  });
});

function rawGet(server: Server, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const { port } = server.address() as AddressInfo;
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('through a real socket', () => {
  let server: Server;

  beforeAll(async () => {
    server = (await app.listen(0, '127.0.0.1')) as Server;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('streams a static file with Content-Length', async () => {
    const res = await rawGet(server, '/static/hello.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('380');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.body).toBe(hello);
  });

  it('ranges, 304 and HEAD', async () => {
    const ranged = await rawGet(server, '/static/hello.txt', { Range: 'bytes=-5' });
    expect(ranged.status).toBe(206);
    expect(ranged.body).toBe(hello.slice(-5));
    const full = await rawGet(server, '/static/hello.txt');
    const etag = full.headers.etag as string;
    expect((await rawGet(server, '/static/hello.txt', { 'If-None-Match': etag })).status).toBe(304);
    const head = await rawGet(server, '/static/hello.txt', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('380');
    expect(head.body).toBe('');
  });

  it.each([
    '/static/../secret.txt',
    '/static/%2e%2e/secret.txt',
    '/static/..%2fsecret.txt',
    '/static/..%5csecret.txt',
    '/static/.env',
  ])('raw path %s → 404', async (path) => {
    const res = await rawGet(server, path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('top secret');
  });

  it('keeps a session with a real cookie', async () => {
    const set = await rawGet(server, '/set/zoe');
    const cookie = (set.headers['set-cookie'] as string[])[0]?.split(';')[0] as string;
    expect(cookie.startsWith('session=')).toBe(true);
    const got = await rawGet(server, '/get', { Cookie: cookie });
    expect(got.body).toBe('zoe');
    expect(got.headers.vary).toContain('Cookie');
  });
});
