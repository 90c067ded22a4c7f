/**
 * The fast paths taken by common calls (positional filter arguments, plain strings, non-tie floats,
 * integer tests, contiguous string slices) must give exactly what the general paths and Jinja2 give.
 * Expected values were rendered by Jinja2 3.1.6.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyRoundFloat } from '../src/builtins/filters.js';
import { Environment } from '../src/environment.js';
import { escapeString, Markup } from '../src/runtime/markup.js';
import { floatRepr } from '../src/runtime/python.js';

const ctx = {
  s: 'Espresso machine deluxe with grinder',
  m: new Markup('<b>bold</b> and <i>italic</i> text here'),
  emoji: '😀😀 😀😀 😀😀 😀😀 😀😀 😀😀 😀😀',
  word: 'Supercalifragilisticexpialidocious',
  n: null,
  x: 2.675,
  y: -0.5,
  z: 1234.5678,
  neg: -3,
};
const env = new Environment({ autoescape: true });
const render = (src: string) => env.fromString(src).render(ctx);
const error = (src: string) => {
  try {
    return `rendered ${render(src)}`;
  } catch (e) {
    // the Python message (the engine appends where it happened: ` (template <string>, line 1)`)
    return `${(e as Error).name}: ${(e as Error).message.replace(/ \(template [^()]*(\([^()]*\)[^()]*)*\)$/, '')}`;
  }
};

describe('truncate', () => {
  it('cuts plain strings at a word boundary, or anywhere with killwords', () => {
    expect(render('{{ s|truncate(20) }}')).toBe('Espresso machine...');
    expect(render('{{ s|truncate(20, true) }}')).toBe('Espresso machine ...');
    expect(render('{{ s|truncate(20, killwords=true) }}')).toBe('Espresso machine ...');
    expect(render("{{ s|truncate(20, end='…') }}")).toBe('Espresso machine…');
    expect(render("{{ s|truncate(20, false, '!', 0) }}")).toBe('Espresso machine!');
    expect(render('{{ word|truncate(10) }}')).toBe('Superca...');
  });

  it('keeps strings within length + leeway', () => {
    expect(render('{{ s|truncate(31) }}')).toBe('Espresso machine deluxe with grinder');
    expect(render('{{ s|truncate(30) }}')).toBe('Espresso machine deluxe...');
    expect(render('{{ s|truncate(length=10, leeway=0) }}')).toBe('Espress...');
  });

  it('counts code points and keeps Markup', () => {
    expect(render('{{ emoji|truncate(10) }}')).toBe('😀😀 😀😀...');
    expect(render('{{ m|truncate(20) }}')).toBe('<b>bold</b> and...');
  });

  it('still binds keywords and reports Python errors', () => {
    expect(error('{{ s|truncate(2) }}')).toBe('AssertionError: expected length >= 3, got 2');
    expect(error('{{ s|truncate(20, 1, 2, 3, 4) }}')).toMatch(/^TypeError: do_truncate\(\) takes/);
    expect(error('{{ s|truncate(20, length=3) }}')).toBe(
      "TypeError: do_truncate() got multiple values for argument 'length'",
    );
    expect(error('{{ s|truncate(foo=1) }}')).toBe(
      "TypeError: do_truncate() got an unexpected keyword argument 'foo'",
    );
  });
});

describe('round', () => {
  it('rounds like Python, ties to even on the exact binary value', () => {
    expect(render('{{ x|round(2) }}|{{ x|round }}|{{ y|round }}|{{ 2.5|round }}|{{ 3.5|round }}')).toBe(
      '2.67|3.0|-0.0|2.0|4.0',
    );
    expect(render('{{ 0.125|round(2) }}|{{ 0.375|round(2) }}|{{ -0.001|round(2) }}')).toBe('0.12|0.38|-0.0');
    expect(render('{{ neg|round(1) }}|{{ 1e15 + 0.3|round(1) }}')).toBe('-3|1000000000000000.2');
  });

  it('binds precision and method by position or keyword', () => {
    expect(
      render("{{ z|round(1, 'floor') }}|{{ z|round(precision=2) }}|{{ z|round(2, method='ceil') }}"),
    ).toBe('1234.5|1234.57|1234.57');
    expect(render('{{ z|round(-2) }}')).toBe('1200.0');
    expect(error("{{ z|round(1, 'nope') }}")).toBe(
      'FilterArgumentError: method must be common, ceil or floor',
    );
    expect(error("{{ z|round(1, 'common', 3) }}")).toMatch(/^TypeError: do_round\(\) takes/);
  });

  it(`matches CPython's round(x, n) on recorded ties, near-ties and random floats`, () => {
    const { rows } = JSON.parse(
      readFileSync(new URL('./builtins/fixtures/python-round.json', import.meta.url), 'utf8'),
    ) as { rows: [string, number, string][] };
    expect(rows.length).toBeGreaterThan(5000);
    const mismatches = rows.filter(([x, n, want]) => floatRepr(pyRoundFloat(Number(x), n)) !== want);
    expect(mismatches).toEqual([]);
  });
});

describe('default', () => {
  it('takes its arguments by position or keyword', () => {
    expect(render("{{ n|default('d') }}|{{ missing|default('d') }}|{{ missing|default }}")).toBe('None|d|');
    expect(render("{{ ''|default('d', true) }}|{{ ''|default('d', boolean=true) }}")).toBe('d|d');
    expect(render("{{ missing|default(default_value='k') }}")).toBe('k');
    expect(render("{{ 0|default('d', []) }}|{{ 0|default('d', [0]) }}")).toBe('0|d');
    expect(error("{{ missing|default('a', 'b', 'c') }}")).toMatch(/^TypeError: do_default\(\) takes/);
    expect(error("{{ missing|default('a', default_value='b') }}")).toBe(
      "TypeError: do_default() got multiple values for argument 'default_value'",
    );
  });
});

describe('even and odd', () => {
  it('treat negative ints, floats and booleans like Python', () => {
    expect(render('{{ neg is even }}|{{ neg is odd }}|{{ -4 is even }}|{{ 3.0 is odd }}')).toBe(
      'False|True|True|True',
    );
    expect(render('{{ 2.5 is even }}|{{ true is odd }}|{{ 4 is divisibleby(2) }}')).toBe('False|True|True');
    expect(error('{{ 4 is even(1) }}')).toBe(
      'TypeError: test_even() takes 1 positional argument but 2 were given',
    );
  });
});

describe('string slices', () => {
  it('clamp bounds like slice.indices', () => {
    expect(render('{{ s[3:8] }}|{{ s[-7:] }}|{{ s[:-30] }}|{{ s[8:3] }}|{{ s[100:] }}|{{ s[-100:4] }}')).toBe(
      'resso|grinder|Espres|||Espr',
    );
    expect(render('{{ emoji[1:4] }}|{{ m[3:7] }}|{{ s[true:3] }}')).toBe('😀 😀|bold|sp');
    expect(error('{{ s[1.5:] }}')).toMatch(/^TypeError: slice indices must be integers/);
  });
});

describe('HTML escaping', () => {
  it('escapes every special character wherever it sits, and returns clean strings as they are', () => {
    expect(escapeString('')).toBe('');
    expect(escapeString('plain text')).toBe('plain text');
    expect(escapeString('&')).toBe('&amp;');
    expect(escapeString(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeString('a&&b<<')).toBe('a&amp;&amp;b&lt;&lt;');
    expect(escapeString('😀 & 😀')).toBe('😀 &amp; 😀');
    const long = `${'x'.repeat(5000)}<${'y'.repeat(5000)}`;
    expect(escapeString(long)).toBe(`${'x'.repeat(5000)}&lt;${'y'.repeat(5000)}`);
    // no state leaks between calls (the search regex is shared)
    expect([escapeString('<b>'), escapeString('ok'), escapeString("'")]).toEqual([
      '&lt;b&gt;',
      'ok',
      '&#39;',
    ]);
  });
});

describe('macro calls bound at compile time', () => {
  const src = '{% macro m(a, b=2, c=a) %}{{ a }}-{{ b }}-{{ c }};{% endmacro %}';
  it('fill defaults and keyword arguments like the run-time binding', () => {
    expect(
      render(
        `${src}{{ m(1) }}{{ m(1, c=3) }}{{ m(1, c=3, b=4) }}{{ m(b=5, a=6) }}{{ m() }}{{ m(a=1, c=2) }}`,
      ),
    ).toBe('1-2-1;1-2-3;1-4-3;6-5-6;-2-;1-2-2;');
  });

  it('keep Python errors for arguments that do not bind', () => {
    expect(error(`${src}{{ m(1, 2, 3, 4) }}`)).toBe("TypeError: macro 'm' takes not more than 3 argument(s)");
    expect(error(`${src}{{ m(1, a=2) }}`)).toBe("TypeError: macro 'm' takes no keyword argument 'a'");
    expect(error(`${src}{{ m(z=2) }}`)).toBe("TypeError: macro 'm' takes no keyword argument 'z'");
  });

  it('call whatever the name holds once it is rebound', () => {
    expect(render(`${src}{% set m = cycler('x') %}{{ m.next() }}`)).toBe('x');
    expect(render(`${src}{% for m in [range] %}{{ m(2)|list }}{% endfor %}{{ m(7) }}`)).toBe('[0, 1]7-2-7;');
  });
});

describe('output of autoescaped macros and conditional expressions', () => {
  const src = '{% macro m(a, b="<") %}<{{ a }}{{ b }}>{% endmacro %}';
  it('keeps a macro result Markup wherever it is used, and writes it unescaped', () => {
    expect(
      render(
        `${src}{{ m("&") }}|{{ m(1)|length }}|{{ m(1) ~ "<" }}|{% set x = m(2) %}{{ x }}|{{ [m(3)]|join("&") }}|{{ m.name }}|{{ m(1, b=2) }}|{% for i in [1] %}{{ m(i) }}{% endfor %}`,
      ),
    ).toBe('<&amp;&lt;>|7|<1&lt;>&lt;|<2&lt;>|<3&lt;>|m|<12>|<1&lt;>');
    const plain = new Environment({ autoescape: false });
    expect(plain.fromString(`${src}{{ m("&") }}|{{ m(1)|length }}|{{ m(1) ~ "<" }}`).render()).toBe(
      '<&<>|4|<1<><',
    );
    type MacroFn = (...args: unknown[]) => unknown;
    expect((env.fromString(`${src}{{ m("&") }}`).module.m as MacroFn)('<') instanceof Markup).toBe(true);
    expect(String((env.fromString(src).module.m as MacroFn)('<'))).toBe('<&lt;&lt;>');
  });

  it('escapes each branch of an inline if like the whole value', () => {
    const t =
      '{{ "<a>" if x else 3 }}|{{ "<a>" if not x else 3.0 }}|{{ x if x else "&" }}|{{ 1 if x }}|{{ ("a" if x else "b") ~ "<" }}|{{ "a" if x else ("<" if y else 2) }}';
    expect(env.fromString(t).render({ x: '<x>', y: 0 })).toBe('&lt;a&gt;|3.0|&lt;x&gt;|1|a&lt;|a');
    expect(env.fromString(t).render({ x: '', y: 1 })).toBe('3|&lt;a&gt;|&amp;||b&lt;|&lt;');
    expect(new Environment({ autoescape: false }).fromString(t).render({ x: '<x>', y: 0 })).toBe(
      '<a>|3.0|<x>|1|a<|a',
    );
  });

  it('renders the same asynchronously', async () => {
    const t = `${src}{{ m("&") }}|{{ "<" if x else ">" }}|{{ m(x) ~ "" }}`;
    expect(await env.fromString(t).renderAsync({ x: Promise.resolve('&') })).toBe(
      '<&amp;&lt;>|&lt;|<&amp;&lt;>',
    );
  });
});

describe('macros made on every render', () => {
  it('keep their Jinja attributes and repr across renders (rendered by Jinja2 3.1.6)', () => {
    const t = env.fromString(
      '{% block b %}{% macro m(a, b=1) %}{{ a }}{{ varargs }}{% endmacro %}' +
        '{{ m.name }}|{{ m.arguments }}|{{ m.catch_kwargs }}|{{ m.catch_varargs }}|{{ m.caller }}|{{ m(1, 2, 3) }}' +
        '{% endblock %}',
    );
    const want = 'm|(&#39;a&#39;, &#39;b&#39;)|False|True|False|1(3,)';
    expect(t.render()).toBe(want);
    expect(t.render()).toBe(want);
  });

  it('two definitions with the same argument names stay distinct', () => {
    const out = env
      .fromString(
        '{% macro f(x) %}F{{ x }}{% endmacro %}{% macro g(x) %}G{{ x }}{{ kwargs }}{% endmacro %}' +
          '{{ f.name }}{{ f.catch_kwargs }}{{ g.name }}{{ g.catch_kwargs }}{{ f(1) }}{{ g(2, y=3) }}',
      )
      .render();
    expect(out).toBe('fFalsegTrueF1G2{&#39;y&#39;: 3}');
  });
});

describe('fixed-arity filter and test variants', () => {
  it('give what the general paths and Jinja2 give (rendered by Jinja2 3.1.6)', () => {
    const src =
      '{{ s|truncate }}|{{ s|truncate(20) }}|{{ s|truncate(20, true) }}|{{ s|truncate(length=20, killwords=true) }}' +
      '|{{ u|default }}|{{ u|d("-") }}|{{ ""|default("e", true) }}|{{ 0|d("z", boolean=true) }}' +
      '|{{ 2.675|round }}|{{ 2.675|round(2) }}|{{ 2.675|round(1, "floor") }}|{{ 3|round(1) }}' +
      '|{{ 4 is even }}|{{ 3 is even }}|{{ none is none }}|{{ u is defined }}';
    expect(env.fromString(src).render({ s: 'Espresso machine deluxe with grinder' })).toBe(
      'Espresso machine deluxe with grinder|Espresso machine...|Espresso machine ...|Espresso machine ...' +
        '||-|e|z|3.0|2.67|2.6|3|True|False|True|False',
    );
    expect(error('{{ 4 is even(1) }}')).toBe(
      'TypeError: test_even() takes 1 positional argument but 2 were given',
    );
  });

  it('call a replaced filter or test as given, without the builtin variants', () => {
    const e2 = new Environment({ autoescape: true });
    const t = e2.fromString('{{ x|round(1) }}{{ 3 is odd }}');
    expect(t.render({ x: 1.25 })).toBe('1.2True');
    const e3 = new Environment({ autoescape: true });
    e3.filters.round = (v: unknown, p: unknown) => `R${String(v)},${String(p)}`;
    e3.tests.odd = () => false;
    expect(e3.fromString('{{ x|round(1) }}{{ 3 is odd }}').render({ x: 1.25 })).toBe('R1.25,1False');
  });

  it('truncate(length) honours the leeway policy, surrogates and the length assertion (Jinja2 3.1.6)', () => {
    const e = new Environment();
    e.policies['truncate.leeway'] = 0;
    const t = e.fromString('{{ s|truncate(7) }}|{{ s|truncate(3) }}|{{ "😀😀 😀😀😀"|truncate(4) }}');
    expect(t.render({ s: 'ab cdefgh' })).toBe('ab...|...|😀...');
    expect(() => e.fromString('{{ s|truncate(2) }}').render({ s: 'abcdef' })).toThrow(
      'expected length >= 3, got 2',
    );
  });
});
