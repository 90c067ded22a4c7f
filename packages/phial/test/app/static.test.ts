import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Blueprint, Phial, urlFor } from '../../src/index.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempRoot(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function project(): string {
  const root = tempRoot('phial-static-');
  mkdirSync(path.join(root, 'static'));
  writeFileSync(path.join(root, 'static', 'style.css'), 'body { color: red }');
  mkdirSync(path.join(root, 'admin_static'));
  writeFileSync(path.join(root, 'admin_static', 'admin.js'), 'console.log(1)');
  return root;
}

describe('static files', () => {
  it('the app serves <root>/static under /static (endpoint static)', async () => {
    const root = project();
    const app = new Phial(root);
    app.get('/', () => urlFor('static', { filename: 'style.css' }));
    const c = app.testClient();
    expect((await c.get('/')).text).toBe('/static/style.css');
    const r = await c.get('/static/style.css');
    expect(r.status).toBe(200);
    expect(r.text).toBe('body { color: red }');
    expect(r.mimetype).toBe('text/css');
    expect((await c.get('/static/missing.css')).status).toBe(404);
    expect((await c.get('/static/../secret')).status).toBe(404);
  });

  it('a static route even before the folder exists (as in Flask); custom staticUrlPath', async () => {
    const root = tempRoot('phial-nostatic-');
    const app = new Phial(root);
    expect(app.urlMap.rules().some((r) => r.endpoint === 'static')).toBe(true);
    expect((await app.testClient().get('/static/style.css')).status).toBe(404);
    const app2 = new Phial(project(), { staticUrlPath: '/assets' });
    expect((await app2.testClient().get('/assets/style.css')).status).toBe(200);
  });

  it('a blueprint with a staticFolder gets bp.static under its prefix', async () => {
    const root = project();
    const app = new Phial(root, { staticFolder: null });
    const bp = new Blueprint('admin', root, {
      urlPrefix: '/admin',
      staticFolder: 'admin_static',
      staticUrlPath: '/static',
    });
    bp.get('/', function index() {
      return urlFor('.static', { filename: 'admin.js' });
    });
    app.registerBlueprint(bp);
    const c = app.testClient();
    expect((await c.get('/admin/')).text).toBe('/admin/static/admin.js');
    expect((await c.get('/admin/static/admin.js')).text).toBe('console.log(1)');
  });
});
