/**
 * Jinja inside Phial (Flask's `templating.py`): one `@phial/jinja` Environment per app whose loader searches
 * the app's template folder, then each blueprint's; Flask's template context (`request`, `session`, `g`,
 * `config`, `url_for`, `get_flashed_messages`) so Flask templates render unchanged; and the render helpers.
 */
import path from 'node:path';
import {
  BaseLoader,
  Environment,
  FileSystemLoader,
  isKwargs,
  type Template,
  TemplateNotFound,
  type TemplateSource,
} from '@phial/jinja';
import { type AppContext, currentAppContext, currentRequestContext, requireAppContext } from './context.js';
import { getFlashedMessages } from './flash.js';
import { streamWithContext } from './helpers.js';
import type { Phial } from './phial.js';
import type { Scaffold } from './scaffold.js';
import { beforeRenderTemplate, templateRendered } from './signals.js';

/** Variables handed to a template. */
export type TemplateContext = Record<string, unknown>;

const AUTOESCAPE_EXTENSIONS = /\.(html|htm|xml|xhtml|svg)$/i;

/**
 * Flask's rule for autoescaping: on for HTML-like files and for templates made from strings (no name),
 * off for everything else (plain text, e-mail bodies).
 */
export function selectAutoescape(name: string | null): boolean {
  return name === null || AUTOESCAPE_EXTENSIONS.test(name);
}

const folderLoaders = new WeakMap<Scaffold, { folder: string; loader: FileSystemLoader } | null>();

/**
 * The loader of one app's or blueprint's templates (null when it has none): its `jinjaLoader` when set
 * (precompiled templates), else one for its template folder, made once.
 */
function scaffoldLoader(scaffold: Scaffold): BaseLoader | null {
  if (scaffold.jinjaLoader !== null && scaffold.jinjaLoader !== undefined) return scaffold.jinjaLoader;
  const folder =
    scaffold.templateFolder === null ? null : path.resolve(scaffold.rootPath, scaffold.templateFolder);
  const cached = folderLoaders.get(scaffold);
  if (cached !== undefined && (cached?.folder ?? null) === folder) return cached?.loader ?? null;
  const entry = folder === null ? null : { folder, loader: new FileSystemLoader(folder) };
  folderLoaders.set(scaffold, entry);
  return entry?.loader ?? null;
}

/**
 * Searches the app's template folder first, then every registered blueprint's in registration order, so an
 * app can override a blueprint's template by putting one with the same name in its own folder.
 */
export class DispatchingLoader extends BaseLoader {
  constructor(private readonly app: Phial) {
    super();
  }

  getSource(env: unknown, name: string): TemplateSource {
    const explain = Boolean(this.app.config.EXPLAIN_TEMPLATE_LOADING);
    const attempts: [Scaffold, string | null, boolean][] | null = explain ? [] : null;
    for (const scaffold of [this.app as Scaffold, ...this.app.iterBlueprints()]) {
      const loader = scaffoldLoader(scaffold);
      if (loader === null) {
        attempts?.push([scaffold, null, false]);
        continue;
      }
      try {
        const src = loader.getSource(env, name);
        if (attempts !== null) {
          attempts.push([scaffold, folderLoaders.get(scaffold)?.folder ?? null, true]);
          explainAttempts(this.app, name, attempts);
        }
        return src;
      } catch (err) {
        if (!(err instanceof TemplateNotFound)) throw err;
        attempts?.push([scaffold, folderLoaders.get(scaffold)?.folder ?? null, false]);
      }
    }
    if (attempts !== null) explainAttempts(this.app, name, attempts);
    // the folders searched, for the debugger's page and for whoever logs the error (Flask explains them
    // when EXPLAIN_TEMPLATE_LOADING is on)
    const error = new TemplateNotFound(name) as TemplateNotFound & { searchedFolders: string[] };
    error.searchedFolders = [];
    for (const scaffold of [this.app as Scaffold, ...this.app.iterBlueprints()]) {
      const folder = folderLoaders.get(scaffold)?.folder;
      if (folder) error.searchedFolders.push(folder);
    }
    throw error;
  }

  override listTemplates(): string[] {
    const names = new Set<string>();
    for (const scaffold of [this.app as Scaffold, ...this.app.iterBlueprints()]) {
      for (const n of scaffoldLoader(scaffold)?.listTemplates() ?? []) names.add(n);
    }
    return [...names].sort();
  }
}

