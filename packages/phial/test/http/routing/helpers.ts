import { expect } from 'vitest';
import type { RuleOptions, UrlMapOptions } from '../../../src/http/routing/index.js';
import { Rule, UrlMap } from '../../../src/http/routing/index.js';

/** A map from `[rule, options]` pairs (or bare rule strings, endpoint = rule). */
export function makeMap(rules: (string | [string, RuleOptions])[], opts?: UrlMapOptions): UrlMap {
  const map = new UrlMap(opts);
  for (const r of rules) {
    if (typeof r === 'string') map.add(new Rule(r));
    else map.add(new Rule(r[0], r[1]));
  }
  return map;
}

/** Runs `fn`, expects it to throw an instance of `cls`, returns the error. */
export function catchError<T extends Error>(fn: () => unknown, cls: abstract new (...args: never[]) => T): T {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(cls);
  return caught as T;
}
