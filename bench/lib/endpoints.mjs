/**
 * The benchmarked endpoints, the frameworks, and the exact response each must give.
 * Shared by the runner (which checks a response before loading a server) and the tests.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EXTRA_FORTUNE, FORTUNES, HTML_TYPE, JSON_TYPE, TEXT_TYPE } from '../servers/data.mjs';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const SERVERS_DIR = fileURLToPath(new URL('../servers/', import.meta.url));
export const WRK_DIR = fileURLToPath(new URL('../wrk/', import.meta.url));

/**
 * The 1 KB JSON document POSTed to /echo, its keys in a natural order (not sorted): a framework that sorts
 * keys (Phial, like Flask) does that work, and answers are compared as JSON (see `json` below).
 */
export const ECHO_OBJECT = {
  id: 123456,
  name: 'Jane Doe',
  email: 'jane.doe@example.com',
  active: true,
  address: {
    street: '742 Evergreen Terrace',
    city: 'Springfield',
    zip: '49007',
    country: 'US',
  },
  items: [
    {
      sku: 'SKU-1037',
      name: 'Item number 1 with a longer name',
      qty: 2,
      price: 3.75,
      id: 1,
    },
    {
      sku: 'SKU-1074',
      name: 'Item number 2 with a longer name',
      qty: 3,
      price: 6.75,
      id: 2,
    },
    {
      sku: 'SKU-1111',
      name: 'Item number 3 with a longer name',
      qty: 1,
      price: 9.75,
      id: 3,
    },
    {
      sku: 'SKU-1148',
      name: 'Item number 4 with a longer name',
      qty: 2,
      price: 12.75,
      id: 4,
    },
    {
      sku: 'SKU-1185',
      name: 'Item number 5 with a longer name',
      qty: 3,
      price: 15.75,
      id: 5,
    },
    {
      sku: 'SKU-1222',
      name: 'Item number 6 with a longer name',
      qty: 1,
      price: 18.75,
      id: 6,
    },
  ],
  total: 123.45,
  tags: ['alpha', 'beta', 'gamma', 'delta'],
  notes: null,
  comment:
    'Please leave the parcel at the back door next to the blue recycling bin and ring twice. Please leave the parcel at the back door next to the blue recycling bin and ring twice. Please leave the parcel at the back door next to.',
};
/** Its compact serialization: the request body, and the exact response body expected back. */
export const ECHO_BODY = JSON.stringify(ECHO_OBJECT);

/** Write the echo body to a temporary file for wrk's Lua script (kept out of the tree: formatters would reflow it). */
export function echoBodyFile() {
  const file = `${tmpdir()}/phial-bench-echo-body-${process.pid}.json`;
  writeFileSync(file, ECHO_BODY);
  process.once('exit', () => rmSync(file, { force: true }));
  return file;
}

/** Framework name → server file; the order is the interleaving order of the rounds. */
export const FRAMEWORKS = [
  'phial',
  'phial-node',
  'phial-hooks',
  'fastify',
  'fastify-zod',
  'express',
  'hono',
  'node',
];
/** The frameworks of the endpoints that do not list their own (fastify-zod serves only `items`). */
const GENERAL_FRAMEWORKS = FRAMEWORKS.filter((f) => f !== 'fastify-zod');

/** Jinja (markupsafe) escaping, as Phial's engine does it. */
export function escapeHtml(s) {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}

/**
 * Nunjucks spells the escaped double quote `&quot;` (and a backslash `&#92;`) where Jinja writes `&#34;`:
 * the same HTML, different bytes. Fortunes bodies are compared after this normalization.
 */
export function normalizeEntities(html) {
  return html.replace(/&quot;/g, '&#34;').replace(/&#92;/g, '\\');
}

function expectedFortunes() {
  const list = [...FORTUNES, { id: 0, message: EXTRA_FORTUNE }];
  list.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const rows = list.map((f) => `<tr><td>${f.id}</td><td>${escapeHtml(f.message)}</td></tr>\n`).join('');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head><title>Fortunes</title></head>\n<body>\n<table>\n' +
    '<tr><th>id</th><th>message</th></tr>\n' +
    rows +
    '</table>\n</body>\n</html>'
  );
}