/** Flask's `explain_template_loading_attempts`: which loaders were tried for a template, at info level. */
function explainAttempts(app: Phial, name: string, attempts: [Scaffold, string | null, boolean][]): void {
  const lines = [`Locating template '${name}':`];
  let found = 0;
  attempts.forEach(([scaffold, folder, ok], i) => {
    const kind = scaffold === app ? 'application' : 'blueprint';
    lines.push(`    ${i + 1}: trying loader of ${kind} '${scaffold.name}'`);
    if (folder === null) {
      lines.push('       -> no loader');
      return;
    }
    lines.push('       class: FileSystemLoader', '       searchpath:', `         - ${folder}`);
    if (ok) {
      found++;
      lines.push(`       -> found ('${path.join(folder, name)}')`);
    } else {
      lines.push('       -> no match');
    }
  });
  if (found === 0) lines.push('Error: the template could not be found.');
  else if (found > 1) lines.push('Warning: multiple loaders returned a match for the template.');
  app.logger.info(lines.join('\n'));
}

type Kw = Record<string, unknown>;

/** Splits a template call's arguments into positional ones and the keyword bag. */
function splitKwargs(args: unknown[]): [unknown[], Kw] {
  const last = args[args.length - 1];
  return isKwargs(last) ? [args.slice(0, -1), { ...last }] : [args, {}];
}

/** `url_for('static', filename='site.css')` as templates call it; `_external` etc. pass through. */
function urlForGlobal(endpoint: string, ...rest: unknown[]): string {
  const [positional, kwargs] = splitKwargs(rest);
  const extra = positional[0];
  const values = extra !== null && typeof extra === 'object' ? { ...(extra as Kw), ...kwargs } : kwargs;
  return requireAppContext().app.urlFor(endpoint, values);
}

/** `get_flashed_messages(with_categories=true, category_filter=['error'])`, snake_case or camelCase. */
function getFlashedMessagesGlobal(...args: unknown[]): unknown {
  const [positional, kw] = splitKwargs(args);
  const withCategories = Boolean(positional[0] ?? kw.with_categories ?? kw.withCategories ?? false);
  const filter = (positional[1] ?? kw.category_filter ?? kw.categoryFilter ?? []) as Iterable<string>;
  return getFlashedMessages({ withCategories, categoryFilter: filter });
}

/**
 * Makes the app's environment: Flask's loader, autoescape rule and globals. Called once per app by
 * {@link jinjaEnvFor}; templates then compile once and are reloaded only when `TEMPLATES_AUTO_RELOAD`
 * (default: debug mode) is on and their file changed.
 */
export function createJinjaEnvironment(app: Phial): Environment {
  const env = new Environment({ loader: new DispatchingLoader(app), autoescape: selectAutoescape });
  Object.defineProperty(env, 'autoReload', {
    configurable: true,
    get: () => {
      const configured = app.config.TEMPLATES_AUTO_RELOAD;
      return configured === null || configured === undefined ? app.debug : Boolean(configured);
    },
  });
  env.globals.url_for = urlForGlobal;
  env.globals.urlFor = urlForGlobal;
  env.globals.get_flashed_messages = getFlashedMessagesGlobal;
  env.globals.getFlashedMessages = getFlashedMessagesGlobal;
  env.globals.config = app.config;
  return env;
}

const environments = new WeakMap<Phial, Environment>();

/** The app's Jinja environment, made on first use (Flask's `app.jinja_env`). */
export function jinjaEnvFor(app: Phial): Environment {
  let env = environments.get(app);
  if (env === undefined) {
    env = createJinjaEnvironment(app);
    environments.set(app, env);
  }
  syncRegistries(app, env);
  return env;
}

/** Copies filters, tests and globals registered on the app (or its blueprints) since the last render. */
function syncRegistries(app: Phial, env: Environment): void {
  for (const [name, fn] of app.templateFilters) if (env.filters[name] !== fn) env.filters[name] = fn;
  for (const [name, fn] of app.templateTests) if (env.tests[name] !== fn) env.tests[name] = fn;
  for (const [name, value] of app.templateGlobals) if (env.globals[name] !== value) env.globals[name] = value;
}

/**
 * Flask's template context for the current request: `g`, `request`, `session`, then the context
 * processors of the app and of the request's blueprints (outermost first); the caller's own values win.
 */
