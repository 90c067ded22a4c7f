/**
 * The shapes builtins (filters, tests, globals) code against. The concrete classes live in
 * environment.ts and context.ts; these interfaces keep the builtins free of import cycles.
 */
import type { Undefined, UndefinedClass } from './undefined.js';

/** Any function a template may call: filters, tests, globals. Arguments are checked at run time. */
export type TemplateFunction = (...args: never[]) => unknown;

/** Per-render evaluation settings (Jinja's EvalContext). */
export interface EvalContext {
  /** Whether output is HTML-escaped at this point of the template. */
  autoescape: boolean;
  /** Set when autoescape was changed by an expression that is only known at run time. */
  volatile: boolean;
  environment: Environment;
}

/** What builtins may ask of the environment. */
export interface Environment {
  filters: Record<string, TemplateFunction>;
  tests: Record<string, TemplateFunction>;
  globals: Record<string, unknown>;
  /** The Undefined class undefined values are made from. */
  undefined: UndefinedClass;
  /** True for a SandboxedEnvironment. */
  readonly sandboxed: boolean;
  /** `obj.name` as templates see it (JS property, Python method, Map-like get), or an Undefined. */
  getattr(obj: unknown, name: string): unknown;
  /** `obj[key]` as templates see it (negative list indices, Map-like get), or an Undefined. */
  getitem(obj: unknown, key: unknown): unknown;
  /** Makes an instance of the configured Undefined class. */
  makeUndefined(hint?: string | null, obj?: unknown, name?: unknown): Undefined;
  /** Calls a filter by name the way a template would (TemplateRuntimeError when unknown). */
  callFilter(
    name: string,
    value: unknown,
    args?: readonly unknown[],
    kwargs?: Record<string, unknown> | null,
    context?: Context | EvalContext | null,
  ): unknown;
  /** Calls a test by name the way a template would. */
  callTest(
    name: string,
    value: unknown,
    args?: readonly unknown[],
    kwargs?: Record<string, unknown> | null,
    context?: Context | EvalContext | null,
  ): boolean;
  /** Sandbox policy: may templates read `obj.attr`? Always true outside a sandbox. */
  isSafeAttribute(obj: unknown, attr: string, value: unknown): boolean;
  /** Sandbox policy: may templates call `fn`? Always true outside a sandbox. */
  isSafeCallable(fn: unknown): boolean;
  /** Calls `fn` from template code with the sandbox checks and pass* conventions applied. */
  call(
    context: Context | null,
    fn: unknown,
    args: readonly unknown[],
    kwargs?: Record<string, unknown> | null,
  ): unknown;
}

/** The variables of one render (Jinja's Context). */
export interface Context {
  environment: Environment;
  evalContext: EvalContext;
  /** The template's name, or null for a template made from a string. */
  name: string | null;
  /** Looks a name up: template variables, then the render's context, then globals; else an Undefined. */
  resolve(name: string): unknown;
  /** Like resolve but returns `undefined` (JS) when the name is missing. */
  resolveOrMissing(name: string): unknown;
  /** Every visible variable as one plain object (globals, context, template variables). */
  getAll(): Record<string, unknown>;
  /** Variables set by the template at top level. */
  vars: Record<string, unknown>;
  /** Names the template exports (top-level `set`, macros). */
  exportedVars: Set<string>;
}
