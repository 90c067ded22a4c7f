/** The extension API beyond what Jinja2-recorded cases show: names, the gettext install methods, debug. */
import { describe, expect, it } from 'vitest';
import { Environment, Markup, PyDate, pyClassOf, SandboxedEnvironment, TimeDelta } from '../src/index.js';

describe('extensions', () => {
  it('accept short and Jinja names, normalised, and refuse unknown ones at construction', () => {
    const env = new Environment({
      extensions: ['i18n', 'jinja2.ext.do', 'jinja2.ext.LoopControlExtension', 'jinja2.ext.debug', 'do'],
    });
    expect(env.extensions).toEqual(['i18n', 'do', 'loopcontrols', 'debug']);
    expect(() => new Environment({ extensions: ['bogus'] })).toThrow("No module named 'bogus'");
    expect(() => new Environment({ extensions: ['jinja2.ext.autoescape'] })).toThrow(
      "module 'jinja2.ext' has no attribute 'autoescape'",
    );
    expect(() => env.addExtension('jinja2.ext.nope')).toThrow(/has no attribute 'nope'/);
  });

  it('install, replace and uninstall gettext callables', () => {
    const env = new Environment({ extensions: ['i18n'], autoescape: true });
    env.installGettextCallables(
      (s) => `T(${String(s)})`,
      (s, p, n) => (n === 1 ? `S(${String(s)})` : `P(${String(p)})`),
    );
    const t =
      '{% trans %}Hi {{ name }}{% endtrans %}|{{ _("x") }}|{% trans count=2 %}a{% pluralize %}b{% endtrans %}';
    expect(env.fromString(t).render({ name: '<i>' })).toBe('T(Hi &lt;i&gt;)|T(x)|P(b)');
    env.installNullTranslations(true);
    expect(env.newstyleGettext).toBe(true);
    expect(env.fromString('{{ _("%(n)s%%", n="<b>") }}').render()).toBe('&lt;b&gt;%');
    env.uninstallGettextTranslations();
    expect(() => env.fromString('{{ gettext("x") }}').render()).toThrow(/'gettext' is undefined/);
  });

  it('debug dumps the context and the filter and test names', () => {
    const env = new Environment({ extensions: ['debug'] });
    const out = env.fromString('{% set y = 2 %}{% for i in [1] %}{% debug %}{% endfor %}').render({ a: 'A' });
    expect(out).toMatch(/^\{'context': \{'a': 'A',/);
    expect(out).toContain("'i': 1");
    expect(out).toContain("'y': 2");
    expect(out).toContain("'filters': ['abs', 'attr',");
    expect(out).toContain("'tests': ['!=', '<',");
  });
});

describe('Python protocols on JavaScript values', () => {
  it('__class__ gives read-only records; functions have __name__', () => {
    const env = new Environment();
    class Base {}
    class Item extends Base {}
    expect(
      env
        .fromString('{{ x.__class__.__name__ }}/{{ x.__class__.__base__.__name__ }}')
        .render({ x: new Item() }),
    ).toBe('Item/Base');
    expect(
      env
        .fromString('{{ f.__name__ }} {{ m.__class__ }}')
        .render({ f: function show() {}, m: new Markup('') }),
    ).toBe("show <class 'markupsafe.Markup'>");
    expect(Object.isFrozen(pyClassOf(1))).toBe(true);
    expect(() => {
      (pyClassOf(1) as { __name__: string }).__name__ = 'x';
    }).toThrow(TypeError);
  });

  it('the sandbox still refuses __class__', () => {
    const env = new SandboxedEnvironment();
    expect(() => env.fromString('{{ (5).__class__.__name__ }}').render()).toThrow();
  });

  it('TimeDelta and PyDate from JavaScript', () => {
    expect(String(new TimeDelta({ weeks: 1, hours: 25, milliseconds: 5 }))).toBe('8 days, 1:00:00.005000');
    expect(new TimeDelta(1, 30).totalSeconds()).toBe(86430);
    expect(JSON.stringify({ d: new PyDate(2024, 2, 29), t: new TimeDelta({ minutes: 1 }) })).toBe(
      '{"d":"2024-02-29","t":60}',
    );
    expect(() => new PyDate(2023, 2, 29)).toThrow('day is out of range for month');
    expect(new PyDate(1, 1, 1).toordinal()).toBe(1);
    expect(new PyDate(2024, 3, 14).toordinal()).toBe(738959);
  });
});
