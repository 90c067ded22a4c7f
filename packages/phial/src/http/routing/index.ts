/**
 * URL routing (Werkzeug's role): the rule grammar, converters, the matcher and URL building.
 */

export type { Converter, ConverterClass, ConverterKwargs } from './converters.js';
export {
  AnyConverter,
  BaseConverter,
  DEFAULT_CONVERTERS,
  FloatConverter,
  IntegerConverter,
  PathConverter,
  StringConverter,
  UUIDConverter,
  ValidationError,
} from './converters.js';
export { BuildError } from './errors.js';
export type { BindOptions, BuildOptions, UrlMapOptions } from './map.js';
export { MapAdapter, UrlMap } from './map.js';
export type { MatchResult } from './matcher.js';
export type { RouteParams } from './params.js';
export { parseConverterArgs } from './parse.js';
export type { RedirectTarget, RuleOptions } from './rule.js';
export { Rule } from './rule.js';
export { decodePathInfo, quotePath } from './urls.js';
