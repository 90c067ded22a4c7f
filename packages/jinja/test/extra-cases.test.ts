/**
 * Edge cases beyond the shared conformance corpus (scoping, whitespace, inheritance, autoescape,
 * loop controls, errors). Expected outputs were produced by Python Jinja2 3.1.6; every case is
 * rendered three ways: render, stream and renderAsync.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Environment } from '../src/environment.js';
import { DictLoader } from '../src/loaders.js';
import { ChainableUndefined, StrictUndefined, Undefined } from '../src/runtime/undefined.js';

interface Case {
  id: string;
  template: string;
  context: Record<string, unknown>;
  templates: Record<string, string>;
  options: {
    autoescape?: boolean;
    trim_blocks?: boolean;
    lstrip_blocks?: boolean;
    undefined?: string;
    extensions?: string[];
  };
  expected?: string;
  error?: string;
}

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/jinja-extra-cases.json', import.meta.url), 'utf8'),
) as Case[];
const UNDEF = { default: Undefined, strict: StrictUndefined, chainable: ChainableUndefined } as const;

function envFor(c: Case): Environment {
  const o = c.options;
  return new Environment({
    loader: new DictLoader({ ...c.templates, main: c.template }),
    autoescape: !!o.autoescape,
    trimBlocks: !!o.trim_blocks,
    lstripBlocks: !!o.lstrip_blocks,
    undefined: UNDEF[(o.undefined ?? 'default') as keyof typeof UNDEF],
    extensions: o.extensions ?? [],
  });
}

async function outcome(run: () => string | Promise<string>): Promise<string> {
  try {
    return `out:${await run()}`;
  } catch (e) {
    return `err:${(e as Error).name}`;
  }
}

describe('Jinja2 3.1.6 edge cases', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const want = c.error !== undefined ? `err:${c.error}` : `out:${c.expected}`;
      expect(await outcome(() => envFor(c).getTemplate('main').render(c.context))).toBe(want);
      expect(await outcome(() => [...envFor(c).getTemplate('main').stream(c.context)].join(''))).toBe(want);
      expect(await outcome(() => envFor(c).getTemplate('main').renderAsync(c.context))).toBe(want);
    });
  }
});
