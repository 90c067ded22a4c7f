/** Typed validation with any Standard Schema (route options `body`, `query`, `params`, `headers`, `cookies`, `response`). */
export {
  type LocatedIssue,
  RequestValidationError,
  ResponseValidationError,
  type ValidationDetail,
} from './errors.js';
export { isStandardSchema, type JSONSchema, jsonSchemaOf, type SchemaConverter } from './json-schema.js';
export { compileValidation, RouteValidation, runValidated } from './route.js';
export type {
  AnySchema,
  DocRouteOptions,
  ResponseSchemas,
  RouteReturnValue,
  RouteView,
  SchemaInput,
  SchemaOutput,
  SchemaRouteOptions,
  SecurityRequirement,
  TypedRouteOptions,
  ValidatedParams,
  ValidatedRequest,
  ValidationLocation,
} from './types.js';
