/**
 * The Environment (settings, filters, tests, globals, loader, template cache) and Template
 * (a compiled template: render, renderAsync, stream, modules for import).
 */
import { DEFAULT_FILTERS } from './builtins/filters.js';
import { DEFAULT_GLOBALS } from './builtins/globals.js';
import { DEFAULT_TESTS } from './builtins/tests.js';
import { generate } from './compiler.js';
import { annotateError, noteTemplate, registerSource } from './debug.js';
import { TemplateNotFound, TemplateRuntimeError, TemplatesNotFound } from './errors.js';
import { tokenize } from './lexer.js';
import type { BaseLoader } from './loaders.js';
import { type Node, parse } from './parser.js';
import {
  type PrecompiledTemplate,
  precompileSettings,
  settingsDifference,
  type TemplateFactory,
  writeModule,
} from './precompiled.js';
import { Kwargs, passKind } from './runtime/calls.js';
import * as ext from './runtime/ext.js';
import {
  extensionName,
  type GettextTranslations,
  gettextAlias,
  gettextCallables,
  NULL_TRANSLATIONS,
} from './runtime/ext.js';
import { Markup, escape as markupEscape } from './runtime/markup.js';
import * as operators from './runtime/operators.js';
import * as python from './runtime/python.js';
import * as runtime from './runtime/runtime.js';
import { Context, type RenderMode, TemplateModule } from './runtime/runtime.js';
import type { Environment as EnvironmentShape, EvalContext, TemplateFunction } from './runtime/types.js';
import { MISSING, Undefined, type UndefinedClass } from './runtime/undefined.js';

const RT: Record<string, unknown> = {
  ...python,
  ...operators,
  ...runtime,
  debugInfo: ext.debugInfo,
  noteTemplate,
  Markup,
  escape: markupEscape,
  Kwargs,
  MISSING,
};

/** Settings accepted by `new Environment(...)`. */
export interface EnvironmentOptions {
  loader?: BaseLoader | null;
  /** Escape output: a boolean, or a function of the template name (like `select_autoescape`). */
  autoescape?: boolean | ((name: string | null) => boolean);
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  keepTrailingNewline?: boolean;
  /** The Undefined class missing values are made from (default `Undefined`). */
  undefined?: UndefinedClass;
  /** Applied to every `{{ }}` value before it is printed. */
  finalize?: TemplateFunction | null;
  /**
   * Extensions: `'i18n'` (`{% trans %}`, gettext), `'do'`, `'loopcontrols'` (break/continue), `'debug'`;
   * Jinja's names (`'jinja2.ext.i18n'`, `'jinja2.ext.LoopControlExtension'`, ...) work too. An unknown
   * name throws when the Environment is created, as Jinja2's import does.
   */
  extensions?: readonly string[];
  /** Custom delimiters (Jinja's `block_start_string` & co): default `{% %}`, `{{ }}`, `{# #}`. */
  blockStartString?: string;
  blockEndString?: string;
  variableStartString?: string;
  variableEndString?: string;
  commentStartString?: string;
  commentEndString?: string;
  /** The newline written for newlines in template text (default `'\n'`). */
  newlineSequence?: '\n' | '\r\n' | '\r';
  /** Check loaders for changed sources on each getTemplate (default true). */
  autoReload?: boolean;
  /** Templates kept compiled (default 400; 0 disables caching, negative means unlimited). */
  cacheSize?: number;
}

/**
 * Jinja's `select_autoescape`: an `autoescape` function enabling escaping by file extension.
 * Templates made from strings (no name) use `defaultForString`.
 */
export function selectAutoescape(
  enabledExtensions: readonly string[] = ['html', 'htm', 'xml'],
  disabledExtensions: readonly string[] = [],
  defaultForString = true,
  defaultValue = false,
): (name: string | null) => boolean {
  const norm = (exts: readonly string[]) => exts.map((e) => `.${e.replace(/^\./, '').toLowerCase()}`);
  const enabled = norm(enabledExtensions);
  const disabled = norm(disabledExtensions);
  return (name) => {
    if (name === null || name === undefined) return defaultForString;
    const lower = name.toLowerCase();
    if (enabled.some((e) => lower.endsWith(e))) return true;
    if (disabled.some((e) => lower.endsWith(e))) return false;
    return defaultValue;
  };
}

