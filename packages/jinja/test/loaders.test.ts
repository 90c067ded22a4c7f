import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { TemplateNotFound, TemplatesNotFound } from '../src/errors.js';
import { ChoiceLoader, DictLoader, FileSystemLoader, FunctionLoader, PrefixLoader } from '../src/loaders.js';

const dir = mkdtempSync(join(tmpdir(), 'jinja-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileSystemLoader', () => {
  writeFileSync(join(dir, 'base.html'), '<{% block b %}{% endblock %}>');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'page.html'), '{% extends "base.html" %}{% block b %}{{ x }}{% endblock %}');

  it('loads templates from folders, including sub-folders', () => {
    const env = new Environment({ loader: new FileSystemLoader(dir) });
    expect(env.getTemplate('sub/page.html').render({ x: 1 })).toBe('<1>');
    expect(env.getTemplate('sub/page.html').filename).toBe(join(dir, 'sub', 'page.html'));
  });

  it('searches several folders in order', () => {
    const other = mkdtempSync(join(tmpdir(), 'jinja-loader2-'));
    writeFileSync(join(other, 'base.html'), 'OTHER');
    writeFileSync(join(other, 'only.html'), 'ONLY');
    const env = new Environment({ loader: new FileSystemLoader([dir, other]) });
    expect(env.getTemplate('base.html').render()).toBe('<>');
    expect(env.getTemplate('only.html').render()).toBe('ONLY');
    rmSync(other, { recursive: true, force: true });
  });

  it('refuses paths escaping the search path', () => {
    const env = new Environment({ loader: new FileSystemLoader(join(dir, 'sub')) });
    expect(() => env.getTemplate('../base.html')).toThrow(TemplateNotFound);
    expect(() => env.getTemplate('missing.html')).toThrow(TemplateNotFound);
  });

  it('recompiles when the modification time changes and caches otherwise', () => {
    const file = join(dir, 'reload.html');
    writeFileSync(file, 'v1');
    const env = new Environment({ loader: new FileSystemLoader(dir) });
    const t1 = env.getTemplate('reload.html');
    expect(t1.render()).toBe('v1');
    expect(env.getTemplate('reload.html')).toBe(t1);
    writeFileSync(file, 'v2');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const t2 = env.getTemplate('reload.html');
    expect(t2).not.toBe(t1);
    expect(t2.render()).toBe('v2');
  });

  it('checks an extended parent once per getTemplate and picks up its changes on the next one', () => {
    writeFileSync(join(dir, 'rparent.html'), 'P1[{% block b %}{% endblock %}]');
    writeFileSync(join(dir, 'rchild.html'), '{% extends "rparent.html" %}{% block b %}c{% endblock %}');
    let checks = 0;
    class CountingLoader extends FileSystemLoader {
      override getSource(env: Environment, name: string) {
        const src = super.getSource(env, name);
        const up = src.uptodate;
        return {
          ...src,
          uptodate:
            up &&
            (() => {
              if (name === 'rparent.html') checks++;
              return up();
            }),
        };
      }
    }
    const env = new Environment({ loader: new CountingLoader(dir) });
    const child = env.getTemplate('rchild.html');
    expect(child.render()).toBe('P1[c]');
    checks = 0;
    for (let i = 0; i < 5; i++) expect(child.render()).toBe('P1[c]');
    expect(checks).toBe(0);
    writeFileSync(join(dir, 'rparent.html'), 'P2[{% block b %}{% endblock %}]');
    const later = new Date(Date.now() + 7000);
    utimesSync(join(dir, 'rparent.html'), later, later);
    const again = env.getTemplate('rchild.html');
    expect(again).toBe(child);
    expect(again.render()).toBe('P2[c]');
    expect(checks).toBe(1);
    expect(again.render()).toBe('P2[c]');
    expect(checks).toBe(1);
  });

  it('does not check for changes when autoReload is off', () => {
    const file = join(dir, 'fixed.html');
    writeFileSync(file, 'a');
    const env = new Environment({ loader: new FileSystemLoader(dir), autoReload: false });
    const t1 = env.getTemplate('fixed.html');
    writeFileSync(file, 'b');
    const later = new Date(Date.now() + 9000);
    utimesSync(file, later, later);
    expect(env.getTemplate('fixed.html')).toBe(t1);
  });
});

describe('other loaders', () => {
  it('DictLoader, FunctionLoader, PrefixLoader and ChoiceLoader', () => {
    const fn = new FunctionLoader((name) => (name === 'f.html' ? 'from fn' : null));
    const env = new Environment({
      loader: new ChoiceLoader([
        new DictLoader({ 'd.html': 'from dict' }),
        new PrefixLoader({ app: new DictLoader({ 'x.html': 'prefixed' }) }),
        fn,
      ]),
    });
    expect(env.getTemplate('d.html').render()).toBe('from dict');
    expect(env.getTemplate('app/x.html').render()).toBe('prefixed');
    expect(env.getTemplate('f.html').render()).toBe('from fn');
    expect(() => env.getTemplate('nope.html')).toThrow(TemplateNotFound);
  });

  it('selectTemplate takes the first existing and reports all missing names', () => {
    const env = new Environment({ loader: new DictLoader({ 'b.html': 'B' }) });
    expect(env.selectTemplate(['a.html', 'b.html']).render()).toBe('B');
    expect(env.getOrSelectTemplate('b.html').render()).toBe('B');
    let err: unknown;
    try {
      env.selectTemplate(['x.html', 'y.html']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplatesNotFound);
    expect((err as TemplatesNotFound).templates).toEqual(['x.html', 'y.html']);
  });

  it('reloads a DictLoader entry that changed', () => {
    const mapping: Record<string, string> = { 't.html': 'one' };
    const env = new Environment({ loader: new DictLoader(mapping) });
    expect(env.getTemplate('t.html').render()).toBe('one');
    mapping['t.html'] = 'two';
    expect(env.getTemplate('t.html').render()).toBe('two');
  });
});

describe('template cache', () => {
  it('is tied to the loader', () => {
    const env = new Environment({ loader: new DictLoader({ 't.html': 'first' }) });
    expect(env.getTemplate('t.html').render()).toBe('first');
    env.loader = new DictLoader({ 't.html': 'second' });
    expect(env.getTemplate('t.html').render()).toBe('second');
  });

  it('can be disabled with cacheSize 0 and bounded otherwise', () => {
    const env = new Environment({ loader: new DictLoader({ a: 'A', b: 'B' }), cacheSize: 0 });
    expect(env.getTemplate('a')).not.toBe(env.getTemplate('a'));
    const small = new Environment({ loader: new DictLoader({ a: 'A', b: 'B' }), cacheSize: 1 });
    const a = small.getTemplate('a');
    small.getTemplate('b');
    expect(small.getTemplate('a')).not.toBe(a);
  });
});

describe('FileSystemLoader.listTemplates', () => {
  it('lists files in sub-folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'jinja-list-'));
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'x.html'), 'x');
    writeFileSync(join(root, 'y.html'), 'y');
    const env = new Environment({ loader: new FileSystemLoader(root) });
    expect(env.listTemplates()).toEqual(['a/x.html', 'y.html']);
    rmSync(root, { recursive: true, force: true });
  });
});
