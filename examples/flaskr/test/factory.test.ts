import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { getDb, Store } from '../src/db.js';

describe('createApp', () => {
  it('is not testing unless the test config says so', () => {
    expect(createApp().testing).toBe(false);
    expect(createApp({ TESTING: true }).testing).toBe(true);
  });

  it('keeps the test config over the defaults', () => {
    const app = createApp({ SECRET_KEY: 'other' });
    expect(app.config.SECRET_KEY).toBe('other');
    expect(createApp().config.SECRET_KEY).toBe('dev');
  });

  it('says hello', async () => {
    const res = await createApp().testClient().get('/hello');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello, World!');
  });

  it('serves the stylesheet', async () => {
    const res = await createApp().testClient().get('/static/style.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.text).toContain('.flash');
  });
});

describe('getDb', () => {
  it('returns the same store within an app, another for another app', async () => {
    const app = createApp({ TESTING: true });
    const [a, b] = await app.appContext(() => [getDb(), getDb()]);
    expect(a).toBeInstanceOf(Store);
    expect(a).toBe(b);
    const other = await createApp({ TESTING: true }).appContext(() => getDb());
    expect(other).not.toBe(a);
  });

  it('needs an app context', () => {
    expect(() => getDb()).toThrow(/Working outside of application context/);
  });
});

describe('instance config', () => {
  it('is read from the instance folder beside the sources', () => {
    const app = createApp();
    expect(app.name).toBe('flaskr');
    expect(app.instancePath).toMatch(/examples[\\/]flaskr[\\/]instance$/);
    expect(app.config.rootPath).toBe(app.instancePath);
  });
});
