import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { UndefinedError } from '../src/errors.js';
import { DictLoader } from '../src/loaders.js';
import { Kwargs } from '../src/runtime/calls.js';
import { Markup } from '../src/runtime/markup.js';
import { ChainableUndefined, StrictUndefined } from '../src/runtime/undefined.js';

const render = (src: string, ctx: Record<string, unknown> = {}, opts = {}) =>
  new Environment(opts).fromString(src).render(ctx);

describe('expressions', () => {
  it('follows Jinja precedence and Python semantics', () => {
    expect(
      render('{{ 1 + 2 * 3 }}|{{ 2 ** 3 ** 2 }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 10 / 4 }}|{{ 4 / 2 }}'),
    ).toBe('7|64|3|2|2.5|2.0');
    expect(render('{{ 1 < 2 < 3 }}|{{ 3 > 2 > 2 }}|{{ "a" in "cat" }}|{{ 2 not in [1] }}')).toBe(
      'True|False|True|True',
    );
    expect(render('{{ a or "d" }}|{{ 0 and 1 }}|{{ "y" if x else "n" }}', { a: '', x: 1 })).toBe('d|0|y');
    expect(render('{{ -x|abs }}', { x: 3 })).toBe('3');
  });

  it('a call returning undefined is None, as a Python call returning nothing is (a missing attribute stays Undefined)', async () => {
    // expected output recorded from Jinja2 3.1.6 with f = lambda: None, d = {}, o = object()
    const ctx = {
      f: () => undefined,
      d: new (class {
        get(_k: string): unknown {
          return undefined;
        }
      })(),
      o: {},
    };
    const src =
      '{{ f() }}|{{ f() is none }}|{{ d.get("x") is none }}|{{ missing is none }}|{{ o.nope is defined }}';
    expect(render(src, ctx)).toBe('None|True|True|False|False');
    const asyncEnv = new Environment();
    const out = await asyncEnv
      .fromString('{{ g() is none }}|{{ g() }}')
      .renderAsync({ g: async () => undefined });
    expect(out).toBe('True|None');
  });

  it("formats dates with glibc's strftime codes and isoformat's sep/timespec, as Jinja2 on Linux does", () => {
    // expected outputs recorded from Jinja2 3.1.6 (Python on Linux) with naive datetimes of the same wall time
    const src =
      "{{ d.strftime('%l:%M %p|%k|%D|%R|%C|%G-W%V-%u|%g|%r|%z|%Z|%-l') }}||{{ d.isoformat(timespec='minutes') }}|" +
      "{{ d.isoformat(sep=' ', timespec='seconds') }}|{{ d.isoformat(' ', 'hours') }}|" +
      "{{ d.isoformat(timespec='milliseconds') }}|{{ d.isoformat(timespec='microseconds') }}";
    expect(render(src, { d: new Date(2024, 2, 5, 14, 7, 9) })).toBe(
      ' 2:07 PM|14|03/05/24|14:07|20|2024-W10-2|24|02:07:09 PM|||2||2024-03-05T14:07|2024-03-05 14:07:09|' +
        '2024-03-05 14|2024-03-05T14:07:09.000|2024-03-05T14:07:09.000000',
    );
    expect(render(src, { d: new Date(2021, 0, 3, 0, 5, 0, 123) })).toBe(
      '12:05 AM| 0|01/03/21|00:05|20|2020-W53-7|20|12:05:00 AM|||12||2021-01-03T00:05|2021-01-03 00:05:00|' +
        '2021-01-03 00|2021-01-03T00:05:00.123|2021-01-03T00:05:00.123000',
    );
    expect(render(src, { d: new Date(2026, 11, 31, 23, 59, 59) })).toBe(
      '11:59 PM|23|12/31/26|23:59|20|2026-W53-4|26|11:59:59 PM|||11||2026-12-31T23:59|2026-12-31 23:59:59|' +
        '2026-12-31 23|2026-12-31T23:59:59.000|2026-12-31T23:59:59.000000',
    );
    const d = new Date(2024, 2, 5, 14, 7, 9);
    // %s: seconds since the epoch of the local wall time, as Python's naive datetime (mktime)
    expect(render("{{ d.strftime('%s|%P') }}", { d })).toBe(`${Math.floor(d.getTime() / 1000)}|pm`);
    expect(() => render("{{ d.isoformat(timespec='days') }}", { d })).toThrow(/Unknown timespec value/);
  });

  it('indexes, slices and calls', () => {
    const ctx = { items: [1, 2, 3, 4], d: { k: 'v' }, f: (a: number, kw?: Kwargs) => `${a}:${kw?.b ?? '-'}` };
    expect(render('{{ items[-1] }}{{ items[1:3] }}{{ items[::-2] }}{{ d.k }}{{ d["k"] }}', ctx)).toBe(
      '4[2, 3][4, 2]vv',
    );
    expect(render('{{ f(1) }} {{ f(2, b=3) }} {{ f(*[5]) }} {{ f(6, **{"b": 7}) }}', ctx)).toBe(
      '1:- 2:3 5:- 6:7',
    );
  });

  it('indexes Map-like objects by attribute and item', () => {
    const session = new Map([['user', 'ann']]);
    expect(render('{{ s.user }}/{{ s["user"] }}/{{ s.missing }}', { s: session })).toBe('ann/ann/');
  });

  it('treats JS undefined like a missing value', () => {
    expect(render('[{{ o.a }}][{{ v }}]', { o: { a: undefined }, v: undefined })).toBe('[][]');
  });
});