/** A compiled template module: its root render function and block functions. */
export interface CompiledTemplate {
  root: (ctx: Context) => string;
  blocks: Record<string, (ctx: Context) => string>;
}

/** What `render` accepts as template variables. */
export type TemplateContext = Record<string, unknown> | Map<string, unknown> | null | undefined;
type ContextInput = TemplateContext;

function toVars(vars: ContextInput): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (!vars) return out;
  if (vars instanceof Map) {
    for (const [k, v] of vars) out[k] = v;
    return out;
  }
  for (const k of Object.keys(vars)) out[k] = vars[k];
  return out;
}

/** A cached template, its loader's freshness check and the reload epoch it was last found fresh in. */
interface CacheEntry {
  template: Template;
  uptodate: (() => boolean) | null;
  checked: number;
}

/** The central object: configuration, filters/tests/globals, loader and compiled-template cache. */
export class Environment implements EnvironmentShape {
  loader: BaseLoader | null;
  autoescape: boolean | ((name: string | null) => boolean);
  trimBlocks: boolean;
  lstripBlocks: boolean;
  keepTrailingNewline: boolean;
  blockStartString: string;
  blockEndString: string;
  variableStartString: string;
  variableEndString: string;
  commentStartString: string;
  commentEndString: string;
  newlineSequence: string;
  undefined: UndefinedClass;
  finalize: TemplateFunction | null;
  extensions: string[];
  autoReload: boolean;
  cacheSize: number;
  filters: Record<string, TemplateFunction>;
  tests: Record<string, TemplateFunction>;
  globals: Record<string, unknown>;
  /** Jinja's `policies` (defaults as in Jinja 3.1): read by filters such as urlize, truncate, tojson. */
  policies: Record<string, unknown> = {
    'compiler.ascii_str': true,
    'urlize.rel': 'noopener',
    'urlize.target': null,
    'urlize.extra_schemes': null,
    'truncate.leeway': 5,
    'json.dumps_function': null,
    'json.dumps_kwargs': { sort_keys: true },
    'ext.i18n.trimmed': false,
  };
  /** True in SandboxedEnvironment. */
  readonly sandboxed: boolean = false;
  private cache = new Map<string, CacheEntry>();
  /**
   * Bumped by every getTemplate/selectTemplate/fromString call from outside a render. Lookups made while
   * rendering (extends, include, import) check a cached template's `uptodate` at most once per epoch, so a
   * page rendered many times does not stat its parents on every render; a changed parent is still picked up
   * after the next getTemplate call (autoReload on).
   */
  private reloadEpoch = 0;
  private stringCache = new Map<string, Template>();
  private cacheLoader: BaseLoader | null = null;

  constructor(opts: EnvironmentOptions = {}) {
    this.loader = opts.loader ?? null;
    this.autoescape = opts.autoescape ?? false;
    this.trimBlocks = !!opts.trimBlocks;
    this.lstripBlocks = !!opts.lstripBlocks;
    this.keepTrailingNewline = !!opts.keepTrailingNewline;
    this.blockStartString = opts.blockStartString ?? '{%';
    this.blockEndString = opts.blockEndString ?? '%}';
    this.variableStartString = opts.variableStartString ?? '{{';
    this.variableEndString = opts.variableEndString ?? '}}';
    this.commentStartString = opts.commentStartString ?? '{#';
    this.commentEndString = opts.commentEndString ?? '#}';
    this.newlineSequence = opts.newlineSequence ?? '\n';
    this.undefined = opts.undefined ?? Undefined;
    this.finalize = opts.finalize ?? null;
    this.extensions = [];
    this.autoReload = opts.autoReload ?? true;
    this.cacheSize = opts.cacheSize ?? 400;
    this.filters = { ...DEFAULT_FILTERS };
    this.tests = { ...DEFAULT_TESTS };
    this.globals = { ...(DEFAULT_GLOBALS as Record<string, unknown>) };
    for (const e of opts.extensions ?? []) this.addExtension(e);
  }

