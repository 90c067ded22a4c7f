/**
 * How text-only sources (query string, form fields, headers, cookies) become the object a schema validates.
 * When the schema publishes a JSON Schema, each key's declared type decides: arrays receive every value of a
 * repeated key, numbers/integers receive a number when the text is one, booleans receive true/false for
 * `true/1/yes/on` and `false/0/no/off`. Keys the JSON Schema types as strings (or does not type) stay text.
 * Without a JSON Schema, values stay strings and a repeated key becomes an array.
 */
import type { JSONSchema } from './json-schema.js';

/** What one key of an object schema wants. */
interface KeyShape {
  array: boolean;
  /** Scalar types of the value (of the items for arrays). */
  types: Set<string>;
}

/** Key → what it wants; `null` when the schema said nothing usable (the fallback rule applies). */
export type Shape = Map<string, KeyShape> | null;

function resolve(node: unknown, root: JSONSchema, depth = 0): JSONSchema | null {
  if (typeof node !== 'object' || node === null || depth > 16) return null;
  const n = node as JSONSchema;
  const ref = n.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    let cur: unknown = root;
    for (const part of ref.slice(2).split('/')) {
      if (typeof cur !== 'object' || cur === null) return null;
      cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return resolve(cur, root, depth + 1);
  }
  return n;
}

/** Every alternative of a node (anyOf/oneOf flattened), resolved. */
function alternatives(node: unknown, root: JSONSchema, out: JSONSchema[] = [], depth = 0): JSONSchema[] {
  const n = resolve(node, root);
  if (n === null || depth > 8) return out;
  const alts = (n.anyOf ?? n.oneOf) as unknown[] | undefined;
  if (Array.isArray(alts)) for (const a of alts) alternatives(a, root, out, depth + 1);
  else out.push(n);
  return out;
}

function typesOf(n: JSONSchema): string[] {
  const t = n.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if ('const' in n) return [typeof n.const === 'number' ? 'number' : typeof n.const];
  if (Array.isArray(n.enum))
    return [...new Set(n.enum.map((e) => (typeof e === 'number' ? 'number' : typeof e)))];
  return [];
}

function keyShape(prop: unknown, root: JSONSchema): KeyShape {
  const shape: KeyShape = { array: false, types: new Set() };
  for (const alt of alternatives(prop, root)) {
    for (const t of typesOf(alt)) {
      if (t === 'array') {
        shape.array = true;
        const items = alt.items;
        for (const item of alternatives(items, root)) for (const it of typesOf(item)) shape.types.add(it);
      } else shape.types.add(t);
    }
  }
  return shape;
}

/** Reads the keys of an object JSON Schema (following `$ref`, `allOf`, `anyOf`). */
export function shapeOf(schema: JSONSchema | null): Shape {
  if (schema === null) return null;
  const out = new Map<string, KeyShape>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 8) return;
    for (const alt of alternatives(node, schema)) {
      const props = alt.properties;
      if (typeof props === 'object' && props !== null) {
        for (const [k, p] of Object.entries(props as Record<string, unknown>)) {
          const ks = keyShape(p, schema);
          const prev = out.get(k);
          if (prev === undefined) out.set(k, ks);
          else {
            prev.array ||= ks.array;
            for (const t of ks.types) prev.types.add(t);
          }
        }
      }
      if (Array.isArray(alt.allOf)) for (const part of alt.allOf) visit(part, depth + 1);
    }
  };
  visit(schema, 0);
  return out.size ? out : null;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Converts one text value to what the key's types want (text when they also accept strings). */
export function coerceText(value: unknown, types: Set<string>): unknown {
  if (typeof value !== 'string' || types.size === 0 || types.has('string')) return value;
  if ((types.has('number') || types.has('integer')) && NUMBER.test(value)) return Number(value);
  if (types.has('boolean')) {
    const v = value.toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
  }
  if (types.has('null') && value === '') return null;
  return value;
}

/** An object from multi-valued text entries (`MultiDict`s), shaped as the schema wants. */
export function shapeMulti<V>(
  keys: Iterable<string>,
  getAll: (key: string) => V[],
  shape: Shape,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const key of keys) {
    const values = getAll(key);
    const ks = shape?.get(key);
    if (ks === undefined) {
      // no schema type for the key: one value stays one value, repeated values become an array
      into[key] = values.length === 1 ? values[0] : values;
    } else if (ks.array) {
      into[key] = values.map((v) => coerceText(v, ks.types));
    } else {
      into[key] = coerceText(values[0], ks.types);
    }
  }
  return into;
}

/** An object from single-valued text entries (headers, cookies), shaped as the schema wants. */
export function shapeSingle(entries: Iterable<[string, string]>, shape: Shape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const ks = shape?.get(key);
    if (ks === undefined) out[key] = value;
    else if (ks.array) out[key] = value.split(',').map((v) => coerceText(v.trim(), ks.types));
    else out[key] = coerceText(value, ks.types);
  }
  return out;
}