describe('undefined kinds', () => {
  it('default prints empty but fails on use', () => {
    expect(render('[{{ x }}]')).toBe('[]');
    expect(() => render('{{ x.y }}')).toThrow(UndefinedError);
    expect(() => render('{{ x + 1 }}')).toThrow("'x' is undefined");
    expect(() => render('{{ d.y.z }}', { d: {} })).toThrow("'dict object' has no attribute 'y'");
  });

  it('strict fails on print, chainable lets chains through', () => {
    expect(() => render('{{ x }}', {}, { undefined: StrictUndefined })).toThrow(UndefinedError);
    expect(render('[{{ a.b.c }}]', {}, { undefined: ChainableUndefined })).toBe('[]');
  });
});

describe('statements and scoping', () => {
  it('keeps loop-local sets inside the loop and namespaces across it', () => {
    expect(render('{% set t = 0 %}{% for i in [1,2] %}{% set t = t + i %}{% endfor %}{{ t }}')).toBe('0');
    expect(
      render(
        '{% set ns = namespace(t=0) %}{% for i in [1,2] %}{% set ns.t = ns.t + i %}{% endfor %}{{ ns.t }}',
      ),
    ).toBe('3');
  });

  it('exposes loop helpers', () => {
    expect(
      render(
        '{% for x in "abc" %}{{ loop.index }}{{ loop.revindex0 }}{{ loop.cycle("o","e") }}{{ "|" if not loop.last }}{% endfor %}',
      ),
    ).toBe('12o|21e|30o');
    expect(render('{% for x in [1,1,2] %}{{ loop.changed(x) }}{% endfor %}')).toBe('TrueFalseTrue');
    expect(
      render('{% for n in t recursive %}{{ n.v }}{% if n.c %}({{ loop(n.c) }}){% endif %}{% endfor %}', {
        t: [{ v: 1, c: [{ v: 2 }] }],
      }),
    ).toBe('1(2)');
    expect(render('{% for x in [] %}a{% else %}empty{% endfor %}')).toBe('empty');
    expect(render('{% for a, b in [[1, 2]] %}{{ b }}{{ a }}{% endfor %}')).toBe('21');
  });

  it('supports with, filter blocks, set blocks and autoescape blocks', () => {
    expect(render('{% with a = 1 %}{{ a }}{% endwith %}[{{ a }}]')).toBe('1[]');
    expect(render('{% filter upper %}hi {{ n }}{% endfilter %}', { n: 'x' })).toBe('HI X');
    expect(render('{% set b | trim %}  v  {% endset %}[{{ b }}]')).toBe('[v]');
    expect(render('{% autoescape true %}{{ s }}{% endautoescape %}{{ s }}', { s: '<' })).toBe('&lt;<');
  });
});