  /** Enables an extension by name (`'i18n'`, `'do'`, `'loopcontrols'`, `'debug'` or Jinja's dotted names). */
  addExtension(name: string): void {
    const short = extensionName(name);
    if (!this.extensions.includes(short)) this.extensions.push(short);
    if (short === 'i18n' && this.globals._ === undefined) this.globals._ = gettextAlias;
    this.clearCache();
  }

  /** i18n: `{% trans %}` and `gettext()` format and escape themselves (set by the install methods). */
  newstyleGettext = false;

  /**
   * i18n (Jinja's `install_gettext_translations`): makes `gettext`, `ngettext`, `pgettext`, `npgettext`
   * (and `_`) translate through a catalog. `newstyle` gettext formats `%(name)s` from keyword arguments
   * and escapes them under autoescape.
   */
  installGettextTranslations(translations: GettextTranslations, newstyle?: boolean): void {
    const t = translations;
    this.installGettextCallables(
      (s) => t.gettext(String(s)),
      (s, p, n) => t.ngettext(String(s), String(p), Number(n)),
      newstyle,
      t.pgettext ? (c, s) => t.pgettext!(String(c), String(s)) : null,
      t.npgettext ? (c, s, p, n) => t.npgettext!(String(c), String(s), String(p), Number(n)) : null,
    );
  }

  /** i18n (Jinja's `install_null_translations`): gettext functions that return their message. */
  installNullTranslations(newstyle?: boolean): void {
    this.installGettextTranslations(NULL_TRANSLATIONS, newstyle);
  }

  /** i18n (Jinja's `install_gettext_callables`): installs the given gettext-family functions. */
  installGettextCallables(
    gettext: (message: unknown) => unknown,
    ngettext: (singular: unknown, plural: unknown, n: unknown) => unknown,
    newstyle?: boolean,
    pgettext?: ((context: unknown, message: unknown) => unknown) | null,
    npgettext?: ((context: unknown, singular: unknown, plural: unknown, n: unknown) => unknown) | null,
  ): void {
    if (newstyle !== undefined && newstyle !== this.newstyleGettext) {
      this.newstyleGettext = newstyle;
      this.clearCache();
    }
    type Fn = (...a: unknown[]) => unknown;
    Object.assign(
      this.globals,
      gettextCallables(gettext as Fn, ngettext as Fn, this.newstyleGettext, pgettext as Fn, npgettext as Fn),
    );
  }

  /** i18n (Jinja's `uninstall_gettext_translations`): removes the gettext globals. */
  uninstallGettextTranslations(): void {
    for (const k of ['gettext', 'ngettext', 'pgettext', 'npgettext']) delete this.globals[k];
  }

  /** `obj.name` as templates see it. */
  getattr(obj: unknown, name: string): unknown {
    return runtime.getattr(this, obj, name);
  }

  /** `obj[key]` as templates see it. */
  getitem(obj: unknown, key: unknown): unknown {
    return runtime.getitem(this, obj, key);
  }

  /** An instance of the configured Undefined class. */
  makeUndefined(hint?: string | null, obj: unknown = MISSING, name?: unknown): Undefined {
    return new this.undefined(hint ?? null, obj, name);
  }

  /** Sandbox hook: always true outside a sandbox. */
  isSafeAttribute(_obj: unknown, _attr: string, _value: unknown): boolean {
    return true;
  }

  /** Sandbox hook: always true outside a sandbox. */
  isSafeCallable(_fn: unknown): boolean {
    return true;
  }

  /** Calls a value from template code. */
  call(
    context: Context | null,
    fn: unknown,
    args: readonly unknown[],
    kwargs?: Record<string, unknown> | null,
  ): unknown {
    const kw = kwargs ? (kwargs instanceof Kwargs ? kwargs : new Kwargs(kwargs)) : null;
    return runtime.call(context ?? this.dummyContext(), fn, [...args], kw);
  }

  private dummyContext(): Context {
    return new Context(this as unknown as runtime.RuntimeEnv, Object.create(null), null, null, false);
  }

