/**
 * The same precompiled templates served by Phial in Node (`app.jinjaLoader`), through `app.fetch` and the
 * test client; a template the module lacks is a TemplateNotFound.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModuleLoader, type PrecompiledModule, TemplateNotFound } from '@phial/jinja';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { compileTemplateFolder } from '../../src/cli/templates.js';
import { Phial, renderTemplate } from '../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let work = '';
let templates: PrecompiledModule;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'phial-precompiled-'));
  const out = path.join(work, 'templates.compiled.js');
  expect(compileTemplateFolder(path.join(here, 'app/templates'), out)).toEqual([
    'base.html',
    'index.html',
    'macros.html',
  ]);
  templates = (await import(pathToFileURL(out).href)) as PrecompiledModule;
  // the declarations TypeScript reads for `import * as templates from './templates.compiled.js'`
  const types = readFileSync(path.join(work, 'templates.compiled.d.ts'), 'utf8');
  expect(types).toContain("import type { PrecompiledModule, PrecompiledTemplate } from '@phial/jinja';");
  expect(types).toContain('export declare const templates: Readonly<Record<string, PrecompiledTemplate>>;');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function makeApp(): Phial {
  const app = new Phial('precompiled-node');
  app.config.SECRET_KEY = 'k';
  app.config.APP_LABEL = 'node';
  app.jinjaLoader = new ModuleLoader(templates);
  app.templateFilter('shout', (s: unknown) => `${String(s).toUpperCase()}!`);
  app.get('/', () => renderTemplate('index.html', { title: 'Home', user: 'Bo & Co', items: ['x'] }));
  app.get('/missing', () => {
    try {
      return renderTemplate('nope.html');
    } catch (e) {
      return `missing: ${e instanceof TemplateNotFound}`;
    }
  });
  return app;
}

describe('precompiled templates in Node', () => {
  it('render through app.fetch without compiling anything', async () => {
    const res = await makeApp().fetch(new Request('http://app.test/'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Home - Phial</title>');
    expect(html).toContain('<h1>Hello Bo &amp; Co</h1>');
    expect(html).toContain('<li>1. X!</li>');
    expect(html).toContain('<span class="badge-info">node</span>');
  });

  it('report templates the module does not have', async () => {
    const res = await makeApp().testClient().get('/missing');
    expect(res.text).toBe('missing: true');
  });

  it('phial templates compile fails clearly on a syntax error or a missing folder', async () => {
    const bad = path.join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'page.html'), 'ok\n{% if %}\n');
    const run = async (folder: string) => {
      let out = '';
      const io = {
        out: (s: string) => {
          out += s;
        },
        err: (s: string) => {
          out += s;
        },
      };
      const code = await runCli(['templates', 'compile', folder, '-o', path.join(work, 'x.js')], {
        io,
        loadDotenv: false,
        reexec: null,
      });
      return { code, first: out.split('\n')[0] };
    };
    expect(await run(bad)).toEqual({
      code: 1,
      first: "Error: Expected an expression, got end of statement block (template 'page.html', line 2)",
    });
    const missing = path.join(work, 'nope');
    expect(await run(missing)).toEqual({ code: 1, first: `Error: no template folder at ${missing}` });
  });
});