describe('macros', () => {
  it('binds defaults, varargs, kwargs and caller', () => {
    expect(
      render(
        '{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs|join }}{{ kwargs|dictsort }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4, k=5) }}',
      ),
    ).toBe("12[]|134[('k', 5)]");
    expect(
      render('{% macro w() %}<{{ caller("x") }}>{% endmacro %}{% call(v) w() %}[{{ v }}]{% endcall %}'),
    ).toBe('<[x]>');
  });

  it('raises Python TypeErrors for bad calls', () => {
    expect(() => render('{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}')).toThrow(TypeError);
    expect(() => render('{% macro m(a) %}{% endmacro %}{{ m(b=1) }}')).toThrow(
      "takes no keyword argument 'b'",
    );
  });

  it('are callable from JavaScript with Kwargs and return Markup under autoescape', () => {
    const env = new Environment({ autoescape: true });
    const mod = env.fromString(
      '{% macro hi(name, greeting="Hello") %}{{ greeting }}, {{ name }}!{% endmacro %}',
    ).module;
    const hi = mod.hi as (...a: unknown[]) => unknown;
    const out = hi('<Bob>', new Kwargs({ greeting: 'Yo' }));
    expect(out).toBeInstanceOf(Markup);
    expect(String(out)).toBe('Yo, &lt;Bob&gt;!');
    expect([...(hi as unknown as { arguments: string[] }).arguments]).toEqual(['name', 'greeting']);
  });
});

describe('inheritance, includes and imports', () => {
  const env = new Environment({
    loader: new DictLoader({
      'base.html': '<{% block head %}H{% endblock %}|{% block body %}{% endblock %}>{{ self.head() }}',
      'mid.html': '{% extends "base.html" %}{% block head %}M{{ super() }}{% endblock %}',
      'page.html':
        '{% extends "mid.html" %}{% set v = "set" %}{% block body %}{{ v }}{% include "inc.html" %}{% endblock %}',
      'inc.html': '[{{ v }}{{ w|default("") }}]',
      'macros.html': '{% macro em(t) %}*{{ t }}*{% endmacro %}{% set version = 2 %}',
      'imp.html':
        '{% import "macros.html" as m %}{% from "macros.html" import em as e, version %}{{ m.em(1) }}{{ e(2) }}{{ version }}',
      'loop.html': '{% for w in [1, 2] %}{% include "inc.html" %}{% endfor %}',
    }),
  });

  it('renders blocks through three levels with super() and self', () => {
    expect(env.getTemplate('page.html').render()).toBe('<MH|set[set]>MH');
  });

  it('passes loop locals to includes', () => {
    expect(env.getTemplate('loop.html').render({ v: 'v' })).toBe('[v1][v2]');
  });

  it('imports modules and names', () => {
    expect(env.getTemplate('imp.html').render()).toBe('*1**2*2');
  });

  it('caches compiled templates', () => {
    expect(env.getTemplate('base.html')).toBe(env.getTemplate('base.html'));
  });
});

describe('runtime errors', () => {
  it('carry the template name and line that failed', () => {
    const env = new Environment({ loader: new DictLoader({ 'p.html': 'ok\n{{ "x" }}\n{{ 1 +\n "a" }}' }) });
    let err: (Error & { templateName?: string; templateLine?: number }) | undefined;
    try {
      env.getTemplate('p.html').render();
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.name).toBe('TypeError');
    expect(err?.templateName).toBe('p.html');
    expect(err?.templateLine).toBe(3);
    expect(err?.stack).toContain("at template 'p.html', line 3");
  });
});

describe('compileExpression', () => {
  it('evaluates an expression against variables', () => {
    const env = new Environment();
    const f = env.compileExpression('a + b * 2');
    expect(f({ a: 1, b: 3 })).toBe(7);
    expect(env.compileExpression('missing')()).toBeNull();
    expect(env.compileExpression('x|upper')({ x: 'q' })).toBe('Q');
  });
});

describe('globals', () => {
  it('sees environment globals added after a template was compiled, and template globals', () => {
    const env = new Environment({ loader: new DictLoader({ 't.html': '{{ site }}|{{ extra }}' }) });
    const t = env.getTemplate('t.html', null, { extra: 'E' });
    env.globals.site = 'S';
    expect(t.render()).toBe('S|E');
    expect(t.render({ site: 'ctx wins' })).toBe('ctx wins|E');
  });
});

