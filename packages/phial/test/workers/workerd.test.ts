/**
 * A Phial app on Cloudflare's runtime: `phial templates compile` precompiles the app's templates, esbuild
 * bundles the app, and real workerd (through Miniflare) serves it with `nodejs_compat`. workerd forbids
 * `eval`/`new Function`, so a rendered page proves the precompiled templates need no code generation
 * (the `/codegen` route shows the ban is in force). JSON and a signed-cookie session go through the same
 * `app.fetch`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '../../..');
let mf: Miniflare | null = null;
let work = '';
let cliOut = '';

/** The cookie pairs a response sets, as a Cookie header. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'phial-workerd-'));
  const compiled = path.join(work, 'templates.compiled.js');
  const code = await runCli(['templates', 'compile', path.join(here, 'app/templates'), '-o', compiled], {
    io: {
      out: (s: string) => {
        cliOut += s;
      },
      err: (s: string) => {
        cliOut += s;
      },
    },
    loadDotenv: false,
    reexec: null,
  });
  expect(code).toBe(0);
  const bundle = await esbuild.build({
    entryPoints: [path.join(here, 'app/worker-app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // dynamic imports (dev server, CLI) become chunks the worker never loads
    splitting: true,
    outdir: path.join(work, 'out'),
    write: false,
    mainFields: ['module', 'main'],
    alias: {
      phial: path.join(packages, 'phial/src/index.ts'),
      '@phial/jinja': path.join(packages, 'jinja/src/index.ts'),
      'virtual:compiled-templates': compiled,
    },
    // only node's built-ins, as wrangler with nodejs_compat: everything Phial reaches must bundle and load
    external: ['node:*'],
    logLevel: 'silent',
  });
  const modules = bundle.outputFiles.map((f) => ({
    type: 'ESModule' as const,
    path: path.relative(path.join(work, 'out'), f.path),
    contents: f.text,
  }));
  modules.sort((a, b) => (a.path === 'worker-app.js' ? -1 : b.path === 'worker-app.js' ? 1 : 0));
  mf = new Miniflare({
    modules,
    modulesRoot: '/',
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
  });
  await mf.ready;
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a Phial app under workerd', () => {
  it('compiles the template folder with the CLI', () => {
    expect(cliOut).toContain('Compiled 3 templates');
  });

  it('runs where code generation is forbidden', async () => {
    const res = await mf!.dispatchFetch('http://app.test/codegen');
    expect(await res.text()).toBe('blocked: EvalError');
  });

  it('renders a precompiled template (inheritance, macros, an app filter, autoescape, session)', async () => {
    const res = await mf!.dispatchFetch('http://app.test/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>Home - Phial</title>');
    expect(html).toContain('<h1>Hello &lt;Ann&gt;</h1>');
    expect(html).toContain('<li>1. TEA!</li><li>2. CAKE!</li>');
    expect(html).toContain('<span class="badge-info">on workerd</span>');
    expect(html).toContain('<p>visits: 1</p>');
    const again = await mf!.dispatchFetch('http://app.test/', { headers: { cookie: cookiesOf(res) } });
    expect(await again.text()).toContain('<p>visits: 2</p>');
  });

  it('serves JSON', async () => {
    const res = await mf!.dispatchFetch('http://app.test/api/items');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ items: [1, 2, 3], runtime: 'workerd' });
  });

  it('keeps a signed session across requests', async () => {
    const login = await mf!.dispatchFetch('http://app.test/login', { method: 'POST' });
    expect(login.status).toBe(200);
    const cookie = cookiesOf(login);
    expect(cookie).toMatch(/^session=/);
    const me = await mf!.dispatchFetch('http://app.test/me', { headers: { cookie } });
    expect(await me.json()).toEqual({ user: 'ann' });
    const anon = await mf!.dispatchFetch('http://app.test/me');
    expect(await anon.json()).toEqual({ user: null });
    const forged = await mf!.dispatchFetch('http://app.test/me', {
      headers: { cookie: cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
    });
    expect(await forged.json()).toEqual({ user: null });
  });

  it('writes a plain ES module (no eval, no Function)', () => {
    const src = readFileSync(path.join(work, 'templates.compiled.js'), 'utf8');
    expect(src).toMatch(/^export const templates = \{$/m);
    expect(src).not.toMatch(/new Function|\beval\(/);
  });
});
