/**
 * Builtins rendered through the engine against outputs recorded from real Jinja2 3.1.6 (the
 * fixture lists each template with the exact output or the exception class Jinja2 produced).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChainableUndefined, Environment, StrictUndefined, Undefined } from '../../src/index.js';

interface ParityCase {
  template: string;
  autoescape?: boolean;
  undefined?: 'default' | 'strict' | 'chainable';
  context?: 'shared' | 'context6';
  expected?: string;
  error?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/jinja-parity.json', import.meta.url), 'utf8'),
) as {
  context: Record<string, unknown>;
  context6: Record<string, unknown>;
  cases: ParityCase[];
};
const UNDEFINED = { default: Undefined, strict: StrictUndefined, chainable: ChainableUndefined };

const envs = new Map<string, Environment>();

function render(c: ParityCase): { ok: string } | { err: string } {
  const key = `${c.undefined ?? 'default'}/${!!c.autoescape}`;
  let env = envs.get(key);
  if (!env) {
    env = new Environment({ autoescape: !!c.autoescape, undefined: UNDEFINED[c.undefined ?? 'default'] });
    envs.set(key, env);
  }
  try {
    return {
      ok: String(
        env
          .fromString(c.template)
          .render(
            c.context ? structuredClone(c.context === 'shared' ? fixture.context : fixture.context6) : {},
          ),
      ),
    };
  } catch (e) {
    return { err: (e as Error).name };
  }
}

describe('parity with Jinja2 3.1.6', () => {
  it(`matches ${fixture.cases.length} recorded renders`, () => {
    const mismatches: string[] = [];
    for (const c of fixture.cases) {
      const got = render(c);
      const want = c.error !== undefined ? { err: c.error } : { ok: c.expected };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(
          `${c.template} [${c.undefined ?? ''}${c.autoescape ? ' autoescape' : ''}]\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });
});
