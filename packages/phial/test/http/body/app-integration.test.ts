/** The body layer through a real app and socket: forms, files, JSON, limits, class-based views. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Phial } from '../../../src/app/phial.js';
import { MethodView } from '../../../src/app/views.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Phial(process.cwd());
  app.config.MAX_CONTENT_LENGTH = 10_000;
  app.config.MAX_FORM_MEMORY_SIZE = 100;
  app.config.MAX_FORM_PARTS = 5;
  app.post('/form', (req) => ({
    form: req.form.toObject({ flat: false }),
    files: [...req.files.items(true)].map(([k, f]) => [k, f.filename, f.mimetype, f.text()]),
  }));
  app.post('/json', (req) => ({ got: req.json }));
  class Items extends MethodView {
    get() {
      return 'list';
    }
    post() {
      return 'created';
    }
  }
  app.addUrlRule('/items', { view: Items.asView('items') });
  server = await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('request bodies through the app', () => {
  it('multipart fields and files', async () => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('a', '2');
    fd.append('f', new Blob(['hello'], { type: 'text/plain' }), 'h.txt');
    const r = await fetch(`${base}/form`, { method: 'POST', body: fd });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      files: [['f', 'h.txt', 'text/plain', 'hello']],
      form: { a: ['1', '2'] },
    });
  });

  it('urlencoded forms', async () => {
    const r = await fetch(`${base}/form`, {
      method: 'POST',
      body: 'x=1&y=%zz&a[b]=c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await r.json()).toEqual({ files: [], form: { x: ['1'], y: ['%zz'], 'a[b]': ['c'] } });
  });

  it('JSON, bad JSON, too large', async () => {
    const post = (body: string) =>
      fetch(`${base}/json`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const ok = await post('{"b":1,"a":"é"}');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{"got":{"a":"\\u00e9","b":1}}\n');
    expect((await post('{bad')).status).toBe(400);
    expect((await post('x'.repeat(20_000))).status).toBe(413);
  });

  it('form limits answer 413', async () => {
    const big = new FormData();
    big.append('a', 'x'.repeat(101));
    expect((await fetch(`${base}/form`, { method: 'POST', body: big })).status).toBe(413);
    const many = new FormData();
    for (let i = 0; i < 6; i++) many.append(`f${i}`, 'v');
    expect((await fetch(`${base}/form`, { method: 'POST', body: many })).status).toBe(413);
    const broken = await fetch(`${base}/form`, {
      method: 'POST',
      body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
    });
    expect(broken.status).toBe(400);
  });

  it('MethodView dispatch, 405 with Allow', async () => {
    expect(await (await fetch(`${base}/items`)).text()).toBe('list');
    expect(await (await fetch(`${base}/items`, { method: 'POST' })).text()).toBe('created');
    const put = await fetch(`${base}/items`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
  });
});
