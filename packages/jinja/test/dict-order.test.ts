/**
 * Dicts built in templates keep insertion order as Python's do, also for keys a JS object would list first
 * (`'10'`, `'2024'`), and hold object keys. Expected outputs recorded from Jinja2 3.1.6.
 */
import { describe, expect, it } from 'vitest';
import { Environment } from '../src/index.js';

const env = new Environment({ extensions: ['do'] });
const render = (src: string, ctx: Record<string, unknown> = {}) => env.fromString(src).render(ctx);

describe('dict literals', () => {
  it('keep integer-like string keys in insertion order through every view of the dict', () => {
    expect(
      render(
        "{% set d = {'b': 1, '10': 2, '2': 3} %}{% for k in d %}{{ k }} {% endfor %}|{{ d }}|{{ d|tojson }}|{{ d['10'] }}|{{ d.b }}|{{ d|length }}|{{ '2' in d }}|{{ d.items()|list }}|{{ d|dictsort }}",
      ),
    ).toBe(
      `b 10 2 |{'b': 1, '10': 2, '2': 3}|{"10": 2, "2": 3, "b": 1}|2|1|3|True|[('b', 1), ('10', 2), ('2', 3)]|[('10', 2), ('2', 3), ('b', 1)]`,
    );
    expect(
      render(
        "{% set d = {'1': 'a', 'x': 'b'} %}{% do d.update({'0': 'c'}) %}{{ d }}|{{ d.keys()|list }}|{{ d.get('1') }}|{{ d|xmlattr }}",
      ),
    ).toBe(`{'1': 'a', 'x': 'b', '0': 'c'}|['1', 'x', '0']|a| 1="a" x="b" 0="c"`);
    expect(
      render(
        "{% set d = {'10': 1} %}{{ d.pop('10') }}{{ d }}|{% set e = {'3': 'x'} %}{{ e.setdefault('4', 'y') }}{{ e }}",
      ),
    ).toBe("1{}|y{'3': 'x', '4': 'y'}");
    expect(render("{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(**{'b': 2, 'a': 1}) }}")).toBe('12');
  });

  it('an empty literal filled later keeps the order keys were added in', () => {
    expect(
      render(
        "{% set x = {} %}{% set _ = x.update({'2024': 'a'}) %}{% set _ = x.update({'2023': 'b'}) %}{{ x|list }}|{{ x }}|{{ x|tojson }}|{% set y = {} %}{{ y }}{{ y|length }}{{ y|tojson }}{% if not y %}empty{% endif %}",
      ),
    ).toBe(`['2024', '2023']|{'2024': 'a', '2023': 'b'}|{"2023": "b", "2024": "a"}|{}0{}empty`);
  });

  it('holds objects as keys (dbt-utils keys relations this way)', () => {
    class Rel {
      constructor(readonly name: string) {}
    }
    const t = new Rel('a');
    expect(render('{% set d = {} %}{% do d.update({t: 1}) %}{{ d[t] }}|{{ d|length }}', { t })).toBe('1|1');
    expect(render('{% set d = {} %}{% do d.update({t: []}) %}{% do d[t].append(1) %}{{ d[t] }}', { t })).toBe(
      '[1]',
    );
  });

  it('finds tuple keys by value, as Python hashes them', () => {
    expect(render("{{ {(1, 2): 'a'}[(1, 2)] }}")).toBe('a');
    expect(
      render(
        "{% set d = {(1, 2): 'a'} %}{{ (1, 2) in d }}{{ d.get((1, 2)) }}{% do d.update({(1, 2): 'b'}) %}{{ d }}{{ d|length }}",
      ),
    ).toBe("Truea{(1, 2): 'b'}1");
    expect(render("{% set d = {} %}{% set _ = d.update({('x', 1): 1}) %}{{ d[('x', 1)] }}")).toBe('1');
  });
});