  private passFirst(fn: unknown, context: Context | EvalContext | null | undefined): unknown[] {
    const k = passKind(fn);
    if (!k) return [];
    if (k === 'environment') return [this];
    const ctx = context instanceof Context ? context : null;
    if (k === 'context') {
      if (!ctx) throw new TemplateRuntimeError('Attempted to invoke a context filter without context.');
      return [ctx];
    }
    if (ctx) return [ctx.evalContext];
    if (context) return [context];
    return [
      {
        autoescape: typeof this.autoescape === 'boolean' ? this.autoescape : false,
        volatile: false,
        environment: this,
      },
    ];
  }

  /** Calls a filter by name the way a template would. */
  callFilter(
    name: string,
    value: unknown,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> | null = null,
    context: Context | EvalContext | null = null,
  ): unknown {
    const f = this.filters[name];
    if (!f) throw new TemplateRuntimeError(`No filter named '${name}'.`);
    const all = [...this.passFirst(f, context), value, ...args];
    if (kwargs && Object.keys(kwargs).length) all.push(new Kwargs(kwargs));
    return (f as (...a: unknown[]) => unknown)(...all);
  }

  /** Calls a test by name the way a template would. */
  callTest(
    name: string,
    value: unknown,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> | null = null,
    context: Context | EvalContext | null = null,
  ): boolean {
    const t = this.tests[name];
    if (!t) throw new TemplateRuntimeError(`No test named '${name}'.`);
    const all = [...this.passFirst(t, context), value, ...args];
    if (kwargs && Object.keys(kwargs).length) all.push(new Kwargs(kwargs));
    return !!(t as (...a: unknown[]) => unknown)(...all);
  }

  /** Whether a template of this name is autoescaped. */
  autoescapeFor(name: string | null): boolean {
    return typeof this.autoescape === 'function' ? !!this.autoescape(name) : !!this.autoescape;
  }

  /** Parses source into the template tree (throws TemplateSyntaxError). */
  parse(source: string, name: string | null = null, filename: string | null = null): Node {
    const tokens = tokenize(source, this, name, filename);
    return parse(tokens, name, filename, {
      extensions: this.extensions,
      i18nTrimmed: !!this.policies['ext.i18n.trimmed'],
      newstyleGettext: this.newstyleGettext,
    });
  }

  /** Compiles source into the JavaScript module source (useful for debugging). */
  compileToSource(
    source: string,
    name: string | null = null,
    filename: string | null = null,
    isAsync = false,
  ): string {
    const ast = this.parse(source, name, filename);
    return this.generate(ast, name, filename, isAsync);
  }

  /** @internal */
  generate(
    ast: Node,
    name: string | null,
    filename: string | null,
    mode: RenderMode,
    precompiled = false,
  ): string {
    return generate(ast, {
      precompiled,
      isStream: mode === 'stream',
      name,
      filename,
      autoescape: this.autoescapeFor(name),
      filters: this.filters,
      tests: this.tests,
      finalize: this.finalize,
      sandboxed: this.sandboxed,
      isAsync: mode === true,
    });
  }

  /** @internal Instantiates generated module source for this environment. */
  instantiate(code: string, name: string | null = null, filename: string | null = null): CompiledTemplate {
    const reg = registerSource(code, name, filename);
    let factory: (rt: unknown, env: unknown) => CompiledTemplate;
    try {
      // biome-ignore lint/security/noGlobalEval: compiling templates to functions is the design
      factory = new Function('rt', 'env', reg.code) as (rt: unknown, env: unknown) => CompiledTemplate;
    } catch (e) {
      if ((e as Error)?.name !== 'EvalError') throw e;
      throw new TemplateRuntimeError(
        `cannot compile template ${name === null ? '<string>' : `'${name}'`}: this runtime forbids code generation (${(e as Error).message}); precompile templates (compileTemplates, \`phial templates compile\`) and load them with a ModuleLoader`,
      );
    }
    const mod = factory(RT, this);
    // keeps the line table (used for error locations) alive exactly as long as the module
    Object.defineProperty(mod, 'lineInfo', { value: reg.info });
    return mod;
  }

