import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  renderTemplate,
  renderTemplateAsync,
  renderTemplateString,
  streamTemplate,
} from '../../src/app/templating.js';
import { Blueprint, flash, g, Phial, templateRendered } from '../../src/index.js';

let root: string;

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'phial-templates-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('renderTemplate', () => {
  it('renders from the app template folder, autoescaping .html but not .txt', async () => {
    write('templates/page.html', '<p>{{ name }}</p>');
    write('templates/mail.txt', 'Hi {{ name }}');
    const app = new Phial(root);
    app.route('/html', () => renderTemplate('page.html', { name: '<b>Tom & Jerry</b>' }));
    app.route('/txt', () => renderTemplate('mail.txt', { name: '<b>' }));
    const client = app.testClient();
    const html = await client.get('/html');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.text).toBe('<p>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</p>');
    expect((await client.get('/txt')).text).toBe('Hi <b>');
  });

  it('renders the first existing template of a list', async () => {
    write('templates/b.html', 'B');
    const app = new Phial(root);
    app.route('/', () => renderTemplate(['a.html', 'b.html']));
    expect((await app.testClient().get('/')).text).toBe('B');
  });

  it('supports inheritance and includes across the template folder', async () => {
    write(
      'templates/base.html',
      '<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}',
    );
    write(
      'templates/child.html',
      "{% extends 'base.html' %}{% block title %}{{ t }}{% endblock %}{% block body %}{% include 'part.html' %}{% endblock %}",
    );
    write('templates/part.html', '<i>{{ t }}</i>');
    const app = new Phial(root);
    app.route('/', () => renderTemplate('child.html', { t: 'x<y' }));
    expect((await app.testClient().get('/')).text).toBe('<title>x&lt;y</title><i>x&lt;y</i>');
  });

  it('searches the app folder before blueprint folders', async () => {
    write('templates/shared.html', 'app version');
    write('admin/templates/shared.html', 'blueprint version');
    write('admin/templates/admin/only.html', 'only in {{ where }}');
    const app = new Phial(root);
    const bp = new Blueprint('admin', path.join(root, 'admin'), { templateFolder: 'templates' });
    bp.route('/shared', () => renderTemplate('shared.html'));
    bp.route('/only', () => renderTemplate('admin/only.html', { where: 'blueprint' }));
    app.registerBlueprint(bp, { urlPrefix: '/admin' });
    const client = app.testClient();
    expect((await client.get('/admin/shared')).text).toBe('app version');
    expect((await client.get('/admin/only')).text).toBe('only in blueprint');
  });

  it('a missing template is a TemplateNotFound error', async () => {
    const app = new Phial(root);
    app.testing = true;
    app.route('/', () => renderTemplate('nope.html'));
    await expect(app.testClient().get('/')).rejects.toMatchObject({ name: 'TemplateNotFound' });
  });
});

