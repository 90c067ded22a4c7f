/**
 * The `POST /items` endpoint's schemas: the 1 KB order document of `/echo`, validated on the way in and on
 * the way out (201). One zod schema (Phial, and Fastify through fastify-type-provider-zod) and the same shape
 * as a plain JSON Schema (Fastify's own ajv + fast-json-stringify). Keys are in the document's order, so
 * every server answers with the request's bytes.
 */
import { z } from 'zod';

const LineItem = z.object({
  id: z.number().int(),
  name: z.string().min(1),
  price: z.number().nonnegative(),
  qty: z.number().int().positive(),
  sku: z.string().regex(/^SKU-\d+$/),
});

/** The zod schema (request body and 201 response). */
export const ItemZod = z.object({
  active: z.boolean(),
  address: z.object({ city: z.string(), country: z.string().length(2), street: z.string(), zip: z.string() }),
  comment: z.string().max(1000),
  email: z.email(),
  id: z.number().int(),
  items: z.array(LineItem).max(100),
  name: z.string().min(1),
  notes: z.string().nullable(),
  tags: z.array(z.string()).max(20),
  total: z.number(),
});

const lineItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string', minLength: 1 },
    price: { type: 'number', minimum: 0 },
    qty: { type: 'integer', exclusiveMinimum: 0 },
    sku: { type: 'string', pattern: '^SKU-\\d+$' },
  },
  required: ['id', 'name', 'price', 'qty', 'sku'],
  additionalProperties: false,
};

/** The same shape as a JSON Schema (draft 7, what Fastify's ajv compiles). */
export const ITEM_JSON_SCHEMA = {
  type: 'object',
  properties: {
    active: { type: 'boolean' },
    address: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        country: { type: 'string', minLength: 2, maxLength: 2 },
        street: { type: 'string' },
        zip: { type: 'string' },
      },
      required: ['city', 'country', 'street', 'zip'],
      additionalProperties: false,
    },
    comment: { type: 'string', maxLength: 1000 },
    email: { type: 'string', format: 'email' },
    id: { type: 'integer' },
    items: { type: 'array', items: lineItem, maxItems: 100 },
    name: { type: 'string', minLength: 1 },
    notes: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
    total: { type: 'number' },
  },
  required: ['active', 'address', 'comment', 'email', 'id', 'items', 'name', 'notes', 'tags', 'total'],
  additionalProperties: false,
};
