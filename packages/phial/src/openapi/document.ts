/**
 * Builds the OpenAPI 3.1 document of an app from its rules and the schemas in their options. JSON Schemas
 * come from Standard JSON Schema; the `$defs` a library emits (zod's `.meta({ id })`) and the schemas named
 * in the options become `components.schemas`.
 */
import type { Phial } from '../app/phial.js';
import type { Rule } from '../http/routing/index.js';
import type { DocumentedRule, RouteDoc } from '../validation/attach.js';
import {
  isStandardSchema,
  type JSONSchema,
  jsonSchemaOf,
  type SchemaConverter,
} from '../validation/json-schema.js';
import type { AnySchema, SecurityRequirement } from '../validation/types.js';
import { converterSchema, openapiPath, pathNames } from './paths.js';

/** An OpenAPI document (3.1): a plain JSON object. */
export type OpenAPIDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

/** What the document needs to know besides the app (the `OpenAPI` options). */
export interface DocumentOptions {
  info: Record<string, unknown>;
  servers?: readonly Record<string, unknown>[];
  securitySchemes?: Readonly<Record<string, Record<string, unknown>>>;
  security?: readonly SecurityRequirement[];
  tags?: readonly Record<string, unknown>[];
  schemas?: Readonly<Record<string, AnySchema>>;
  jsonSchema?: SchemaConverter | null;
  /** Endpoints left out (the document's own routes). */
  exclude: ReadonlySet<string>;
}

const METHOD_ORDER = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

const VALIDATION_ERROR: JSONSchema = {
  type: 'object',
  title: 'ValidationError',
  properties: {
    loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, title: 'Location' },
    msg: { type: 'string', title: 'Message' },
    type: { type: 'string', title: 'Error Type' },
  },
  required: ['loc', 'msg', 'type'],
};

const HTTP_VALIDATION_ERROR: JSONSchema = {
  type: 'object',
  title: 'HTTPValidationError',
  properties: {
    detail: { type: 'array', items: { $ref: '#/components/schemas/ValidationError' }, title: 'Detail' },
  },
  required: ['detail'],
};

function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((w) => (w[0] as string).toUpperCase() + w.slice(1)).join(' ');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function rewriteRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renames));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema') continue;
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(v);
      out[k] = m ? `#/components/schemas/${renames.get(m[1] as string) ?? m[1]}` : v;
    } else out[k] = rewriteRefs(v, renames);
  }
  return out;
}

/** Collects component schemas while operations are built. */
class Components {
  readonly schemas: Record<string, JSONSchema> = {};
  private readonly named = new Map<AnySchema, string>();
  private readonly converter: SchemaConverter | null;

  constructor(named: Readonly<Record<string, AnySchema>> | undefined, converter: SchemaConverter | null) {
    this.converter = converter;
    if (named) for (const [name, s] of Object.entries(named)) this.named.set(s, name);
  }

  /** Stores `schema` under `name` (or a suffixed name when a different schema took it); returns the name used. */
  private put(name: string, schema: JSONSchema, io: 'input' | 'output'): string {
    let key = name;
    const existing = this.schemas[key];
    if (existing !== undefined && !sameJson(existing, schema)) {
      key = `${name}-${io === 'input' ? 'Input' : 'Output'}`;
      let n = 2;
      while (this.schemas[key] !== undefined && !sameJson(this.schemas[key], schema)) key = `${name}-${n++}`;
    }
    this.schemas[key] = schema;
    return key;
  }

