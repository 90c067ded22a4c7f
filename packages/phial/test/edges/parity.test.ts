/** Flask parity: the static endpoint without the folder, SESSION_COOKIE_DOMAIN. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Blueprint, Phial, session, urlFor } from '../../src/index.js';
import { exchange, parseResponses, start, stopAll } from './helpers.js';

afterEach(stopAll);

function tempRoot(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'phial-edges-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('the static endpoint', () => {
  it('exists when a static folder is configured, even if the folder does not exist yet', async () => {
    const { dir, cleanup } = tempRoot();
    try {
      const app = new Phial(dir);
      app.get('/', () => urlFor('static', { filename: 'app.css' }));
      expect(app.urlMap.rules().some((r) => r.endpoint === 'static')).toBe(true);
      const client = app.testClient();
      expect((await client.get('/')).text).toBe('/static/app.css');
      expect((await client.get('/static/app.css')).status).toBe(404);
      // created after start-up: served
      mkdirSync(path.join(dir, 'static'));
      writeFileSync(path.join(dir, 'static', 'app.css'), 'body{}');
      const r = await client.get('/static/app.css');
      expect(r.status).toBe(200);
      expect(r.text).toBe('body{}');
    } finally {
      cleanup();
    }
  });

  it('a missing file of a missing folder is a 404 over a real socket', async () => {
    const { dir, cleanup } = tempRoot();
    try {
      const app = new Phial(dir, { staticFolder: 'assets' });
      app.logger = { debug() {}, info() {}, warn() {}, error() {} };
      const port = await start(app, 'phial');
      const { text } = await exchange(port, [
        'GET /assets/x.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ]);
      expect(parseResponses(text).responses[0]?.status).toBe(404);
    } finally {
      cleanup();
    }
  });

  it('a blueprint with a static folder that does not exist has its static endpoint too', async () => {
    const { dir, cleanup } = tempRoot();
    try {
      const app = new Phial(dir, { staticFolder: null });
      const bp = new Blueprint('admin', dir, { staticFolder: 'admin-static', urlPrefix: '/admin' });
      app.registerBlueprint(bp);
      app.get('/', () => urlFor('admin.static', { filename: 'a.js' }));
      expect((await app.testClient().get('/')).text).toBe('/admin/admin-static/a.js');
    } finally {
      cleanup();
    }
  });

  it('staticFolder: null still means no static endpoint', () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    expect(app.urlMap.rules().some((r) => r.endpoint === 'static')).toBe(false);
  });
});

describe('SESSION_COOKIE_DOMAIN', () => {
  it('sets Domain on the session cookie, and deleting the session uses it too', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.config.SECRET_KEY = 'k';
    app.config.SESSION_COOKIE_DOMAIN = 'example.com';
    app.get('/set', () => {
      session.set('user', 'ann');
      return 'set';
    });
    app.get('/clear', () => {
      session.clear();
      return 'cleared';
    });
    const port = await start(app, 'phial');
    const set = await exchange(port, [
      'GET /set HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n',
    ]);
    const setCookie = parseResponses(set.text).responses[0]?.headers['set-cookie'] ?? '';
    expect(setCookie).toMatch(/^session=[^;]+; /);
    expect(setCookie).toMatch(/; Domain=example\.com(;|$)/i);
    const value = /^session=([^;]+)/.exec(setCookie)?.[1];
    const clear = await exchange(port, [
      `GET /clear HTTP/1.1\r\nHost: www.example.com\r\nCookie: session=${value}\r\nConnection: close\r\n\r\n`,
    ]);
    const del = parseResponses(clear.text).responses[0]?.headers['set-cookie'] ?? '';
    expect(del).toMatch(/^session=; /);
    expect(del).toMatch(/; Domain=example\.com(;|$)/i);
    expect(del).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it.each([
    // recorded with Flask 3.1: Werkzeug drops leading dots and the port, keeps underscores
    ['my_host.local', 'my_host.local'],
    ['.example.com', 'example.com'],
    ['example.com:5000', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
  ])('SESSION_COOKIE_DOMAIN %s gives Domain=%s, as Flask sends it', async (setting, sent) => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.config.SECRET_KEY = 'k';
    app.config.SESSION_COOKIE_DOMAIN = setting;
    app.get('/', () => {
      session.set('a', 1);
      return 'x';
    });
    const header = (await app.testClient().get('/')).headers.get('set-cookie') ?? '';
    expect(header).toContain(`; Domain=${sent};`);
  });
});