  /** @internal Instantiates a precompiled module (no code generation at run time). */
  instantiateFactory(factory: TemplateFactory): CompiledTemplate {
    return factory(RT, this) as CompiledTemplate;
  }

  /** The settings that shape compiled code, as recorded in (and checked against) precompiled templates. */
  precompileSettings(): string {
    return precompileSettings(this);
  }

  /**
   * Ahead-of-time compilation (Jinja's `compile_templates`): the loader's templates (or `names`) as the
   * source of one plain ES module, for `ModuleLoader`. Filters and tests unknown now are looked up when a
   * template loads. Templates compile with this environment's settings (delimiters, trimming, extensions,
   * autoescape rule); loading them into an environment with other settings throws.
   */
  compileTemplates(
    opts: {
      names?: Iterable<string>;
      filter?: (name: string) => boolean;
      modes?: readonly ('sync' | 'stream' | 'async')[];
    } = {},
  ): string {
    if (!this.loader) throw new TypeError('no loader for this environment specified');
    const names = [...(opts.names ?? this.loader.listTemplates())].filter(
      (n) => !opts.filter || opts.filter(n),
    );
    const modes = opts.modes ?? ['sync', 'stream', 'async'];
    if (!modes.includes('sync')) throw new TypeError("compileTemplates: the 'sync' mode is required");
    const entries = names.sort().map((name) => {
      const src = this.loader!.getSource(this, name);
      let ast: Node;
      try {
        ast = this.parse(src.source, name, src.filename);
      } catch (e) {
        annotateError(e);
        throw e;
      }
      const code: Record<string, string> = {};
      for (const m of modes) {
        const mode: RenderMode = m === 'sync' ? false : m === 'stream' ? 'stream' : true;
        code[m] = this.generate(ast, name, src.filename, mode, true);
      }
      return { name, autoescape: this.autoescapeFor(name), modes: code };
    });
    return writeModule(this.precompileSettings(), entries);
  }

  /** Compiles a template from source without a loader. */
  fromString(source: string, globals?: Record<string, unknown> | null): Template {
    this.reloadEpoch++;
    if (globals) return new Template(this, source, null, null, globals);
    // templates are immutable once compiled: reuse recent ones (Phial's renderTemplateString)
    const key = [
      +this.trimBlocks,
      +this.lstripBlocks,
      +this.keepTrailingNewline,
      +this.autoescapeFor(null),
      this.extensions.join(','),
      +this.newstyleGettext,
      +!!this.policies['ext.i18n.trimmed'],
      this.blockStartString,
      this.blockEndString,
      this.variableStartString,
      this.variableEndString,
      this.commentStartString,
      this.commentEndString,
      this.newlineSequence,
      source,
    ].join('\u0000');
    let t = this.stringCache.get(key);
    if (t === undefined) {
      try {
        t = new Template(this, source, null, null, null);
      } catch (e) {
        annotateError(e);
        throw e;
      }
      if (this.stringCache.size >= 64) {
        const first = this.stringCache.keys().next().value;
        if (first !== undefined) this.stringCache.delete(first);
      }
      this.stringCache.set(key, t);
    }
    return t;
  }

  /**
   * Jinja's `compile_expression`: a function evaluating one expression against variables. An
   * undefined result becomes `null` unless `undefinedToNone` is false.
   */
  compileExpression(source: string, undefinedToNone = true): (vars?: TemplateContext) => unknown {
    const t = this.fromString(`{% set result = (${source}\n) %}`);
    return (vars) => {
      const v = t.makeModule(vars).result;
      return undefinedToNone && v instanceof Undefined ? null : v;
    };
  }

  /** Hook for relative template names: returns the name to load (default: unchanged). */
  joinPath(template: string, _parent: string | null): string {
    return template;
  }

  /** Loads (or returns the cached) template by name. */
  getTemplate(
    name: unknown,
    parent: string | null = null,
    globals?: Record<string, unknown> | null,
  ): Template {
    this.reloadEpoch++;
    try {
      return this.findTemplate(name, parent, globals ?? null, false);
    } catch (e) {
      annotateError(e);
      throw e;
    }
  }

