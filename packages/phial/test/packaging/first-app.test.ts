/**
 * The README's "Your first app", as a user does it: `phial` and `@phial/jinja` packed by npm exactly as they
 * would be published, installed into a new project next to `tsx`, an app in TypeScript that type-checks
 * against the published declarations, started both ways the README shows (`npx tsx app.ts` with `app.run`,
 * and the `phial` command). The workspace's own tests import the sources; only this one sees what a user's
 * `node_modules` holds (the bundle, the vendored Swagger UI and ReDoc files, the `phial` bin).
 *
 * Needs the build (`npm test` builds first). The dependencies come from npm's cache, which the workspace's
 * own `npm install` filled (`--prefer-offline`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test-support/ports.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const APP = `import { Phial, renderTemplate, request, session } from 'phial';
import { OpenAPI } from 'phial/openapi';
import { z } from 'zod';

export const app = new Phial(import.meta.url);
app.config.SECRET_KEY = 'dev';

const Book = z.object({ title: z.string().min(1), year: z.number().int() });

app.route('/', () => 'Hello, World!');
app.get('/hello', function hello() {
  return renderTemplate('hello.html', { name: request.args.get('name') ?? 'world' });
});
app.get('/count', function count() {
  const n = ((session.get('count') as number | undefined) ?? 0) + 1;
  session.set('count', n);
  return { count: n };
});
app.post('/books', { body: Book, response: Book, statusCode: 201 }, function books(req) {
  const title: string = req.body.title;
  return { ...req.body, title };
});
new OpenAPI(app, { title: 'Books', version: '1.0.0' });

if (process.env.START) app.run({ port: Number(process.env.PORT), debug: true });
`;

const TEMPLATE = `{% extends "base.html" %}{% block body %}<h1>Hello {{ name|title }}</h1><a href="{{ url_for('count') }}">count</a>{% endblock %}`;
const BASE = `<!doctype html><title>{% block title %}App{% endblock %}</title>{% block body %}{% endblock %}`;

let dir = '';
const children: ChildProcess[] = [];

beforeAll(() => {
  for (const p of ['phial', 'jinja']) {
    if (!existsSync(path.join(repo, 'packages', p, 'dist/bundle/index.js'))) {
      throw new Error(`packages/${p} is not built: run \`npm run build\` (npm test does) before this test.`);
    }
  }
  dir = mkdtempSync(path.join(tmpdir(), 'phial-first-app-'));
  const packs = path.join(dir, 'packs');
  mkdirSync(packs);
  const packed = run(
    npm,
    ['pack', '--ignore-scripts', '-w', 'packages/jinja', '-w', 'packages/phial', '--pack-destination', packs],
    repo,
  );
  expect(packed.status, packed.out).toBe(0);
  const project = path.join(dir, 'hello');
  mkdirSync(path.join(project, 'templates'), { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "hello", "private": true, "type": "module" }\n',
  );
  writeFileSync(path.join(project, 'app.ts'), APP);
  writeFileSync(path.join(project, 'templates/hello.html'), TEMPLATE);
  writeFileSync(path.join(project, 'templates/base.html'), BASE);
  // the strict consumer settings check:packages also type-checks the published declarations with
  const consumer = JSON.parse(readFileSync(path.join(repo, 'test-support/consumer-tsconfig.json'), 'utf8'));
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ ...consumer, files: ['app.ts'] }));
  // the versions the workspace uses, so npm's cache has them
  const version = (name: string) =>
    JSON.parse(readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')).version as string;
  const installed = run(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(packs, 'phial-jinja-0.1.0.tgz'),
      path.join(packs, 'phial-0.1.0.tgz'),
      `tsx@${version('tsx')}`,
      `zod@${version('zod')}`,
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node')}`,
    ],
    project,
  );
  expect(installed.status, installed.out).toBe(0);
}, 240_000);

afterAll(() => {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(-c.pid, 'SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const project = () => path.join(dir, 'hello');

/** Starts `cmd` in its own process group (the reloader has a child) and waits until the port answers. */
async function start(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(cmd, args, {
    cwd: project(),
    env: { ...process.env, ...env, NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log}`);
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`did not start:\n${log}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

describe('the README first app, from the packed tarballs', () => {
  it('installs no dependency that runs an install script, except esbuild (through tsx)', () => {
    const withScripts: string[] = [];
    const walk = (nm: string) => {
      if (!existsSync(nm)) return;
      for (const name of readdirSync(nm)) {
        if (name.startsWith('.')) continue;
        if (name.startsWith('@')) {
          walk(path.join(nm, name));
          continue;
        }
        const pkgFile = path.join(nm, name, 'package.json');
        if (!existsSync(pkgFile)) continue;
        const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
          name: string;
          scripts?: Record<string, string>;
        };
        const s = pkg.scripts ?? {};
        if (s.preinstall || s.install || s.postinstall) withScripts.push(pkg.name);
        walk(path.join(nm, name, 'node_modules'));
      }
    };
    walk(path.join(project(), 'node_modules'));
    expect(withScripts.filter((n) => n !== 'esbuild')).toEqual([]);
    expect(existsSync(path.join(project(), 'node_modules/@scarf'))).toBe(false);
  });

  it('type-checks against the published declarations', () => {
    const tsc = run(
      process.execPath,
      [path.join(project(), 'node_modules/typescript/bin/tsc'), '-p', '.'],
      project(),
    );
    expect(tsc.out).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('`phial routes` lists the app', () => {
    const routes = run(
      path.join(project(), 'node_modules/.bin/phial'),
      ['--app', 'app.ts', 'routes'],
      project(),
    );
    expect(routes.status, routes.out).toBe(0);
    for (const line of ['hello', 'count', 'books', 'openapi_swagger', 'static'])
      expect(routes.out).toContain(line);
  });

  it('`npx tsx app.ts` serves it with debug on: pages, templates, sessions, validation, the docs files', async () => {
    const port = await freePort();
    const child = await start(
      path.join(project(), 'node_modules/.bin/tsx'),
      ['app.ts'],
      { START: '1', PORT: String(port) },
      port,
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/`)).text()).toBe('Hello, World!');
      const page = await fetch(`${base}/hello?name=ada%20lovelace`);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toBe(
        '<!doctype html><title>App</title><h1>Hello Ada Lovelace</h1><a href="/count">count</a>',
      );
      const first = await fetch(`${base}/count`);
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^session=/);
      expect(await first.json()).toEqual({ count: 1 });
      expect(await (await fetch(`${base}/count`, { headers: { cookie } })).json()).toEqual({ count: 2 });
      const bad = await fetch(`${base}/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: '', year: 1.5 }),
      });
      expect(bad.status).toBe(422);
      expect(((await bad.json()) as { detail: { loc: string[] }[] }).detail.map((d) => d.loc)).toEqual([
        ['body', 'title'],
        ['body', 'year'],
      ]);
      const vendor = path.join(project(), 'node_modules/phial/vendor');
      for (const [url, file] of [
        ['/docs/swagger-ui-bundle.js', 'swagger-ui/swagger-ui-bundle.js'],
        ['/docs/swagger-ui.css', 'swagger-ui/swagger-ui.css'],
        ['/redoc/redoc.standalone.js', 'redoc/redoc.standalone.js'],
      ] as const) {
        const res = await fetch(`${base}${url}`);
        expect(res.status, url).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(vendor, file))), url).toBe(
          true,
        );
      }
      expect(await (await fetch(`${base}/docs`)).text()).toContain('swagger-ui-bundle.js');
    } finally {
      await stop(child);
    }
  }, 60_000);

  it('`phial run` serves it too', async () => {
    const port = await freePort();
    const child = await start(
      path.join(project(), 'node_modules/.bin/phial'),
      ['--app', 'app.ts', 'run', '--port', String(port)],
      {},
      port,
    );
    try {
      const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { info: { title: string }; paths: Record<string, unknown> };
      expect(doc.info.title).toBe('Books');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/', '/hello', '/count', '/books']));
    } finally {
      await stop(child);
    }
  }, 60_000);
});
