import { describe, expect, it } from 'vitest';
import { Phial, Response, redirect } from '../../src/index.js';

function makeApp(): Phial {
  return new Phial(import.meta.url, { staticFolder: null });
}

describe('test client requests', () => {
  it('sends query, headers, json, form, data and files', async () => {
    const app = makeApp();
    app.route('/echo', { methods: ['GET', 'POST'] }, (req) => ({
      args: req.args.toObject({ flat: false }),
      header: req.headers.get('x-token'),
      json: req.isJson ? req.json : null,
      form: req.form.toObject({ flat: false }),
      data: new TextDecoder().decode(req.data),
      files: [...req.files.items(true)].map(([k, f]) => [k, f.filename, f.text(), f.mimetype]),
      contentType: req.mimetype,
    }));
    const c = app.testClient();
    const q = await c.get('/echo?a=1', { query: { a: '2', b: ['x', 'y'] }, headers: { 'X-Token': 't' } });
    expect(q.json).toMatchObject({ args: { a: ['1', '2'], b: ['x', 'y'] }, header: 't' });
    const j = await c.post('/echo', { json: { hello: ['world'] } });
    expect(j.json).toMatchObject({ json: { hello: ['world'] }, contentType: 'application/json' });
    const f = await c.post('/echo', { form: { name: 'ann', tags: ['a', 'b'] } });
    expect(f.json).toMatchObject({
      form: { name: ['ann'], tags: ['a', 'b'] },
      contentType: 'application/x-www-form-urlencoded',
    });
    const d = await c.post('/echo', { data: 'raw text', contentType: 'text/plain' });
    expect(d.json).toMatchObject({ data: 'raw text', contentType: 'text/plain' });
    const m = await c.post('/echo', {
      form: { title: 'doc' },
      files: { upload: new File(['file body'], 'a.txt', { type: 'text/plain' }) },
    });
    expect(m.json).toMatchObject({
      form: { title: ['doc'] },
      files: [['upload', 'a.txt', 'file body', 'text/plain']],
      contentType: 'multipart/form-data',
    });
  });

  it('result has status, statusText, fetch-style headers, text, json, data, request', async () => {
    const app = makeApp();
    app.get('/', () => ({ ok: true }));
    app.get('/html', () => '<p>x</p>');
    const c = app.testClient();
    const r = await c.get('/');
    expect(r.status).toBe(200);
    expect(r.statusText).toBe('OK');
    expect(r.headers).toBeInstanceOf(globalThis.Headers);
    expect(r.data).toBeInstanceOf(Uint8Array);
    expect(r.json).toEqual({ ok: true });
    expect(r.request.path).toBe('/');
    const h = await c.get('/html');
    expect(h.json).toBeUndefined();
  });

  it('keeps cookies: set by the app, sent back, deleted; getCookie/setCookie/deleteCookie', async () => {
    const app = makeApp();
    app.get('/set', () => new Response('set').setCookie('flavor', 'choc chip', { httpOnly: true }));
    app.get('/get', (req) => req.cookies.flavor ?? 'none');
    app.get('/del', () => new Response('del').deleteCookie('flavor'));
    const c = app.testClient();
    const s = await c.get('/set');
    expect(s.headers.getSetCookie()[0]).toMatch(
      /^flavor=choc%20chip; Path=\/; Expires=.*; HttpOnly$|^flavor=choc%20chip; Path=\/; HttpOnly$/,
    );
    expect(c.getCookie('flavor')).toMatchObject({
      name: 'flavor',
      value: 'choc chip',
      path: '/',
      domain: 'localhost',
    });
    expect((await c.get('/get')).text).toBe('choc chip');
    await c.get('/del');
    expect(c.getCookie('flavor')).toBeUndefined();
    expect((await c.get('/get')).text).toBe('none');
    c.setCookie('flavor', 'oat; raisin');
    expect((await c.get('/get')).text).toBe('oat; raisin');
    c.deleteCookie('flavor');
    expect((await c.get('/get')).text).toBe('none');
    const noJar = app.testClient({ useCookies: false });
    await noJar.get('/set');
    expect((await noJar.get('/get')).text).toBe('none');
  });

  it('follows redirects with history; 307 keeps the method, 302 turns POST into GET', async () => {
    const app = makeApp();
    app.route('/a', { methods: ['GET', 'POST'] }, () => redirect('/b'));
    app.route('/b', { methods: ['GET', 'POST'] }, () => redirect('/c', 307));
    app.route('/c', { methods: ['GET', 'POST'] }, (req) => `end ${req.method}`);
    app.get('/loop', () => redirect('/loop'));
    const c = app.testClient();
    const r = await c.post('/a', { followRedirects: true, form: { x: '1' } });
    expect(r.text).toBe('end GET');
    expect(r.history.map((h) => h.status)).toEqual([302, 307]);
    expect(r.request.path).toBe('/c');
    const r2 = await c.post('/b', { followRedirects: true });
    expect(r2.text).toBe('end POST');
    const noFollow = await c.get('/a');
    expect(noFollow.status).toBe(302);
    expect(noFollow.history).toEqual([]);
    await expect(c.get('/loop', { followRedirects: true })).rejects.toThrow(/Loop detected/);
  });

  it('uses SERVER_NAME as host and absolute URLs pick host and scheme', async () => {
    const app = makeApp();
    app.get('/', (req) => `${req.scheme} ${req.host} ${req.url}`);
    const c = app.testClient();
    expect((await c.get('https://example.org:8443/?q=1')).text).toBe(
      'https example.org:8443 https://example.org:8443/?q=1',
    );
    app.config.SERVER_NAME = 'srv.test';
    expect((await c.get('/')).text).toBe('http srv.test http://srv.test/');
  });
});
