/**
 * The API's schemas (zod 4). Each one validates requests or responses and, through Standard JSON Schema,
 * describes them in the OpenAPI document; `.meta({ id })` names a schema there (`#/components/schemas/Book`).
 */
import { z } from 'zod';

/** What a client sends to create (or replace) a book. */
export const BookIn = z
  .object({
    title: z.string().trim().min(1).max(200),
    author: z.string().trim().min(1).max(100),
    year: z.number().int().min(1450).max(2100),
    isbn: z
      .string()
      .regex(/^(97[89])?\d{9}[\dX]$/, 'an ISBN-10 or ISBN-13, digits only')
      .optional(),
    tags: z.array(z.string().min(1).max(30)).max(10).default([]),
  })
  .strict()
  .meta({ id: 'BookIn', description: 'A new book (unknown fields are refused).' });

/** A partial update: every field optional. */
export const BookPatch = BookIn.partial()
  .strict()
  .meta({ id: 'BookPatch', description: 'Fields to change.' });

/** A stored book, as the API answers it. */
export const Book = z
  .object({
    id: z.number().int().min(1),
    title: z.string(),
    author: z.string(),
    year: z.number().int(),
    isbn: z.string().optional(),
    tags: z.array(z.string()),
  })
  .meta({ id: 'Book', description: 'A book of the catalogue.' });

/** The query of `GET /books`: paging and filters (query strings are text: Phial converts numbers). */
export const BookQuery = z.object({
  page: z.number().int().min(1).default(1),
  perPage: z.number().int().min(1).max(100).default(10),
  author: z.string().optional().describe('Only books by this author (case-insensitive).'),
  tag: z.array(z.string()).optional().describe('Only books with every one of these tags (repeat the key).'),
  q: z.string().optional().describe('Words to find in the title.'),
  sort: z.enum(['id', 'title', 'year']).default('id'),
});

/** One page of books. */
export const BookPage = z
  .object({
    items: z.array(Book),
    page: z.number().int(),
    perPage: z.number().int(),
    total: z.number().int(),
    pages: z.number().int(),
  })
  .meta({ id: 'BookPage' });

/** The body of 404 answers (FastAPI's shape). */
export const ErrorOut = z.object({ detail: z.string() }).meta({ id: 'Error' });

export type BookIn = z.output<typeof BookIn>;
export type Book = z.output<typeof Book>;