  /** getTemplate for the runtime (extends/include/import): no new reload epoch. */
  templateForRender(name: unknown, parent: string | null): Template {
    return this.findTemplate(name, parent, null, true);
  }

  /** selectTemplate for the runtime (extends/include/import of a list): no new reload epoch. */
  selectForRender(names: unknown, parent: string | null): Template {
    return this.selectIn(names, parent, null, true);
  }

  private findTemplate(
    name: unknown,
    parent: string | null,
    globals: Record<string, unknown> | null,
    inRender: boolean,
  ): Template {
    if (name instanceof Template) return name;
    if (name instanceof Undefined) name.fail();
    let n = typeof name === 'string' ? name : python.pyStr(name);
    if (parent !== null && parent !== undefined) n = this.joinPath(n, parent);
    return this.loadTemplate(n, globals, inRender);
  }

  /** The first template of `names` that exists (TemplatesNotFound when none). */
  selectTemplate(
    names: unknown,
    parent: string | null = null,
    globals?: Record<string, unknown> | null,
  ): Template {
    this.reloadEpoch++;
    try {
      return this.selectIn(names, parent, globals ?? null, false);
    } catch (e) {
      annotateError(e);
      throw e;
    }
  }

  private selectIn(
    names: unknown,
    parent: string | null,
    globals: Record<string, unknown> | null,
    inRender: boolean,
  ): Template {
    if (names instanceof Undefined) names.fail();
    const list = python.toList(names);
    if (!list.length) throw new TemplatesNotFound([], 'Tried to select from an empty list of templates.');
    for (const n of list) {
      if (n instanceof Template) return n;
      try {
        return this.findTemplate(n, parent, globals, inRender);
      } catch (e) {
        if (!(e instanceof TemplateNotFound) || e instanceof TemplatesNotFound) throw e;
      }
    }
    throw new TemplatesNotFound(list.map((x) => (x instanceof Undefined ? '' : python.pyStr(x))));
  }

  /** getTemplate for a name, selectTemplate for a list. */
  getOrSelectTemplate(
    nameOrList: unknown,
    parent: string | null = null,
    globals?: Record<string, unknown> | null,
  ): Template {
    if (typeof nameOrList === 'string' || nameOrList instanceof Undefined)
      return this.getTemplate(nameOrList, parent, globals);
    if (nameOrList instanceof Template) return nameOrList;
    return this.selectTemplate(nameOrList, parent, globals);
  }

  private loadTemplate(name: string, globals: Record<string, unknown> | null, inRender: boolean): Template {
    if (!this.loader) throw new TypeError('no loader for this environment specified');
    // the cache belongs to one loader (Jinja keys it by loader and name)
    if (this.cacheLoader !== this.loader) {
      this.cache.clear();
      this.cacheLoader = this.loader;
    }
    const cached = this.cacheSize !== 0 ? this.cache.get(name) : undefined;
    if (cached) {
      const epoch = this.reloadEpoch;
      let fresh = !this.autoReload || !cached.uptodate || (inRender && cached.checked === epoch);
      if (!fresh && cached.uptodate) {
        fresh = cached.uptodate();
        if (fresh) cached.checked = epoch;
      }
      if (fresh) {
        if (globals) Object.assign(cached.template.globals, globals);
        return cached.template;
      }
    }
    const src = this.loader.getSource(this, name);
    const template = new Template(this, src.source, name, src.filename, globals, src.compiled);
    if (this.cacheSize !== 0) {
      this.cache.delete(name);
      this.cache.set(name, { template, uptodate: src.uptodate, checked: this.reloadEpoch });
      if (this.cacheSize > 0 && this.cache.size > this.cacheSize) {
        const first = this.cache.keys().next().value;
        if (first !== undefined) this.cache.delete(first);
      }
    }
    return template;
  }

  /** Drops every cached template. */
  clearCache(): void {
    this.cache.clear();
    this.stringCache.clear();
  }

  /** Names of the loader's templates. */
  listTemplates(): string[] {
    if (!this.loader) throw new TypeError('no loader for this environment specified');
    return this.loader.listTemplates();
  }
}

