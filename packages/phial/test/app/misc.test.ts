import { describe, expect, it } from 'vitest';
import { BadRequestKeyError, BuildError, type Extension, Phial, urlFor } from '../../src/index.js';

function makeApp(): Phial {
  const app = new Phial(import.meta.url, { staticFolder: null });
  app.logger = { debug() {}, info() {}, warn() {}, error() {} };
  return app;
}

describe('misc Flask behaviour', () => {
  it('urlBuildErrorHandlers may return a URL; otherwise BuildError', async () => {
    const app = makeApp();
    app.get('/', () => {
      try {
        urlFor('nowhere');
        return 'built';
      } catch (e) {
        return e instanceof BuildError ? 'build error' : 'other';
      }
    });
    const c = app.testClient();
    expect((await c.get('/')).text).toBe('build error');
    app.urlBuildErrorHandlers.push((_e, endpoint) => (endpoint === 'nowhere' ? '/fallback' : null));
    app.get('/2', () => urlFor('nowhere'));
    expect((await c.get('/2')).text).toBe('/fallback');
  });

  it('non-ASCII paths match and are decoded', async () => {
    const app = makeApp();
    app.get('/киртест', () => 'cyrillic');
    app.get('/p/<name>', (req) => req.params.name);
    const c = app.testClient();
    expect((await c.get('/киртест')).text).toBe('cyrillic');
    expect((await c.get(`/p/${encodeURIComponent('ünï code')}`)).text).toBe('ünï code');
  });

  it('sessionTransaction without SECRET_KEY is a clear error', async () => {
    const app = makeApp();
    await expect(app.testClient().sessionTransaction(() => undefined)).rejects.toThrow(
      /did not open a session/,
    );
  });

  it('TRAP_BAD_REQUEST_ERRORS turns BadRequestKeyError into a propagated error in debug', async () => {
    const app = makeApp();
    app.get('/', () => {
      throw new BadRequestKeyError('missing');
    });
    const c = app.testClient();
    expect((await c.get('/')).status).toBe(400);
    app.config.DEBUG = true;
    await expect(c.get('/')).rejects.toBeInstanceOf(BadRequestKeyError);
    app.config.DEBUG = false;
    app.config.TRAP_HTTP_EXCEPTIONS = true;
    app.config.PROPAGATE_EXCEPTIONS = false;
    expect((await c.get('/')).status).toBe(500);
  });

  it('extensions keep state in app.extensions', () => {
    const app = makeApp();
    class Counter implements Extension {
      initApp(a: Phial): void {
        a.extensions.counter = { count: 0 };
      }
    }
    const ext = app.use(new Counter());
    expect(ext).toBeInstanceOf(Counter);
    expect(app.extensions.counter).toEqual({ count: 0 });
  });

  it('app.dispatch resolves a raw request to a Response', async () => {
    const app = makeApp();
    app.get('/raw', (req) => `raw ${req.method} ${req.remoteAddr}`);
    const res = await app.dispatch({
      method: 'GET',
      url: '/raw',
      headers: { host: 'x' },
      socket: { remoteAddress: '1.2.3.4' },
      async *[Symbol.asyncIterator]() {},
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('raw GET 1.2.3.4');
  });

  it('the cli group collects app commands', () => {
    const app = makeApp();
    app.cli.command('init-db').description('Create tables');
    expect(app.cli.commands.map((c) => c.name())).toEqual(['init-db']);
  });
});

describe('root path and name', () => {
  it('comes from a module URL, a folder, or a bare name (cwd)', () => {
    const fromUrl = new Phial(import.meta.url, { staticFolder: null });
    expect(fromUrl.rootPath).toBe(new URL('.', import.meta.url).pathname.replace(/\/$/, ''));
    expect(fromUrl.name).toBe('misc.test');
    const bare = new Phial('my_app', { staticFolder: null });
    expect(bare.rootPath).toBe(process.cwd());
    expect(bare.name).toBe('my_app');
    expect(new Phial(undefined, { staticFolder: null }).rootPath).toBe(process.cwd());
  });
});
