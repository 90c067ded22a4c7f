/**
 * What a route's options leave on its rule: the compiled validation the pipeline runs (absent when the route
 * has no schema, so it costs nothing) and the documentation OpenAPI reads.
 */

import { compileValidation, type RouteValidation } from './route.js';
import type { AnySchema, DocRouteOptions, SchemaRouteOptions } from './types.js';

/** Per-method schemas of a `MethodView` (`static schemas = { post: { body: Item } }`). */
export type MethodSchemas = Readonly<Record<string, SchemaRouteOptions & DocRouteOptions>>;

/** The documentation and schemas of one route (or of one method of a MethodView route). */
export interface RouteDoc extends SchemaRouteOptions, DocRouteOptions {
  /** Body media types the route accepts (OpenAPI `requestBody.content`; others are 415). */
  contentTypes?: readonly string[] | null;
}

/** What the pipeline runs: one validation for every method, or one per method (MethodView). */
export type ValidationPlan = RouteValidation | Map<string, RouteValidation>;

/** What a rule carries (`rule.validation`, `rule.doc`). */
export interface DocumentedRule {
  validation?: ValidationPlan;
  doc?: { route: RouteDoc; methods: Map<string, RouteDoc> | null; view: unknown };
}

const DOC_KEYS = [
  'body',
  'query',
  'params',
  'headers',
  'cookies',
  'response',
  'statusCode',
  'summary',
  'description',
  'tags',
  'operationId',
  'deprecated',
  'security',
  'openapi',
  'includeInSchema',
  'contentTypes',
] as const;

function pick(o: Record<string, unknown>): RouteDoc {
  const out: Record<string, unknown> = {};
  for (const k of DOC_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as RouteDoc;
}

function methodSchemas(view: unknown): MethodSchemas | null {
  if (typeof view !== 'function') return null;
  const cls = (view as { viewClass?: { schemas?: MethodSchemas } }).viewClass;
  const s = cls?.schemas;
  return s && typeof s === 'object' ? s : null;
}

/** Compiles a route's options onto its rule (called by `addUrlRule`). */
export function attachRoute(rule: DocumentedRule, options: object, view: unknown): void {
  const route = pick(options as Record<string, unknown>);
  const perMethod = methodSchemas(view);
  let methods: Map<string, RouteDoc> | null = null;
  let plan: ValidationPlan | undefined = compileValidation(route);
  if (perMethod !== null) {
    methods = new Map();
    const byMethod = new Map<string, RouteValidation>();
    for (const [m, o] of Object.entries(perMethod)) {
      const merged = { ...route, ...pick(o as Record<string, unknown>) };
      methods.set(m.toUpperCase(), merged);
      const v = compileValidation(merged);
      if (v !== undefined) byMethod.set(m.toUpperCase(), v);
    }
    if (byMethod.size) {
      if (plan !== undefined)
        for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
          if (!byMethod.has(m)) byMethod.set(m, plan);
        }
      if (byMethod.has('GET') && !byMethod.has('HEAD'))
        byMethod.set('HEAD', byMethod.get('GET') as RouteValidation);
      plan = byMethod;
    }
  }
  rule.validation = plan;
  rule.doc = { route, methods, view };
}

/** The schemas of a rule's route (for tools): undefined when it has none. */
export function routeSchemas(rule: DocumentedRule): SchemaRouteOptions | undefined {
  return rule.doc?.route;
}

export type { AnySchema };
