import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { DictLoader } from '../src/loaders.js';

describe('renderAsync and stream', () => {
  const env = new Environment({
    autoescape: true,
    loader: new DictLoader({
      'base.html': '[{% block b %}{% endblock %}]',
      'page.html':
        '{% extends "base.html" %}{% import "m.html" as m %}{% block b %}{{ m.hi(user()) }}{% for x in items() %}{{ x }}{% endfor %}{{ later }}{% endblock %}',
      'm.html': '{% macro hi(n) %}hi {{ n }};{% endmacro %}',
    }),
  });

  it('awaits promises in the context and returned by calls', async () => {
    const out = await env.getTemplate('page.html').renderAsync({
      user: async () => '<bob>',
      items: async () => ['a', 'b'],
      later: new Promise((r) => setTimeout(() => r('L'), 5)),
    });
    expect(out).toBe('[hi &lt;bob&gt;;abL]');
  });

  it('loops over async iterables', async () => {
    async function* gen() {
      yield 1;
      yield 2;
    }
    expect(
      await env.fromString('{% for x in g %}{{ loop.index }}:{{ x }};{% endfor %}').renderAsync({ g: gen() }),
    ).toBe('1:1;2:2;');
  });

  it('rejects with the template error', async () => {
    await expect(
      env.fromString('{{ f() }}').renderAsync({
        f: async () => {
          throw new RangeError('boom');
        },
      }),
    ).rejects.toThrow('boom');
    await expect(env.fromString('{{ x.y }}').renderAsync({})).rejects.toThrow("'x' is undefined");
  });

  it('streams lazily: early chunks arrive before later parts run', () => {
    let called = false;
    const t = env.fromString('{% for i in range(5000) %}{{ i }},{% endfor %}{{ boom() }}');
    const it = t.stream({
      boom: () => {
        called = true;
        return 'end';
      },
    });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(String(first.value).startsWith('0,1,2,')).toBe(true);
    expect(called).toBe(false);
    const rest = [...it].join('');
    expect(called).toBe(true);
    expect(rest.endsWith('4999,end')).toBe(true);
  });

  it('streams inherited blocks and super()', () => {
    const e = new Environment({
      loader: new DictLoader({
        'b.html': '<{% block a %}A{% endblock %}>{% include "i.html" %}',
        'c.html': '{% extends "b.html" %}{% block a %}[{{ super() }}]{% endblock %}',
        'i.html': 'inc',
      }),
    });
    expect([...e.getTemplate('c.html').stream()].join('')).toBe('<[A]>inc');
  });

  it('streams the output as chunks that join to render()', () => {
    const t = env.fromString('{% for i in range(3000) %}{{ i }},{% endfor %}');
    const chunks = [...t.stream()];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(t.render());
  });
});
