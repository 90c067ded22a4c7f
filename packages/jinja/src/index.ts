/** @phial/jinja: a Jinja2-compatible template engine compiled to JavaScript. */
export const VERSION = '0.1.0';

export type { CompiledTemplate, EnvironmentOptions, TemplateContext } from './environment.js';
export { Environment, selectAutoescape, Template } from './environment.js';
export {
  FilterArgumentError,
  SecurityError,
  TemplateAssertionError,
  TemplateError,
  TemplateNotFound,
  TemplateRuntimeError,
  TemplateSyntaxError,
  TemplatesNotFound,
  UndefinedError,
} from './errors.js';
export type { FunctionLoaderResult, TemplateEncoding, TemplateSource } from './loaders.js';
export {
  BaseLoader,
  ChoiceLoader,
  DictLoader,
  FileSystemLoader,
  FunctionLoader,
  PrefixLoader,
  splitTemplatePath,
} from './loaders.js';
export type { PrecompiledModule, PrecompiledTemplate, TemplateFactory } from './precompiled.js';
export { ModuleLoader, PRECOMPILED_FORMAT } from './precompiled.js';
export type { PassKind } from './runtime/calls.js';
export {
  isKwargs,
  Kwargs,
  passContext,
  passEnvironment,
  passEvalContext,
  passKind,
} from './runtime/calls.js';
export type { GettextTranslations } from './runtime/ext.js';
export { NULL_TRANSLATIONS } from './runtime/ext.js';
export { escape, Markup, markSafe } from './runtime/markup.js';
export type { PyClass } from './runtime/pyclass.js';
export { pyClassOf } from './runtime/pyclass.js';
export { NotImplemented, PyFloat } from './runtime/python.js';
export type { TimeDeltaParts } from './runtime/pytime.js';
export { PyDate, PyTime, TimeDelta } from './runtime/pytime.js';
export type { Macro } from './runtime/runtime.js';
export { Context, isMacro, LoopContext, TemplateModule } from './runtime/runtime.js';
export type { EvalContext, TemplateFunction } from './runtime/types.js';
export type { UndefinedClass } from './runtime/undefined.js';
export {
  ChainableUndefined,
  DebugUndefined,
  isUndefined,
  StrictUndefined,
  Undefined,
} from './runtime/undefined.js';
export {
  ImmutableSandboxedEnvironment,
  modifiesKnownMutable,
  SandboxedEnvironment,
  unsafeCallable,
} from './sandbox.js';