  /** The JSON Schema (or `$ref`) for a Standard Schema, hoisting its `$defs` into components. */
  schemaFor(schema: AnySchema, io: 'input' | 'output'): JSONSchema {
    const raw = jsonSchemaOf(schema, io, this.converter);
    const name = this.named.get(schema);
    if (raw === null) return name ? { $ref: `#/components/schemas/${this.put(name, {}, io)}` } : {};
    const defs = (raw.$defs ?? raw.definitions) as Record<string, JSONSchema> | undefined;
    const renames = new Map<string, string>();
    if (defs) {
      // names first (so refs between defs can be rewritten), then the bodies
      const bodies: [string, JSONSchema][] = [];
      for (const [k, def] of Object.entries(defs)) {
        const probe = rewriteRefs(def, new Map()) as JSONSchema;
        const used = this.put(k, probe, io);
        renames.set(k, used);
        bodies.push([used, def]);
      }
      for (const [used, def] of bodies) this.schemas[used] = rewriteRefs(def, renames) as JSONSchema;
    }
    const { $defs: _d, definitions: _e, ...rest } = raw;
    let body = rewriteRefs(rest, renames) as JSONSchema;
    if (name) body = { $ref: `#/components/schemas/${this.put(name, body, io)}` };
    return body;
  }
}

function objectProps(js: JSONSchema, components: Components): [Record<string, JSONSchema>, Set<string>] {
  let node: JSONSchema = js;
  const ref = typeof node.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(node.$ref) : null;
  if (ref) node = components.schemas[ref[1] as string] ?? {};
  const props = (node.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  return [props, required];
}

function parametersFrom(
  where: 'query' | 'header' | 'cookie',
  schema: AnySchema | undefined,
  components: Components,
): Record<string, unknown>[] {
  if (schema === undefined) return [];
  const [props, required] = objectProps(components.schemaFor(schema, 'input'), components);
  return Object.entries(props).map(([name, s]) => {
    const p: Record<string, unknown> = { name, in: where, required: required.has(name), schema: s };
    if (typeof s.description === 'string') p.description = s.description;
    return p;
  });
}

function pathParameters(
  rule: Rule,
  doc: RouteDoc | undefined,
  components: Components,
): Record<string, unknown>[] {
  const names = pathNames(rule);
  const fromSchema = doc?.params ? objectProps(components.schemaFor(doc.params, 'input'), components)[0] : {};
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: bothSchemas(converterSchema(rule.converters[name]), fromSchema[name] ?? {}),
  }));
}

type JsonSchema = Record<string, unknown>;

/**
 * A value in the path passes the converter and then the params schema: its document is both. Bounds take
 * the tighter of the two (`<int(min=1)>` with `z.number().int().max(10)` is 1..10, not zod's safe-integer
 * minimum), `integer` wins over `number`, and keys the two would both set otherwise go to an `allOf`.
 */
function bothSchemas(converter: JsonSchema, schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...converter };
  const rest: JsonSchema = {};
  const tighter = (key: string, pick: (a: number, b: number) => number) => {
    const a = out[key];
    const b = schema[key];
    if (typeof b !== 'number') return;
    out[key] = typeof a === 'number' ? pick(a, b) : b;
  };
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    if (key === 'minimum' || key === 'exclusiveMinimum' || key === 'minLength') tighter(key, Math.max);
    else if (key === 'maximum' || key === 'exclusiveMaximum' || key === 'maxLength') tighter(key, Math.min);
    else if (key === 'type') {
      if (!(out.type === 'integer' && value === 'number')) out.type = value;
    } else if (out[key] === undefined || JSON.stringify(out[key]) === JSON.stringify(value)) out[key] = value;
    else rest[key] = value;
  }
  return Object.keys(rest).length === 0 ? out : { allOf: [out, rest] };
}

function responseSchemas(doc: RouteDoc | undefined): [number, AnySchema][] {
  const r = doc?.response;
  if (r === undefined || r === null) return [];
  if (isStandardSchema(r)) return [[doc?.statusCode ?? 200, r]];
  const out: [number, AnySchema][] = [];
  for (const [k, s] of Object.entries(r)) if (s) out.push([Number(k), s]);
  return out;
}

function reason(code: number): string {
  const names: Record<number, string> = {
    200: 'Successful Response',
    201: 'Created',
    202: 'Accepted',
    204: 'No Content',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    415: 'Unsupported Media Type',
    422: 'Validation Error',
  };
  return names[code] ?? `Status ${code}`;
}

