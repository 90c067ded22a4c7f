/**
 * Ahead-of-time compiled templates: `compileTemplates` turns templates into one plain ES module (no
 * `new Function` or `eval` when it runs), and `ModuleLoader` serves them, so templates render where
 * code generation is banned (Cloudflare Workers, pages under a strict Content-Security-Policy).
 */
import { TemplateNotFound } from './errors.js';
import { BaseLoader, type TemplateSource } from './loaders.js';

/** The version of the module layout written by `compileTemplates`. */
export const PRECOMPILED_FORMAT = 1;

/** One render mode's compiled module: called with the runtime and the environment, returns its functions. */
export type TemplateFactory = (rt: unknown, env: unknown) => unknown;

/** One precompiled template. */
export interface PrecompiledTemplate {
  /** Whether it was compiled with autoescaping on (must match the environment's rule for its name). */
  autoescape: boolean;
  /** The environment settings it was compiled under (see `precompileSettings`). */
  settings: string;
  sync: TemplateFactory;
  stream?: TemplateFactory;
  async?: TemplateFactory;
}

/** What a module written by `compileTemplates` exports. */
export interface PrecompiledModule {
  format: number;
  templates: Readonly<Record<string, PrecompiledTemplate>>;
}

/** The settings that change compiled code, in a canonical form, so a loader can refuse a mismatch. */
export interface PrecompileSettingsSource {
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
  extensions: readonly string[];
  newstyleGettext: boolean;
  policies: Record<string, unknown>;
  sandboxed: boolean;
  finalize: unknown;
}

/** A canonical description of an environment's code-shaping settings. */
export function precompileSettings(env: PrecompileSettingsSource): string {
  return JSON.stringify({
    trimBlocks: env.trimBlocks,
    lstripBlocks: env.lstripBlocks,
    keepTrailingNewline: env.keepTrailingNewline,
    delimiters: [
      env.blockStartString,
      env.blockEndString,
      env.variableStartString,
      env.variableEndString,
      env.commentStartString,
      env.commentEndString,
    ],
    newline: env.newlineSequence,
    extensions: [...env.extensions].sort(),
    newstyleGettext: env.newstyleGettext,
    i18nTrimmed: !!env.policies['ext.i18n.trimmed'],
    sandboxed: env.sandboxed,
    finalize: env.finalize !== null && env.finalize !== undefined,
  });
}

/** Explains how two settings descriptions differ (for the error a mismatched loader raises). */
export function settingsDifference(compiled: string, current: string): string {
  const a = JSON.parse(compiled) as Record<string, unknown>;
  const b = JSON.parse(current) as Record<string, unknown>;
  const diffs: string[] = [];
  for (const k of Object.keys({ ...a, ...b })) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) {
      diffs.push(`${k}: compiled ${JSON.stringify(a[k])}, environment ${JSON.stringify(b[k])}`);
    }
  }
  return diffs.join('; ');
}

/**
 * Serves templates from modules written by `compileTemplates` (Jinja's `ModuleLoader`). Pass the imported
 * module(s): `new ModuleLoader(await import('./templates.compiled.js'))`; earlier modules win.
 */
export class ModuleLoader extends BaseLoader {
  private readonly templates = new Map<string, PrecompiledTemplate>();

  constructor(modules: PrecompiledModule | readonly PrecompiledModule[]) {
    super();
    const list: readonly PrecompiledModule[] = Array.isArray(modules)
      ? (modules as readonly PrecompiledModule[])
      : [modules as PrecompiledModule];
    for (const mod of list) {
      if (!mod || typeof mod.templates !== 'object') {
        throw new TypeError('ModuleLoader: not a precompiled templates module (no `templates` export)');
      }
      if (mod.format !== PRECOMPILED_FORMAT) {
        throw new TypeError(
          `ModuleLoader: precompiled format ${mod.format} is not ${PRECOMPILED_FORMAT}; recompile the templates`,
        );
      }
      for (const [name, t] of Object.entries(mod.templates)) {
        if (!this.templates.has(name)) this.templates.set(name, t);
      }
    }
  }

  getSource(_env: unknown, name: string): TemplateSource {
    const compiled = this.templates.get(name);
    if (compiled === undefined) throw new TemplateNotFound(name);
    return { source: '', filename: null, uptodate: null, compiled };
  }

  override listTemplates(): string[] {
    return [...this.templates.keys()].sort();
  }
}

/** The ES module source for compiled templates: `[name, autoescape, {sync, stream, async} code]`. */
export function writeModule(
  settings: string,
  entries: readonly { name: string; autoescape: boolean; modes: Record<string, string> }[],
): string {
  const out: string[] = [
    '// Precompiled Jinja templates (@phial/jinja compileTemplates / `phial templates compile`). Do not edit.',
    '/* eslint-disable */',
    `export const format = ${PRECOMPILED_FORMAT};`,
    `const settings = ${JSON.stringify(settings)};`,
    'export const templates = {',
  ];
  for (const e of entries) {
    out.push(`  ${JSON.stringify(e.name)}: {`);
    out.push(`    autoescape: ${e.autoescape},`);
    out.push('    settings,');
    for (const [mode, code] of Object.entries(e.modes)) {
      out.push(`    ${mode}: function (rt, env) {\n${code}\n},`);
    }
    out.push('  },');
  }
  out.push('};', 'export default { format, templates };', '');
  return out.join('\n');
}
