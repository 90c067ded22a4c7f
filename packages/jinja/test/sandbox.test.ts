import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { SecurityError } from '../src/errors.js';
import { SandboxedEnvironment, unsafeCallable } from '../src/sandbox.js';

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
    for (const src of attacks) {
      expect(() => run(src, { x: {}, f: () => 1, obj: { _private: 1 } }), src).toThrow(SecurityError);
    }
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