interface BuildContext {
  app: Phial;
  options: DocumentOptions;
  components: Components;
  operationIds: Set<string>;
}

/** The security of the innermost blueprint of `endpoint` that declares one, or undefined. */
function blueprintSecurity(
  blueprints: Readonly<Record<string, unknown>>,
  endpoint: string,
): readonly SecurityRequirement[] | undefined {
  for (let name = endpoint.slice(0, Math.max(0, endpoint.lastIndexOf('.'))); name !== ''; ) {
    const bp = blueprints[name] as { security?: readonly SecurityRequirement[] | null } | undefined;
    if (bp?.security) return bp.security;
    const dot = name.lastIndexOf('.');
    name = dot === -1 ? '' : name.slice(0, dot);
  }
  return undefined;
}

function operationFor(
  ctx: BuildContext,
  rule: Rule,
  method: string,
  doc: RouteDoc | undefined,
  view: unknown,
  multiMethod: boolean,
): Record<string, unknown> {
  const { components } = ctx;
  const op: Record<string, unknown> = {};
  const endpoint = rule.endpoint;
  // an anonymous view's endpoint is its rule text: name the operation after the method and the path
  const anonymous = endpoint.includes('/');
  const pathWords = rule.rule.replace(/<(?:[^>:]*:)?([^>]+)>/g, 'by $1');
  const viewName =
    typeof view === 'function' && view.name && !anonymous
      ? view.name
      : anonymous
        ? `${method.toLowerCase()} ${pathWords}`
        : (endpoint.split('.').pop() ?? endpoint);
  // tags: the route's, then its blueprints' (innermost first)
  const tags = new Set<string>(doc?.tags ?? []);
  const dot = endpoint.lastIndexOf('.');
  if (dot !== -1) {
    const bpName = endpoint.slice(0, dot);
    const bp = ctx.app.blueprints[bpName] as { tags?: readonly string[] } | undefined;
    for (const t of bp?.tags ?? [bpName.split('.').pop() as string]) tags.add(t);
  }
  if (tags.size) op.tags = [...tags];
  op.summary = doc?.summary ?? humanize(viewName);
  const description =
    doc?.description ?? (typeof view === 'function' ? (view as { doc?: unknown }).doc : undefined);
  if (typeof description === 'string' && description) op.description = description;
  let opId =
    doc?.operationId ??
    (anonymous
      ? [method.toLowerCase(), ...pathWords.split(/[^A-Za-z0-9]+/).filter(Boolean)].join('_')
      : endpoint.replace(/[^A-Za-z0-9_]/g, '_') + (multiMethod ? `_${method.toLowerCase()}` : ''));
  if (ctx.operationIds.has(opId)) opId = `${opId}_${method.toLowerCase()}`;
  let n = 2;
  while (ctx.operationIds.has(opId)) opId = `${opId}_${n++}`;
  ctx.operationIds.add(opId);
  op.operationId = opId;

  const parameters = [
    ...pathParameters(rule, doc, components),
    ...parametersFrom('query', doc?.query, components),
    ...parametersFrom('header', doc?.headers, components),
    ...parametersFrom('cookie', doc?.cookies, components),
  ];
  if (parameters.length) op.parameters = parameters;

  if (doc?.body) {
    const schema = components.schemaFor(doc.body, 'input');
    const types = doc.contentTypes?.length ? doc.contentTypes : ['application/json'];
    const content: Record<string, unknown> = {};
    for (const t of types) content[t] = { schema };
    op.requestBody = { required: true, content };
  }

  const responses: Record<string, unknown> = {};
  const declared = responseSchemas(doc);
  for (const [code, s] of declared) {
    responses[String(code)] = {
      description: reason(code),
      content: { 'application/json': { schema: components.schemaFor(s, 'output') } },
    };
  }
  if (!declared.some(([c]) => c >= 200 && c < 300)) {
    const ok = doc?.statusCode ?? 200;
    responses[String(ok)] = { description: reason(ok) };
  }
  if (pathNames(rule).length && responses['404'] === undefined) {
    responses['404'] = { $ref: '#/components/responses/NotFound' };
  }
  // a route that declares its own 422 (an app answering problem details from its error handler) keeps it
  if (
    (doc?.body || doc?.query || doc?.params || doc?.headers || doc?.cookies) &&
    responses['422'] === undefined
  ) {
    responses['422'] = { $ref: '#/components/responses/ValidationError' };
    components.schemas.ValidationError ??= VALIDATION_ERROR;
    components.schemas.HTTPValidationError ??= HTTP_VALIDATION_ERROR;
  }
  op.responses = responses;
  if (doc?.deprecated) op.deprecated = true;
  const security = doc?.security ?? blueprintSecurity(ctx.app.blueprints, endpoint);
  if (security) op.security = security.map((r) => ({ ...r }));
  if (doc?.openapi) Object.assign(op, doc.openapi);
  return op;
}