describe('environment options', () => {
  it('applies finalize to every printed expression', () => {
    const env = new Environment({ finalize: ((v: unknown) => (v === null ? '' : v)) as never });
    expect(env.fromString('[{{ none }}][{{ x }}][{{ "a" }}]').render({ x: null })).toBe('[][][a]');
  });

  it('chooses autoescape per template name', async () => {
    const { selectAutoescape } = await import('../src/environment.js');
    const env = new Environment({
      autoescape: selectAutoescape(['html']),
      loader: new DictLoader({ 'a.html': '{{ s }}', 'a.txt': '{{ s }}' }),
    });
    expect(env.getTemplate('a.html').render({ s: '<' })).toBe('&lt;');
    expect(env.getTemplate('a.txt').render({ s: '<' })).toBe('<');
    expect(env.fromString('{{ s }}').render({ s: '<' })).toBe('&lt;');
  });

  it('escapes lists and objects as their Python text under autoescape', () => {
    const env = new Environment({ autoescape: true });
    expect(env.fromString('{{ v }}').render({ v: ['<a>'] })).toBe('[&#39;&lt;a&gt;&#39;]');
    expect(env.fromString('{{ m }}').render({ m: new Markup('<i>') })).toBe('<i>');
  });
});

describe('render context', () => {
  it('reads own variables only and never writes into the caller object', () => {
    const env = new Environment();
    const ctx = Object.assign(Object.create({ inherited: 'no' }) as Record<string, unknown>, { a: 1 });
    expect(
      env
        .fromString('[{{ a }}][{{ inherited }}][{{ constructor }}][{{ toString }}]{% set a = 2 %}{{ a }}')
        .render(ctx),
    ).toBe('[1][][][]2');
    expect(Object.keys(ctx)).toEqual(['a']);
    expect(ctx.a).toBe(1);
  });
});

describe('Python values standing in for Python objects', () => {
  it('reads a Date like a datetime: attributes and methods (Jinja with datetime.datetime)', () => {
    const d = new Date(2024, 0, 5, 9, 30, 7);
    expect(
      render('{{ d.year }}-{{ d.month }}-{{ d.day }} {{ d.hour }}:{{ d.minute }}:{{ d.second }}', { d }),
    ).toBe('2024-1-5 9:30:7');
    expect(render("{{ d.strftime('%Y-%m-%d %H:%M') }}|{{ d['year'] }}|{{ d.weekday() }}", { d })).toBe(
      '2024-01-05 09:30|2024|4',
    );
    expect(render('{{ d.isoformat() }}|{{ d }}|{{ d.nope is defined }}', { d })).toBe(
      '2024-01-05T09:30:07|2024-01-05 09:30:07|False',
    );
    // JavaScript properties of a class instance still come first
    expect(render('{{ d.getFullYear() }}', { d })).toBe('2024');
  });
});

describe('**kwargs in calls', () => {
  const err = (src: string, ctx: Record<string, unknown>) => {
    try {
      return render(src, ctx);
    } catch (e) {
      // the Python message (the engine appends where it happened: ` (template <string>, line 1)`)
      return `${(e as Error).name}: ${(e as Error).message.replace(/ \(template [^()]*(\([^()]*\)[^()]*)*\)$/, '')}`;
    }
  };
  it('raises TypeError when a key repeats an explicit keyword, like Python', () => {
    const ctx = { d: { a: 2 }, f: (kw: Kwargs) => Object.keys(kw).join(',') };
    expect(err('{{ dict(a=1, **d) }}', ctx)).toBe(
      "TypeError: jinja2.runtime.Context.call() got multiple values for keyword argument 'a'",
    );
    expect(err('{{ f(a=1, **d) }}', ctx)).toBe(
      "TypeError: jinja2.runtime.Context.call() got multiple values for keyword argument 'a'",
    );
    expect(err('{{ x|default(a=1, **d) }}', ctx)).toBe(
      "TypeError: default() got multiple values for keyword argument 'a'",
    );
    expect(err('{{ dict(b=1, **d) }}|{{ f(b=1, **d) }}', ctx)).toBe("{'b': 1, 'a': 2}|b,a");
    expect(err('{{ dict(a=1, **m) }}', { m: new Map([['a', 2]]) })).toBe(
      "TypeError: jinja2.runtime.Context.call() got multiple values for keyword argument 'a'",
    );
  });
});
