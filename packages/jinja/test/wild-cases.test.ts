/**
 * Templates from the wild (issue: i18n, host objects' ordering, Python dates, `__class__`, extensions):
 * minimal cases whose expected outputs Python's Jinja2 3.1.6 recorded (conformance/record-wild.py).
 * Each renders through the conformance adapter's own mapping, in render, stream and renderAsync modes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM helper shared with the conformance adapters
import { renderCase } from '../conformance/render-case.mjs';
import * as jinja from '../src/index.js';

interface Case {
  id: string;
  expected?: string;
  error?: string;
}

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/jinja-wild-cases.json', import.meta.url), 'utf8'),
) as Case[];

async function outcome(mode: string, c: Case): Promise<string> {
  try {
    return `out:${await renderCase(jinja, c, mode)}`;
  } catch (e) {
    return `err:${(e as Error).name}`;
  }
}

describe('templates from the wild (Jinja2 3.1.6 outputs)', () => {
  for (const c of cases) {
    it(c.id, async () => {
      const want = c.error !== undefined ? `err:${c.error}` : `out:${c.expected}`;
      expect(await outcome('render', c)).toBe(want);
      expect(await outcome('stream', c)).toBe(want);
      expect(await outcome('async', c)).toBe(want);
    });
  }
});