/** The OpenAPI 3.1 document of an app. */
export function buildDocument(app: Phial, options: DocumentOptions): OpenAPIDocument {
  const components = new Components(options.schemas, options.jsonSchema ?? null);
  const ctx: BuildContext = { app, options, components, operationIds: new Set() };
  const paths: Record<string, Record<string, unknown>> = {};
  const rules = app.urlMap.rules() as (Rule & DocumentedRule & { provideAutomaticOptions?: boolean })[];
  for (const rule of rules) {
    const endpoint = rule.endpoint;
    if (rule.buildOnly || rule.redirectTo !== null || options.exclude.has(endpoint)) continue;
    if (endpoint === 'static' || endpoint.endsWith('.static')) continue;
    const route = rule.doc?.route;
    if (route?.includeInSchema === false) continue;
    const view = rule.doc?.view ?? app.viewFunctions[endpoint];
    const methods = [...(rule.methods ?? new Set(['GET']))]
      .filter((m) => m !== 'HEAD' && !(m === 'OPTIONS' && rule.provideAutomaticOptions))
      .sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
    if (!methods.length) continue;
    const path = openapiPath(rule);
    let item = paths[path];
    if (item === undefined) {
      item = {};
      paths[path] = item;
    }
    for (const m of methods) {
      const doc = rule.doc?.methods?.get(m) ?? route;
      if (doc?.includeInSchema === false) continue;
      item[m.toLowerCase()] = operationFor(ctx, rule, m, doc, view, methods.length > 1);
    }
  }
  const out = { openapi: '3.1.0', info: options.info } as OpenAPIDocument;
  if (options.servers?.length) out.servers = options.servers.map((s) => ({ ...s }));
  if (options.tags?.length) out.tags = options.tags.map((t) => ({ ...t }));
  if (options.security?.length) out.security = options.security.map((r) => ({ ...r }));
  out.paths = paths;
  out.components = {};
  // named schemas are components even when no route uses them
  if (options.schemas) for (const s of Object.values(options.schemas)) components.schemaFor(s, 'output');
  out.components.schemas = components.schemas;
  out.components.responses = {
    NotFound: {
      description: 'Not Found: no resource at this URL (an HTML error page unless the app answers JSON).',
    },
    MethodNotAllowed: {
      description: 'Method Not Allowed: the URL exists, not for this method (`Allow` lists the methods).',
    },
    ValidationError: {
      description: 'Validation Error: the request does not match the schemas of the route.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
    },
  };
  components.schemas.ValidationError ??= VALIDATION_ERROR;
  components.schemas.HTTPValidationError ??= HTTP_VALIDATION_ERROR;
  if (options.securitySchemes && Object.keys(options.securitySchemes).length) {
    out.components.securitySchemes = { ...options.securitySchemes };
  }
  return out;
}
