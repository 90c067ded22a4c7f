import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { SecurityError } from '../src/errors.js';
import { StrictUndefined } from '../src/runtime/undefined.js';
import { ImmutableSandboxedEnvironment, SandboxedEnvironment, unsafeCallable } from '../src/sandbox.js';

const sandbox = new SandboxedEnvironment();
const run = (src: string, ctx: Record<string, unknown> = {}) => sandbox.fromString(src).render(ctx);

describe('SandboxedEnvironment', () => {
  it('renders ordinary templates', () => {
    expect(
      run('{% for x in items %}{{ x.name|upper }}{% endfor %}{{ d.get("k") }}', {
        items: [{ name: 'a' }],
        d: { k: 1 },
      }),
    ).toBe('A1');
  });

  it('blocks the Function constructor and prototype plumbing', () => {
    const attacks = [
      "{{ ''.constructor.constructor('return process')() }}",
      '{{ x.__proto__ }}',
      '{{ x["__proto__"] }}',
      '{{ f.constructor("return 1")() }}',
      '{{ f.prototype }}',
      '{{ x.constructor }}',
      '{{ f.call }}',
      '{{ x.__defineGetter__ }}',
      '{{ obj._private }}',
    ];
    const ctx = {
      x: {},
      f: () => 1,
      obj: new (class {
        _private = 1;
      })(),
    };
    // as in Jinja2, a refused attribute is an Undefined that raises SecurityError once used (called, or an
    // attribute read from it) and prints as nothing: either way nothing of it reaches the output
    const used = [attacks[0], attacks[3]];
    for (const src of attacks) {
      if (used.includes(src)) expect(() => run(src, ctx), src).toThrow(SecurityError);
      else expect(run(src, ctx), src).toBe('');
    }
    expect(() => run('{{ x.__proto__.y }}', ctx)).toThrow(SecurityError);
    expect(() =>
      new SandboxedEnvironment({ undefined: StrictUndefined }).fromString('{{ x.constructor }}').render(ctx),
    ).toThrow("access to attribute 'constructor' of 'dict' object is unsafe.");
  });

  it('reads dict items whatever their name, as Jinja2 checks attributes only (dbt keeps helpers under _ keys)', () => {
    const d = { _x: 1, _y: 2, _f: () => 3 };
    expect(run('{{ d._x }} {{ d["_y"] }} {{ d._f() }}', { d })).toBe('1 2 3');
    expect(run('{{ m._k }}', { m: new Map([['_k', 'map']]) })).toBe('map');
  });

  it('ImmutableSandboxedEnvironment refuses what changes a list, dict or set (Hugging Face chat templates)', () => {
    const env = new ImmutableSandboxedEnvironment({ trimBlocks: true, lstripBlocks: true });
    const r = (src: string) =>
      env.fromString(src).render({ d: { a: 1, update: 'u' }, s: new Set(), l: [3, 1] });
    for (const [src, msg] of [
      ['{% set x = [1] %}{{ x.append(2) }}', "access to attribute 'append' of 'list' object is unsafe."],
      ['{{ d.update({"a": 1}) }}', "access to attribute 'update' of 'dict' object is unsafe."],
      ['{{ d.pop("a") }}', "access to attribute 'pop' of 'dict' object is unsafe."],
      ['{{ s.add(1) }}', "access to attribute 'add' of 'Set' object is unsafe."],
      ['{{ l.push(1) }}', "access to attribute 'push' of 'list' object is unsafe."],
    ] as const) {
      expect(() => r(src), src).toThrow(msg);
    }
    // outputs recorded from Jinja2 3.1.6's ImmutableSandboxedEnvironment
    expect(r('{{ d["update"] }}')).toBe('u');
    expect(r('{% set ns = namespace(a=1) %}{% set ns.a = 2 %}{{ ns.a }}')).toBe('2');
    expect(r('{{ l|sort|list }} {{ l[::-1] }}')).toBe('[1, 3] [1, 3]');
    expect(r('{{ d.items()|list }} {{ d.get("a") }}')).toBe("[('a', 1), ('update', 'u')] 1");
  });

  it('refuses to call unsafe callables', () => {
    const danger = unsafeCallable(() => 'ran');
    expect(() => run('{{ danger() }}', { danger })).toThrow(SecurityError);
    expect(() => run('{{ fn("return 1") }}', { fn: Function })).toThrow(SecurityError);
  });

  it('keeps dict keys that share a name with prototype members readable', () => {
    expect(run('{{ d.call }}', { d: { call: 'ok' } })).toBe('ok');
  });
});

describe('non-sandboxed environments', () => {
  it('still hide JavaScript prototype plumbing from templates', () => {
    const env = new Environment();
    expect(
      env
        .fromString("[{{ ''.constructor }}][{{ x.__proto__ }}][{{ f.constructor }}][{{ [].map }}]")
        .render({ x: {}, f: () => 1 }),
    ).toBe('[][][][]');
    expect(() => env.fromString("{{ ''.constructor.constructor('return 1')() }}").render()).toThrow();
  });
});

describe('__proto__ keys', () => {
  it('stay ordinary keys in dict literals and keyword arguments', () => {
    const env = new Environment();
    expect(env.fromString("{{ {'__proto__': 1}['__proto__'] }}").render()).toBe('1');
    const seen: unknown[] = [];
    const f = (...a: unknown[]) => {
      seen.push(a[a.length - 1]);
      return '';
    };
    env.fromString('{{ f(__proto__=2) }}{{ f(**{"__proto__": 3}) }}').render({ f });
    expect(seen.map((k) => Object.getOwnPropertyDescriptor(k, '__proto__')?.value)).toEqual([2, 3]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