function buildContext(
  app: Phial,
  values: TemplateContext,
  pending: Promise<unknown>[] | null,
): TemplateContext {
  const ctx: TemplateContext = Object.create(null);
  const appCtx: AppContext | undefined = currentAppContext();
  if (appCtx !== undefined) ctx.g = appCtx.g;
  const reqCtx = currentRequestContext();
  if (reqCtx !== undefined) {
    ctx.request = reqCtx.request;
    ctx.session = reqCtx.getSession();
  }
  const scopes: (string | null)[] = [null];
  if (reqCtx !== undefined) scopes.push(...reqCtx.request.blueprints.slice().reverse());
  for (const scope of scopes) {
    for (const processor of app.contextProcessors.get(scope) ?? []) {
      const extra = processor();
      if (extra !== null && typeof (extra as Promise<unknown>).then === 'function') {
        if (pending === null) {
          throw new TypeError(
            `The context processor '${processor.name || 'anonymous'}' returned a promise; use renderTemplateAsync() to await it.`,
          );
        }
        pending.push((extra as Promise<TemplateContext>).then((v) => Object.assign(ctx, v, values)));
      } else {
        Object.assign(ctx, extra);
      }
    }
  }
  Object.assign(ctx, values);
  return ctx;
}

function currentAppOrThrow(): Phial {
  return requireAppContext().app;
}

function sendSignals(
  signal: typeof beforeRenderTemplate | typeof templateRendered,
  app: Phial,
  template: Template,
  context: TemplateContext,
): void {
  if (signal.hasReceivers) signal.send(app, { template, context });
}

function renderWith(app: Phial, template: Template, values: TemplateContext): string {
  const context = buildContext(app, values, null);
  sendSignals(beforeRenderTemplate, app, template, context);
  const rv = template.render(context);
  sendSignals(templateRendered, app, template, context);
  return rv;
}

/**
 * Renders a template from the app's (or a blueprint's) template folder with Flask's context. A list of
 * names renders the first that exists.
 */
export function renderTemplate(
  nameOrNames: string | readonly string[],
  context: TemplateContext = {},
): string {
  const app = currentAppOrThrow();
  const env = jinjaEnvFor(app);
  return renderWith(app, env.getOrSelectTemplate(nameOrNames), context);
}

/** Renders template source given as a string (autoescaped, as in Flask). Never pass request data as source. */
export function renderTemplateString(source: string, context: TemplateContext = {}): string {
  const app = currentAppOrThrow();
  return renderWith(app, jinjaEnvFor(app).fromString(source), context);
}

/** Like {@link renderTemplate}, awaiting promises in the context and from async context processors. */
export async function renderTemplateAsync(
  nameOrNames: string | readonly string[],
  context: TemplateContext = {},
): Promise<string> {
  const app = currentAppOrThrow();
  const template = jinjaEnvFor(app).getOrSelectTemplate(nameOrNames);
  const pending: Promise<unknown>[] = [];
  const ctx = buildContext(app, context, pending);
  await Promise.all(pending);
  sendSignals(beforeRenderTemplate, app, template, ctx);
  const rv = await template.renderAsync(ctx);
  sendSignals(templateRendered, app, template, ctx);
  return rv;
}

function streamWith(app: Phial, template: Template, values: TemplateContext): AsyncIterable<string> {
  const context = buildContext(app, values, null);
  sendSignals(beforeRenderTemplate, app, template, context);
  const chunks = template.stream(context);
  async function* withSignal(): AsyncGenerator<string> {
    yield* chunks;
    sendSignals(templateRendered, app, template, context);
  }
  return streamWithContext(withSignal());
}

/**
 * Renders a template as a stream of chunks: return it from a view to send the page as it renders. It is
 * consumed inside the request context, so `request` and `session` stay usable while it runs.
 */
export function streamTemplate(
  nameOrNames: string | readonly string[],
  context: TemplateContext = {},
): AsyncIterable<string> {
  const app = currentAppOrThrow();
  return streamWith(app, jinjaEnvFor(app).getOrSelectTemplate(nameOrNames), context);
}

/** Streams template source given as a string (see {@link streamTemplate}). */
export function streamTemplateString(source: string, context: TemplateContext = {}): AsyncIterable<string> {
  const app = currentAppOrThrow();
  return streamWith(app, jinjaEnvFor(app).fromString(source), context);
}