/** A compiled template bound to its environment. */
export class Template {
  readonly environment: Environment;
  readonly name: string | null;
  readonly filename: string | null;
  /** Globals of this template only; the environment's globals are read at each render. */
  readonly globals: Record<string, unknown>;
  private readonly source: string;
  private readonly precompiled: PrecompiledTemplate | null;
  private ast: Node | null;
  private sync: CompiledTemplate;
  private asyncMod: CompiledTemplate | null = null;
  private streamMod: CompiledTemplate | null = null;
  private defaultModule: TemplateModule | null = null;
  private defaultModuleAsync: Promise<TemplateModule> | null = null;
  private readonly autoescape: boolean;

  constructor(
    env: Environment,
    source: string,
    name: string | null,
    filename: string | null,
    globals: Record<string, unknown> | null,
    precompiled?: PrecompiledTemplate | null,
  ) {
    this.environment = env;
    this.name = name;
    this.filename = filename;
    this.source = source;
    this.globals = { ...(globals ?? {}) };
    this.autoescape = env.autoescapeFor(name);
    this.precompiled = precompiled ?? null;
    if (precompiled) {
      checkPrecompiled(env, name, precompiled, this.autoescape);
      this.ast = null;
      this.sync = env.instantiateFactory(precompiled.sync);
    } else {
      this.ast = env.parse(source, name, filename);
      this.sync = env.instantiate(env.generate(this.ast, name, filename, false), name, filename);
    }
  }

  /** The root render function (sync variant). */
  get root(): (ctx: Context) => string {
    return this.sync.root;
  }
  /** The block functions (sync variant). */
  get blocks(): Record<string, (ctx: Context) => string> {
    return this.sync.blocks;
  }

  /** @internal The compiled module for sync or async rendering. */
  compiled(mode: RenderMode): CompiledTemplate {
    if (mode === false) return this.sync;
    if (this.precompiled) return this.compiledFromModule(mode);
    const ast = () => this.ast ?? this.environment.parse(this.source, this.name, this.filename);
    if (mode === 'stream') {
      if (!this.streamMod)
        this.streamMod = this.environment.instantiate(
          this.environment.generate(ast(), this.name, this.filename, 'stream'),
          this.name,
          this.filename,
        );
      return this.streamMod;
    }
    if (!this.asyncMod)
      this.asyncMod = this.environment.instantiate(
        this.environment.generate(ast(), this.name, this.filename, true),
        this.name,
        this.filename,
      );
    return this.asyncMod;
  }

  private compiledFromModule(mode: 'stream' | true): CompiledTemplate {
    const key = mode === 'stream' ? 'stream' : 'async';
    const cached = mode === 'stream' ? this.streamMod : this.asyncMod;
    if (cached) return cached;
    const factory = this.precompiled![key];
    if (!factory) {
      throw new TemplateRuntimeError(
        `template '${this.name}' was precompiled without the '${key}' mode; recompile it with that mode`,
      );
    }
    const mod = this.environment.instantiateFactory(factory);
    if (mode === 'stream') this.streamMod = mod;
    else this.asyncMod = mod;
    return mod;
  }

  /** A fresh render context (Jinja's `new_context`). */
  newContext(
    vars?: ContextInput,
    shared = false,
    locals?: Record<string, unknown> | null,
    mode: RenderMode = false,
  ): Context {
    const blocks = this.compiled(mode).blocks;
    const env = this.environment as unknown as runtime.RuntimeEnv;
    let data: Record<string, unknown>;
    let layers: Record<string, unknown>[] = [];
    let foreign = false;
    if (shared) {
      // `vars` already holds everything (an include's or import's view of its parent context)
      data = vars && !(vars instanceof Map) && Object.getPrototypeOf(vars) === null ? vars : toVars(vars);
    } else {
      layers = this.hasOwnGlobals ? [this.globals, this.environment.globals] : [this.environment.globals];
      if (vars && !(vars instanceof Map) && !locals) {
        data = vars; // read in place, own properties only
        foreign = true;
      } else data = toVars(vars);
    }
    if (locals) for (const k in locals) if (locals[k] !== undefined) data[k] = locals[k];
    return new Context(env, data, this.name, blocks, this.autoescape, layers, foreign);
  }

