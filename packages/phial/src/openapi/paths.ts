/**
 * Rules as OpenAPI paths: `/users/<int(min=1):id>` → `/users/{id}` with a path parameter typed from the
 * converter (`integer`, `minimum: 1`). Custom converters are strings with their regex as `pattern`.
 */
import {
  AnyConverter,
  type Converter,
  FloatConverter,
  IntegerConverter,
  PathConverter,
  type Rule,
  StringConverter,
  UUIDConverter,
} from '../http/routing/index.js';
import { tokenizeRule } from '../http/routing/parse.js';
import type { JSONSchema } from '../validation/json-schema.js';

/** The OpenAPI path template of a rule. */
export function openapiPath(rule: Rule): string {
  let out = '';
  for (const t of tokenizeRule(rule.rule)) {
    if (t.kind === 'slash') out += '/';
    else if (t.kind === 'static') out += t.text;
    else out += `{${t.name}}`;
  }
  return out || '/';
}

/** Names of the rule's path placeholders, in order. */
export function pathNames(rule: Rule): string[] {
  const out: string[] = [];
  for (const t of tokenizeRule(rule.rule)) if (t.kind === 'var') out.push(t.name);
  return out;
}

function lengths(regex: string): { minLength?: number; maxLength?: number } {
  const exact = /^\[\^\/\]\{(\d+)\}$/.exec(regex);
  if (exact) return { minLength: Number(exact[1]), maxLength: Number(exact[1]) };
  const range = /^\[\^\/\]\{(\d+),(\d*)\}$/.exec(regex);
  if (range) {
    const out: { minLength?: number; maxLength?: number } = { minLength: Number(range[1]) };
    if (range[2]) out.maxLength = Number(range[2]);
    return out;
  }
  return { minLength: 1 };
}

/** The JSON Schema of a converter's values. */
export function converterSchema(conv: Converter | undefined): JSONSchema {
  if (conv === undefined) return { type: 'string' };
  if (conv instanceof IntegerConverter || conv instanceof FloatConverter) {
    const out: JSONSchema = { type: conv instanceof IntegerConverter ? 'integer' : 'number' };
    const min = conv.min ?? (conv.signed ? null : 0);
    if (min !== null) out.minimum = min;
    if (conv.max !== null) out.maximum = conv.max;
    return out;
  }
  if (conv instanceof UUIDConverter) return { type: 'string', format: 'uuid' };
  if (conv instanceof AnyConverter) return { type: 'string', enum: [...conv.items] };
  if (conv instanceof PathConverter) return { type: 'string', description: 'May contain slashes.' };
  const regex = (conv as { regex?: string }).regex ?? '[^/]+';
  if (conv instanceof StringConverter) return { type: 'string', ...lengths(regex) };
  return { type: 'string', pattern: `^${regex}$` };
}
