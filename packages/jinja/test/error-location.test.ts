/**
 * Errors say where: every error escaping a render carries the template and line (`templateName`,
 * `templateLine`/`lineno`) and the chain of templates it passed through (`templateStack`, innermost first:
 * includes, macros, blocks, parents), which the engine's own errors also name in their message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DictLoader,
  Environment,
  ModuleLoader,
  type PrecompiledModule,
  TemplateSyntaxError,
  UndefinedError,
} from '../src/index.js';

interface Located extends Error {
  templateName?: string | null;
  templateLine?: number;
  lineno?: number;
  templateStack?: { name: string | null; line: number }[];
}

const TEMPLATES = {
  'base.html': 'a\n{% block body %}{% endblock %}\nz',
  'page.html':
    '{% extends "base.html" %}\n{% import "m.html" as m %}\n{% block body %}\n{{ m.card(user) }}\n{% endblock %}',
  'm.html': '{% macro card(u) %}\n<div>\n{% include "inc.html" %}\n</div>{% endmacro %}',
  'inc.html': 'x\n{{ u.name.first + 1 }}',
  'strict.html': 'one\ntwo {{ missing.attr }}',
  'bad.html': 'ok\n{% include "syntax.html" %}',
  'syntax.html': 'line1\n{% if %}',
};
const CTX = { user: { name: { first: 'a' } } };

function caught(fn: () => unknown): Located {
  try {
    fn();
  } catch (e) {
    return e as Located;
  }
  throw new Error('no error');
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<Located> {
  try {
    await fn();
  } catch (e) {
    return e as Located;
  }
  throw new Error('no error');
}

const stackOf = (e: Located) => e.templateStack?.map((f) => `${f.name}:${f.line}`);
const CHAIN = ['inc.html:2', 'm.html:3', 'page.html:4', 'base.html:2', 'page.html:3'];

describe('errors say where', () => {
  const env = new Environment({ loader: new DictLoader(TEMPLATES) });

  it('through include, macro, import, block and extends, in every render mode', async () => {
    const modes: (() => Promise<Located>)[] = [
      async () => caught(() => env.getTemplate('page.html').render(CTX)),
      async () => caught(() => [...env.getTemplate('page.html').stream(CTX)].join('')),
      () => caughtAsync(() => env.getTemplate('page.html').renderAsync(CTX)),
    ];
    for (const mode of modes) {
      const e = await mode();
      expect(e.name).toBe('TypeError');
      expect(e.templateName).toBe('inc.html');
      expect(e.templateLine).toBe(2);
      expect(e.lineno).toBe(2);
      expect(stackOf(e)?.slice(0, 2)).toEqual(CHAIN.slice(0, 2));
      if (mode === modes[0]) expect(stackOf(e)).toEqual(CHAIN);
      expect(e.message).toMatch(
        /^can only concatenate str \(not "int"\) to str \(template 'inc\.html', line 2; from template 'm\.html', line 3/,
      );
      expect(e.stack).toContain("    at template 'inc.html', line 2\n    at template 'm.html', line 3");
    }
  });

  it('for undefined values', () => {
    const e = caught(() => env.getTemplate('strict.html').render({}));
    expect(e).toBeInstanceOf(UndefinedError);
    expect(e.message).toBe("'missing' is undefined (template 'strict.html', line 2)");
    expect(stackOf(e)).toEqual(['strict.html:2']);
  });

  it('for syntax errors, also in an included template', () => {
    const direct = caught(() => env.getTemplate('syntax.html'));
    expect(direct).toBeInstanceOf(TemplateSyntaxError);
    expect(direct.lineno).toBe(2);
    expect(direct.templateName).toBe('syntax.html');
    expect(direct.message).toBe(
      "Expected an expression, got end of statement block (template 'syntax.html', line 2)",
    );
    const viaInclude = caught(() => env.getTemplate('bad.html').render());
    expect(stackOf(viaInclude)).toEqual(['syntax.html:2', 'bad.html:2']);
  });

  it('for templates made from strings', () => {
    const e = caught(() => env.fromString('a\n{{ 1 // 0 }}').render());
    expect(e.name).toBe('ZeroDivisionError');
    expect(e.templateName).toBe(null);
    expect(e.message).toBe('integer division or modulo by zero (template <string>, line 2)');
  });

  it("leaves the host's own errors' messages alone", () => {
    const e = caught(() =>
      env.fromString('{{ boom() }}').render({
        boom: () => {
          throw new RangeError('from the host');
        },
      }),
    );
    expect(e.message).toBe('from the host');
    expect(e.templateLine).toBe(1);
  });

  it('through precompiled code too (which keeps its line in a local, as bundlers move code)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jinja-where-'));
    try {
      const file = path.join(dir, 't.mjs');
      writeFileSync(file, env.compileTemplates({ filter: (n) => !['bad.html', 'syntax.html'].includes(n) }));
      const mod = (await import(pathToFileURL(file).href)) as PrecompiledModule;
      const pre = new Environment({ loader: new ModuleLoader(mod) });
      const e = caught(() => pre.getTemplate('page.html').render(CTX));
      expect(e.templateName).toBe('inc.html');
      expect(stackOf(e)).toEqual(CHAIN);
      expect(e.templateLine).toBe(2);
      expect(e.message).toContain("(template 'inc.html', line 2; from template 'm.html', line 3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stack of an error thrown by host code a template called', () => {
  it('keeps the filter that threw above the template lines that called it (innermost first)', () => {
    const env = new Environment({
      loader: new DictLoader({
        'base.html': '<main>\n{% block content %}{% endblock %}</main>',
        'p.html': '{% extends "base.html" %}{% block content %}\n<p>\n  {{ price|money }}</p>{% endblock %}',
      }),
    });
    env.filters.money = function money(value: unknown) {
      if ((value as number) < 0) throw new RangeError(`negative amount: ${String(value)}`);
      return String(value);
    };
    let error: Error | null = null;
    try {
      env.getTemplate('p.html').render({ price: -5 });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(RangeError);
    const lines = (error?.stack ?? '').split('\n');
    const filterAt = lines.findIndex((l) => /at money /.test(l));
    const templateAt = lines.findIndex((l) => l.includes("at template 'p.html', line 3"));
    expect(filterAt).toBeGreaterThan(0);
    expect(templateAt).toBeGreaterThan(filterAt);
    // the compiled code's own frames are replaced by the template lines
    expect(lines.some((l) => /jinja-template-\d+/.test(l))).toBe(false);
    expect(error?.message).toBe('negative amount: -5');
  });
});