describe("Flask's template context", () => {
  it('exposes request, session, g, config, url_for and get_flashed_messages', async () => {
    write('static/site.css', 'body{}');
    write(
      'templates/ctx.html',
      [
        '{{ request.path }}|{{ request.args.get("q") }}',
        '{{ session.user }}|{{ session["user"] }}',
        '{{ g.who }}|{{ config.SECRET_KEY }}',
        "{{ url_for('static', filename='site.css') }}|{{ url_for('show', id=3, _anchor='top') }}|{{ urlFor('show', id=4) }}",
        '{% for cat, msg in get_flashed_messages(with_categories=true) %}[{{ cat }}:{{ msg }}]{% endfor %}',
      ].join('\n'),
    );
    const app = new Phial(root);
    app.config.SECRET_KEY = 'k';
    app.get('/show/<int:id>', function show(req) {
      return String(req.params.id);
    });
    app.get('/set', () => {
      flash('saved', 'info');
      flash('<careful>', 'error');
      return 'ok';
    });
    app.get('/ctx', (req) => {
      req.session.set('user', 'alice');
      g.who = 'me';
      return renderTemplate('ctx.html');
    });
    const client = app.testClient();
    await client.get('/set');
    const res = await client.get('/ctx', { query: { q: 'search' } });
    expect(res.text).toBe(
      [
        '/ctx|search',
        'alice|alice',
        'me|k',
        '/static/site.css|/show/3#top|/show/4',
        '[info:saved][error:&lt;careful&gt;]',
      ].join('\n'),
    );
  });

  it('a missing key read with .get() is none, as in Flask (session, request.args, g, config)', async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    app.config.SECRET_KEY = 'k';
    app.get('/', () =>
      renderTemplateString(
        "{{ session.get('nope') is none }}|{{ request.args.get('q') is none }}|{{ g.get('x') is none }}|" +
          "{{ config.get('UNSET') is none }}|{{ session.get('nope') }}|{{ session.get('nope', 'd') }}",
      ),
    );
    // Flask 3.1 renders the same template as 'True|True|True|True|None|d'
    expect((await app.testClient().get('/')).text).toBe('True|True|True|True|None|d');
  });

  it('filters flashed messages by category', async () => {
    const app = new Phial(root);
    app.config.SECRET_KEY = 'k';
    app.get('/', () => {
      flash('a', 'info');
      flash('b', 'error');
      return renderTemplateString("{{ get_flashed_messages(category_filter=['error'])|join(',') }}");
    });
    expect((await app.testClient().get('/')).text).toBe('b');
  });

  it('runs app and blueprint context processors; the view’s values win', async () => {
    const app = new Phial(root);
    app.contextProcessor(() => ({ site: 'Phial', title: 'from app' }));
    const bp = new Blueprint('shop', root);
    bp.contextProcessor(() => ({ section: 'shop' }));
    bp.get('/', () => renderTemplateString('{{ site }}/{{ section }}/{{ title }}', { title: 'from view' }));
    app.registerBlueprint(bp, { urlPrefix: '/shop' });
    app.get('/', () => renderTemplateString('{{ site }}/{{ section }}/{{ title }}'));
    const client = app.testClient();
    expect((await client.get('/shop/')).text).toBe('Phial/shop/from view');
    expect((await client.get('/')).text).toBe('Phial//from app');
  });

  it('uses filters, tests and globals registered on the app and on blueprints', async () => {
    const app = new Phial(root);
    app.templateFilter('reverse_words', (s: string) => s.split(' ').reverse().join(' '));
    app.templateTest('short', (s: string) => s.length < 4);
    app.templateGlobal('greet', (name: string) => `hi ${name}`);
    app.get('/', () =>
      renderTemplateString(
        "{{ 'a b c'|reverse_words }}|{{ 'abc' is short }}|{{ 'abcd' is short }}|{{ greet('x') }}",
      ),
    );
    expect((await app.testClient().get('/')).text).toBe('c b a|True|False|hi x');
  });
});

describe('renderTemplateString, streaming and async', () => {
  it('autoescapes template strings', async () => {
    const app = new Phial(root);
    app.get('/', () => renderTemplateString('{{ v }}|{{ v|safe }}', { v: '<i>' }));
    expect((await app.testClient().get('/')).text).toBe('&lt;i&gt;|<i>');
  });

  it('streams a template inside the request context', async () => {
    write(
      'templates/list.html',
      '{% for i in items %}<li>{{ i }} {{ request.args.get("s") }}</li>{% endfor %}',
    );
    const app = new Phial(root);
    app.get('/', () => streamTemplate('list.html', { items: [1, 2, 3] }));
    const res = await app.testClient().get('/?s=ok');
    expect(res.status).toBe(200);
    expect(res.text).toBe('<li>1 ok</li><li>2 ok</li><li>3 ok</li>');
  });

  it('awaits async context processors and promises with renderTemplateAsync', async () => {
    const app = new Phial(root);
    app.testing = true;
    app.contextProcessor(async () => ({ user: 'async-user' }));
    write('templates/a.html', '{{ user }} {{ count }}');
    app.get('/', () => renderTemplateAsync('a.html', { count: Promise.resolve(3) }));
    app.get('/sync', () => renderTemplate('a.html', { count: 1 }));
    const client = app.testClient();
    expect((await client.get('/')).text).toBe('async-user 3');
    await expect(client.get('/sync')).rejects.toThrow(/renderTemplateAsync/);
  });
});

describe('signals and reloading', () => {
  it('sends templateRendered with the template and its context', async () => {
    write('templates/s.html', '{{ x }}');
    const app = new Phial(root);
    app.get('/', () => renderTemplate('s.html', { x: 1 }));
    const seen: [string | null, unknown][] = [];
    const disconnect = templateRendered.connect((_sender, { template, context }) => {
      seen.push([(template as { name: string | null }).name, context.x]);
    }, app);
    try {
      await app.testClient().get('/');
    } finally {
      disconnect();
    }
    expect(seen).toEqual([['s.html', 1]]);
  });

  it('reloads a changed template when TEMPLATES_AUTO_RELOAD is on, and not when off', async () => {
    const file = write('templates/r.html', 'one');
    const app = new Phial(root);
    app.get('/', () => renderTemplate('r.html'));
    const client = app.testClient();
    app.config.TEMPLATES_AUTO_RELOAD = false;
    expect((await client.get('/')).text).toBe('one');
    writeFileSync(file, 'two');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect((await client.get('/')).text).toBe('one');
    app.config.TEMPLATES_AUTO_RELOAD = true;
    expect((await client.get('/')).text).toBe('two');
  });
});
