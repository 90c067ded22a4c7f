/**
 * Ahead-of-time compilation: `compileTemplates` writes a plain ES module, `ModuleLoader` serves it, and
 * rendering it never generates code (the global Function constructor is replaced by one that throws).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DictLoader,
  Environment,
  ModuleLoader,
  type PrecompiledModule,
  passContext,
  TemplateRuntimeError,
} from '../src/index.js';

const TEMPLATES = {
  'base.html': '<title>{% block title %}Site{% endblock %}</title>{% block body %}{% endblock %}',
  'macros.html': '{% macro btn(label, kind="plain") %}<b class="{{ kind }}">{{ label }}</b>{% endmacro %}',
  'page.html':
    '{% extends "base.html" %}{% from "macros.html" import btn %}' +
    '{% block title %}{{ title|shout }} - {{ super() }}{% endblock %}' +
    '{% block body %}{{ btn(label, kind="go") }}{% for i in items if i is odd_number %}[{{ loop.index }}:{{ i }}]{% endfor %}' +
    '{% include "part.txt" %}{{ who() }}{% endblock %}',
  'part.txt': '<{{ title }}>',
};
const autoescape = (name: string | null) => name === null || name.endsWith('.html');
const CONTEXT = { title: '<T>', label: 'Go & see', items: [1, 2, 3] };
const EXPECTED =
  '<title>&lt;T&gt;! - Site</title><b class="go">Go &amp; see</b>[1:1][2:3]<<T>>user:&lt;T&gt;';

let dir = '';
let mod: PrecompiledModule;

function appEnv(loader: ModuleLoader | DictLoader): Environment {
  const env = new Environment({ loader, autoescape });
  // the app's own filter, test and a context global: unknown when the templates were compiled
  env.filters.shout = (s: unknown) => `${String(s)}!`;
  env.tests.odd_number = (n: unknown) => Number(n) % 2 === 1;
  env.globals.who = passContext(
    (ctx: { resolve(n: string): unknown }) => `user:${String(ctx.resolve('title'))}`,
  );
  return env;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jinja-precompiled-'));
  const env = new Environment({ loader: new DictLoader(TEMPLATES), autoescape });
  const file = path.join(dir, 'templates.mjs');
  writeFileSync(file, env.compileTemplates());
  mod = (await import(pathToFileURL(file).href)) as PrecompiledModule;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

describe('precompiled templates', () => {
  it('render like templates compiled at run time, in every mode, without code generation', async () => {
    expect(appEnv(new DictLoader(TEMPLATES)).getTemplate('page.html').render(CONTEXT)).toBe(EXPECTED);
    const RealFunction = Function;
    vi.stubGlobal('Function', function NoCodegen() {
      throw new EvalError('code generation from strings disallowed');
    });
    const env = appEnv(new ModuleLoader(mod));
    const t = env.getTemplate('page.html');
    expect(t.render(CONTEXT)).toBe(EXPECTED);
    expect([...t.stream(CONTEXT)].join('')).toBe(EXPECTED);
    expect(await t.renderAsync(CONTEXT)).toBe(EXPECTED);
    expect(env.listTemplates()).toEqual(['base.html', 'macros.html', 'page.html', 'part.txt']);
    expect(() => env.fromString('{{ 1 }}')).toThrow(/forbids code generation.*precompile/);
    vi.unstubAllGlobals();
    expect(globalThis.Function).toBe(RealFunction);
  });

  it('refuses an environment with other settings or another autoescape rule', () => {
    const trimmed = new Environment({ loader: new ModuleLoader(mod), autoescape, trimBlocks: true });
    expect(() => trimmed.getTemplate('page.html')).toThrow(TemplateRuntimeError);
    expect(() => trimmed.getTemplate('page.html')).toThrow(/trimBlocks: compiled false, environment true/);
    const noEscape = new Environment({ loader: new ModuleLoader(mod), autoescape: false });
    expect(() => noEscape.getTemplate('page.html')).toThrow(/autoescape on/);
  });

  it('reports a missing app filter when the template uses it', () => {
    const env = new Environment({ loader: new ModuleLoader(mod), autoescape });
    expect(() => env.getTemplate('page.html').render(CONTEXT)).toThrow(/No filter named 'shout'/);
  });

  it('rejects modules that are not precompiled templates', () => {
    expect(() => new ModuleLoader({} as PrecompiledModule)).toThrow(TypeError);
    expect(() => new ModuleLoader({ format: 99, templates: {} })).toThrow(/recompile/);
  });
});