/**
 * @typedef {object} Endpoint
 * @property {string} name
 * @property {string} method
 * @property {string} path        the URL checked before load, and loaded unless `script` is set
 * @property {string | undefined} script      wrk Lua script in bench/wrk/
 * @property {(() => string[]) | undefined} scriptArgs arguments after `--` (computed when a run starts)
 * @property {string | undefined} requestBody
 * @property {number | undefined} status   expected status (default 200)
 * @property {string} type        expected Content-Type
 * @property {string} body        expected body
 * @property {boolean | undefined} html  compare after normalizeEntities
 * @property {boolean | undefined} json  compare as JSON values (key order aside: Phial sorts keys like Flask)
 * @property {string[]} frameworks
 */

/** @type {Endpoint[]} */
export const ENDPOINTS = [
  { name: 'plaintext', method: 'GET', path: '/plaintext', type: TEXT_TYPE, body: 'Hello, World!' },
  { name: 'json', method: 'GET', path: '/json', type: JSON_TYPE, body: '{"message":"Hello, World!"}' },
  {
    name: 'routes',
    method: 'GET',
    path: '/api/v1/resource99/1693',
    script: 'get-routes.lua',
    type: JSON_TYPE,
    body: '{"resource":99,"id":1693}',
  },
  { name: 'params', method: 'GET', path: '/user/42/posts/7', type: JSON_TYPE, body: '{"user":42,"post":7}' },
  { name: 'hooks', method: 'GET', path: '/hooks', type: TEXT_TYPE, body: 'ok' },
  {
    name: 'echo',
    method: 'POST',
    path: '/echo',
    script: 'post-echo.lua',
    scriptArgs: () => [echoBodyFile()],
    requestBody: ECHO_BODY,
    type: JSON_TYPE,
    body: ECHO_BODY,
    json: true,
  },
  {
    name: 'fortunes',
    method: 'GET',
    path: '/fortunes',
    type: HTML_TYPE,
    body: expectedFortunes(),
    html: true,
    frameworks: ['phial', 'phial-node', 'fastify', 'express'],
  },
  {
    // typed validation: the echo document validated in (body) and out (201 response); Phial + zod, Fastify +
    // the same zod schema (fastify-type-provider-zod), Fastify + the same shape as JSON Schema (ajv)
    name: 'items',
    method: 'POST',
    path: '/items',
    script: 'post-echo.lua',
    scriptArgs: () => [echoBodyFile()],
    requestBody: ECHO_BODY,
    status: 201,
    type: JSON_TYPE,
    body: ECHO_BODY,
    json: true,
    frameworks: ['phial', 'phial-node', 'fastify-zod', 'fastify'],
  },
].map((e) => ({ frameworks: GENERAL_FRAMEWORKS, ...e }));

/** What the wrk routes script requests: every resource route once per 100 requests. */
export function resourceUrls() {
  const urls = [];
  for (let i = 0; i < 100; i++)
    urls.push({
      path: `/api/v1/resource${i}/${1000 + i * 7}`,
      body: `{"resource":${i},"id":${1000 + i * 7}}`,
    });
  return urls;
}

/** JSON text re-serialized with sorted keys at every level (unparsable text is returned as is). */
export function canonicalJson(text) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * Compare a response with what the endpoint must answer. Returns null when it matches, else a short reason.
 * @param {Endpoint} ep
 * @param {{ status: number, type: string | null, body: string }} res
 */
export function checkResponse(ep, res, expectedBody = ep.body) {
  if (res.status !== (ep.status ?? 200))
    return `status ${res.status}: ${res.body.slice(0, 120).replace(/\s+/g, ' ')}`;
  if (res.type !== ep.type)
    return `Content-Type ${JSON.stringify(res.type)} (expected ${JSON.stringify(ep.type)})`;
  const got = ep.html ? normalizeEntities(res.body) : ep.json ? canonicalJson(res.body) : res.body;
  const want = ep.html
    ? normalizeEntities(expectedBody)
    : ep.json
      ? canonicalJson(expectedBody)
      : expectedBody;
  if (got !== want) {
    let i = 0;
    while (i < got.length && got[i] === want[i]) i++;
    return `body differs at byte ${i}: got ${JSON.stringify(got.slice(Math.max(0, i - 20), i + 40))}, expected ${JSON.stringify(want.slice(Math.max(0, i - 20), i + 40))}`;
  }
  return null;
}
