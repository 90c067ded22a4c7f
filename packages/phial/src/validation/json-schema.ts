/**
 * Reading a Standard Schema's JSON Schema (Standard JSON Schema, `~standard.jsonSchema`: zod 4.2+, arktype,
 * valibot through `toStandardJsonSchema`). Used by OpenAPI and by query/form shaping. Never throws: a schema
 * that cannot be converted gives null.
 */
import type { AnySchema } from './types.js';

/** A JSON Schema object (draft 2020-12, OpenAPI 3.1's dialect). */
export type JSONSchema = Record<string, unknown>;

/** Converts a schema the library cannot describe itself (for example a plain valibot schema). */
export type SchemaConverter = (schema: AnySchema, io: 'input' | 'output') => JSONSchema | null | undefined;

interface JsonSchemaConverter {
  input(options: { target: string; libraryOptions?: Record<string, unknown> }): JSONSchema;
  output(options: { target: string; libraryOptions?: Record<string, unknown> }): JSONSchema;
}

const OPTIONS = {
  target: 'draft-2020-12',
  // zod: types JSON cannot express (dates, bigints, ...) become `{}` instead of throwing
  libraryOptions: { unrepresentable: 'any' },
};

const cache = {
  input: new WeakMap<object, JSONSchema | null>(),
  output: new WeakMap<object, JSONSchema | null>(),
};

/** True when the value is a Standard Schema. */
export function isStandardSchema(value: unknown): value is AnySchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const std = (value as { '~standard'?: { validate?: unknown } })['~standard'];
  return typeof std === 'object' && std !== null && typeof std.validate === 'function';
}

/** The schema's JSON Schema for its input or output side, or null when it has none (or conversion failed). */
export function jsonSchemaOf(
  schema: AnySchema,
  io: 'input' | 'output',
  converter?: SchemaConverter | null,
): JSONSchema | null {
  const store = cache[io];
  if (!converter && store.has(schema)) return store.get(schema) ?? null;
  let out: JSONSchema | null = null;
  const conv = (schema['~standard'] as { jsonSchema?: JsonSchemaConverter }).jsonSchema;
  try {
    if (conv && typeof conv[io] === 'function') out = conv[io](OPTIONS);
  } catch {
    out = null;
  }
  if (out === null && converter) {
    try {
      out = converter(schema, io) ?? null;
    } catch {
      out = null;
    }
  }
  if (!converter) store.set(schema, out);
  return out;
}
