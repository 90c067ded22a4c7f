// The one mapping from a conformance case to @phial/jinja's API, shared by the adapter for the built package
// and the one for the TypeScript sources, so both measure the same thing. Besides the corpus's options it
// understands the regression set's extras (test/fixtures/jinja-wild-cases.json, recorded by
// record-wild.py): tagged context values standing for Python objects, and `options.i18n`.
export function renderCase(jinja, c, mode = 'render') {
  const o = c.options || {};
  const undefinedClasses = {
    default: jinja.Undefined,
    strict: jinja.StrictUndefined,
    chainable: jinja.ChainableUndefined,
  };
  const env = new jinja.Environment({
    loader: new jinja.DictLoader({ ...(c.templates || {}), main: c.template }),
    autoescape: !!o.autoescape,
    trimBlocks: !!o.trim_blocks,
    lstripBlocks: !!o.lstrip_blocks,
    keepTrailingNewline: !!o.keep_trailing_newline,
    ...(o.undefined ? { undefined: undefinedClasses[o.undefined] } : {}),
    ...(o.extensions ? { extensions: o.extensions } : {}),
  });
  if (o.i18n) {
    const spec = o.i18n;
    if (spec.trimmed) env.policies['ext.i18n.trimmed'] = true;
    env.installGettextTranslations(catalog(spec), !!spec.newstyle);
  }
  const tpl = env.getTemplate('main');
  const vars = decode(jinja, c.context || {});
  if (mode === 'stream') return [...tpl.stream(vars)].join('');
  if (mode === 'async') return tpl.renderAsync(vars);
  return String(tpl.render(vars));
}

function catalog(spec) {
  const forms = (table, key, s, p, n) => {
    const f = table?.[key];
    return f ? (n === 1 ? f[0] : f[1]) : n === 1 ? s : p;
  };
  return {
    gettext: (m) => spec.catalog?.[m] ?? m,
    ngettext: (s, p, n) => forms(spec.plural, s, s, p, n),
    pgettext: (c, m) => spec.context?.[`${c}\u0004${m}`] ?? m,
    npgettext: (c, s, p, n) => forms(spec.context_plural, `${c}\u0004${s}`, s, p, n),
  };
}

/** Host objects the regression set uses (record-wild.py defines their Python twins). */
class Lt {
  constructor(name, key) {
    this.name = name;
    this.key = key;
  }
  __lt__(o) {
    return this.key < o.key;
  }
  toString() {
    return this.name;
  }
}
class Ordered extends Lt {
  __le__(o) {
    return this.key <= o.key;
  }
  __gt__(o) {
    return this.key > o.key;
  }
  __ge__(o) {
    return this.key >= o.key;
  }
  __eq__(o) {
    return o instanceof Ordered && this.key === o.key;
  }
}
class Money {
  constructor(cents) {
    this.cents = cents;
  }
  other(o) {
    return o instanceof Money ? o.cents : Math.trunc(Number(o) * 100);
  }
  __add__(o) {
    return new Money(this.cents + this.other(o));
  }
  __radd__(o) {
    return this.__add__(o);
  }
  __sub__(o) {
    return new Money(this.cents - this.other(o));
  }
  __rsub__(o) {
    return new Money(this.other(o) - this.cents);
  }
  __mul__(n) {
    return new Money(this.cents * n);
  }
  __rmul__(n) {
    return this.__mul__(n);
  }
  __neg__() {
    return new Money(-this.cents);
  }
  __abs__() {
    return new Money(Math.abs(this.cents));
  }
  __int__() {
    return Math.floor(this.cents / 100);
  }
  __float__() {
    return this.cents / 100;
  }
  __lt__(o) {
    return this.cents < o.cents;
  }
  __eq__(o) {
    return o instanceof Money && o.cents === this.cents;
  }
  __str__() {
    const a = Math.abs(this.cents);
    return `${this.cents < 0 ? '-' : ''}$${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  }
}
class Bag {
  constructor(items) {
    this.items = items;
  }
  __getitem__(i) {
    const j = i < 0 ? this.items.length + i : i;
    if (j < 0 || j >= this.items.length) {
      const e = new Error('list index out of range');
      e.name = 'IndexError';
      throw e;
    }
    return this.items[j];
  }
  __iter__() {
    return this.items[Symbol.iterator]();
  }
  __len__() {
    return this.items.length;
  }
  __contains__(x) {
    return this.items.includes(x);
  }
  __bool__() {
    return this.items.length > 0;
  }
  __reversed__() {
    return this.items
      .map((x) => `r${x}`)
      .reverse()
      [Symbol.iterator]();
  }
}
class Enum {}
class Color extends Enum {
  constructor(name, value) {
    super();
    this.name = name;
    this.value = value;
  }
  toString() {
    return `Color.${this.name}`;
  }
}
const COLORS = { RED: new Color('RED', 1), GREEN: new Color('GREEN', 2) };

function decode(jinja, v) {
  if (Array.isArray(v)) return v.map((x) => decode(jinja, x));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const x = v[keys[0]];
    switch (keys[0]) {
      case '$datetime': {
        const [d, t = '00:00:00'] = x.split('T');
        const [y, m, day] = d.split('-').map(Number);
        const [hh, mm, ss] = t.split(':');
        const sec = Number(ss);
        return new Date(y, m - 1, day, Number(hh), Number(mm), Math.floor(sec), Math.round((sec % 1) * 1000));
      }
      case '$date': {
        const [y, m, day] = x.split('-').map(Number);
        return new jinja.PyDate(y, m, day);
      }
      case '$time': {
        const [hh, mm, ss] = x.split(':').map(Number);
        return new jinja.PyTime(hh, mm, ss);
      }
      case '$timedelta':
        return new jinja.TimeDelta(x);
      case '$lt':
        return new Lt(x.name, x.key);
      case '$ordered':
        return new Ordered(x.name, x.key);
      case '$enum':
        return COLORS[x];
      case '$money':
        return new Money(x);
      case '$bag':
        return new Bag(decode(jinja, x));
      case '$tuple':
        return Object.freeze(x.map((i) => decode(jinja, i)));
    }
  }
  const out = {};
  for (const k of keys) out[k] = decode(jinja, v[k]);
  return out;
}
