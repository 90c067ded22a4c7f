import { describe, expect, it } from 'vitest';
import { Blueprint, makeResponse, NotFound, Phial, request, urlFor } from '../../src/index.js';

function makeApp(): Phial {
  return new Phial(import.meta.url, { staticFolder: null });
}

describe('blueprints', () => {
  it('prefixes rules and names endpoints bp.view', async () => {
    const app = makeApp();
    const bp = new Blueprint('admin', import.meta.url, { urlPrefix: '/admin' });
    bp.get('/', function index() {
      return `admin index ${request.blueprint} ${request.endpoint}`;
    });
    bp.get('/users/<int:id>', function user(req) {
      return `${urlFor('.index')} ${urlFor('admin.user', { id: req.params.id })}`;
    });
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.get('/admin/')).text).toBe('admin index admin admin.index');
    expect((await c.get('/admin/users/3')).text).toBe('/admin/ /admin/users/3');
    expect(Object.keys(app.blueprints)).toEqual(['admin']);
  });

  it('hooks and error handlers of a blueprint apply only to its requests; app ones to all', async () => {
    const app = makeApp();
    const calls: string[] = [];
    const bp = new Blueprint('bp', import.meta.url);
    bp.beforeRequest(() => {
      calls.push('bp before');
    });
    bp.afterRequest((res) => {
      calls.push('bp after');
      return res;
    });
    bp.beforeAppRequest(() => {
      calls.push('app-wide before');
    });
    bp.errorHandler(NotFound, () => makeResponse('bp 404', 404));
    bp.get('/bp', function view() {
      throw new NotFound();
    });
    app.beforeRequest(() => {
      calls.push('app before');
    });
    app.get('/plain', () => 'plain');
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.get('/bp')).text).toBe('bp 404');
    expect(calls).toEqual(['app before', 'app-wide before', 'bp before', 'bp after']);
    calls.length = 0;
    const r = await c.get('/plain');
    expect(r.text).toBe('plain');
    expect(calls).toEqual(['app before', 'app-wide before']);
    expect((await c.get('/nope')).text).toContain('<title>404 Not Found</title>');
  });

  it('appErrorHandler handles errors app-wide', async () => {
    const app = makeApp();
    const bp = new Blueprint('errors', import.meta.url);
    bp.appErrorHandler(404, () => makeResponse('everywhere 404', 404));
    app.registerBlueprint(bp);
    expect((await app.testClient().get('/zz')).text).toBe('everywhere 404');
  });

  it('nested blueprints join prefixes and names', async () => {
    const app = makeApp();
    const parent = new Blueprint('parent', import.meta.url, { urlPrefix: '/parent' });
    const child = new Blueprint('child', import.meta.url, { urlPrefix: '/child' });
    const calls: string[] = [];
    parent.beforeRequest(() => {
      calls.push('parent');
    });
    child.beforeRequest(() => {
      calls.push('child');
    });
    child.get('/', function index() {
      return `${request.blueprint} ${request.endpoint} ${request.blueprints.join(',')} ${urlFor('.index')}`;
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    const r = await app.testClient().get('/parent/child/');
    expect(r.text).toBe('parent.child parent.child.index parent.child,parent /parent/child/');
    expect(calls).toEqual(['parent', 'child']);
  });

  it('registering twice needs a different name; the name option renames endpoints', async () => {
    const app = makeApp();
    const bp = new Blueprint('bp', import.meta.url);
    bp.get('/', function index() {
      return request.endpoint ?? '';
    });
    app.registerBlueprint(bp, { urlPrefix: '/a' });
    expect(() => app.registerBlueprint(bp, { urlPrefix: '/b' })).toThrow(
      /already registered for this blueprint/,
    );
    app.registerBlueprint(bp, { urlPrefix: '/b', name: 'alt' });
    const c = app.testClient();
    expect((await c.get('/a/')).text).toBe('bp.index');
    expect((await c.get('/b/')).text).toBe('alt.index');
    const other = new Blueprint('bp', import.meta.url);
    expect(() => app.registerBlueprint(other)).toThrow(/a different blueprint/);
  });

  it('dots are refused in names and endpoints; setup after registration is refused', () => {
    expect(() => new Blueprint('a.b', import.meta.url)).toThrow(/dot/);
    const bp = new Blueprint('bp', import.meta.url);
    expect(() => bp.route('/', { endpoint: 'x.y' }, () => 'x')).toThrow(/dot/);
    const app = makeApp();
    app.registerBlueprint(bp);
    expect(() => bp.beforeRequest(() => undefined)).toThrow(/can no longer be called/);
  });

  it('subdomain and urlDefaults options', async () => {
    const app = makeApp();
    app.config.SERVER_NAME = 'example.com';
    app.subdomainMatching = true;
    const bp = new Blueprint('api', import.meta.url, { subdomain: 'api', urlDefaults: { version: 'v1' } });
    bp.get('/status', function status(req) {
      return `api ${String(req.params.version)}`;
    });
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.get('http://api.example.com/status')).text).toBe('api v1');
    expect((await c.get('http://example.com/status')).status).toBe(404);
  });

  it('template registries: blueprint filters go to the app, context processors by scope', () => {
    const app = makeApp();
    const bp = new Blueprint('bp', import.meta.url);
    bp.templateFilter('shout', (s: string) => s.toUpperCase());
    bp.contextProcessor(() => ({ a: 1 }));
    bp.appContextProcessor(() => ({ b: 2 }));
    app.templateGlobal('answer', 42);
    app.registerBlueprint(bp);
    expect(app.templateFilters.get('shout')?.('x' as never)).toBe('X');
    expect(app.templateGlobals.get('answer')).toBe(42);
    expect(app.contextProcessors.get('bp')).toHaveLength(1);
    expect(app.contextProcessors.get(null)).toHaveLength(1);
  });

  it('unnamed views on the same rule with different methods coexist', async () => {
    const app = makeApp();
    const bp = new Blueprint('items', import.meta.url, { urlPrefix: '/items' });
    bp.get('/', () => 'list');
    bp.post('/', () => 'create');
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.get('/items/')).text).toBe('list');
    expect((await c.post('/items/')).text).toBe('create');
  });
});

describe('flaskr pattern', () => {
  it("app.addUrlRule('/', { endpoint: 'index' }) next to a blueprint's '/' view", async () => {
    const app = makeApp();
    const blog = new Blueprint('blog', import.meta.url);
    blog.get('/', function index() {
      return `blog index, home is ${urlFor('index')}`;
    });
    app.registerBlueprint(blog);
    app.addUrlRule('/', { endpoint: 'index' });
    const r = await app.testClient().get('/');
    expect(r.status).toBe(200);
    expect(r.text).toBe('blog index, home is /');
  });
});