  private get hasOwnGlobals(): boolean {
    for (const _ in this.globals) return true;
    return false;
  }

  /** Renders to a string. */
  render(context?: ContextInput): string {
    try {
      return this.sync.root(this.newContext(context));
    } catch (e) {
      annotateError(e);
      throw e;
    }
  }

  /** Renders, awaiting promises found in the context and returned by calls and filters. */
  async renderAsync(context?: ContextInput): Promise<string> {
    const vars = toVars(context);
    await Promise.all(
      Object.keys(vars).map(async (k) => {
        const v = vars[k];
        if (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function')
          vars[k] = await v;
      }),
    );
    try {
      const mod = this.compiled(true);
      return await mod.root(this.newContext(vars, false, null, true));
    } catch (e) {
      annotateError(e);
      throw e;
    }
  }

  /**
   * Renders lazily: a generator of output chunks, produced as blocks, includes and loop iterations
   * complete (Jinja's `generate`/`stream`).
   */
  *stream(context?: ContextInput): Generator<string, void, undefined> {
    try {
      const ctx = this.newContext(context, false, null, 'stream');
      yield* this.compiled('stream').root(ctx) as unknown as Generator<string, void, undefined>;
    } catch (e) {
      annotateError(e);
      throw e;
    }
  }

  /** Jinja's `generate`: the same as `stream`. */
  generate(context?: ContextInput): Generator<string, void, undefined> {
    return this.stream(context);
  }

  /** Renders the template as a module (its exported macros and variables). */
  makeModule(vars?: ContextInput, shared = false, locals?: Record<string, unknown> | null): TemplateModule {
    const ctx = this.newContext(vars, shared, locals);
    const body = this.sync.root(ctx);
    return moduleFrom(ctx, body, this.name);
  }

  /** Async variant of makeModule. */
  async makeModuleAsync(
    vars?: ContextInput,
    shared = false,
    locals?: Record<string, unknown> | null,
  ): Promise<TemplateModule> {
    const ctx = this.newContext(vars, shared, locals, true);
    const body = await this.compiled(true).root(ctx);
    return moduleFrom(ctx, body, this.name);
  }

  /** The module rendered without context (cached; what `{% import %}` uses by default). */
  getDefaultModule(): TemplateModule {
    if (!this.defaultModule) this.defaultModule = this.makeModule();
    return this.defaultModule;
  }

  /** Async variant of getDefaultModule (its macros await what they call). */
  getDefaultModuleAsync(): Promise<TemplateModule> {
    if (!this.defaultModuleAsync) this.defaultModuleAsync = this.makeModuleAsync();
    return this.defaultModuleAsync;
  }

  /** The template's module (`template.module.macro_name(...)`). */
  get module(): TemplateModule {
    return this.getDefaultModule();
  }

  toString(): string {
    return `<Template ${this.name ? `'${this.name}'` : 'memory'}>`;
  }
}

/** Refuses a precompiled template whose compile-time settings differ from the environment's. */
function checkPrecompiled(
  env: Environment,
  name: string | null,
  t: PrecompiledTemplate,
  autoescape: boolean,
): void {
  const current = env.precompileSettings();
  if (t.settings !== current) {
    throw new TemplateRuntimeError(
      `template '${name}' was precompiled with other environment settings (${settingsDifference(t.settings, current)}); recompile it`,
    );
  }
  if (t.autoescape !== autoescape) {
    throw new TemplateRuntimeError(
      `template '${name}' was precompiled with autoescape ${t.autoescape ? 'on' : 'off'}, but this environment turns it ${autoescape ? 'on' : 'off'}; recompile it`,
    );
  }
}

function moduleFrom(ctx: Context, body: string, name: string | null): TemplateModule {
  const exports: Record<string, unknown> = {};
  for (const k of ctx.exportedVars) exports[k] = ctx.vars[k];
  return new TemplateModule(exports, body, name);
}
