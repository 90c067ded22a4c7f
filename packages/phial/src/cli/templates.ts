/**
 * `phial templates compile <folder> -o <file>`: precompiles a template folder into one plain ES module
 * (no `new Function` when it runs), for apps deployed where code generation is banned (Cloudflare
 * Workers, strict CSP). The app then sets `app.jinjaLoader = new ModuleLoader(compiledModule)`.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Environment, FileSystemLoader } from '@phial/jinja';
import { selectAutoescape } from '../app/templating.js';

/** What shapes the compiled code; must match the environment that loads the templates. */
export interface CompileTemplatesOptions {
  /** Jinja's `trim_blocks`. */
  trimBlocks?: boolean;
  /** Jinja's `lstrip_blocks`. */
  lstripBlocks?: boolean;
  /** Extensions enabled in the app's environment (`i18n`, `do`, `loopcontrols`, `debug`). */
  extensions?: readonly string[];
  /** i18n: the app installs newstyle gettext (`installGettextTranslations(t, true)`). */
  newstyleGettext?: boolean;
  /** i18n: the `ext.i18n.trimmed` policy is on. */
  i18nTrimmed?: boolean;
  /** Render modes to include (default all: `render`, `stream` and async rendering). */
  modes?: readonly ('sync' | 'stream' | 'async')[];
}

/**
 * Compiles every template under `folder` with Phial's environment settings (its autoescape rule: on for
 * .html, .htm, .xml, .xhtml, .svg) and writes the module to `output`. Returns the template names.
 */
export function compileTemplateFolder(
  folder: string,
  output: string,
  options: CompileTemplatesOptions = {},
): string[] {
  const root = path.resolve(folder);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`no template folder at ${root}`);
  }
  const env = new Environment({
    loader: new FileSystemLoader(root),
    autoescape: selectAutoescape,
    trimBlocks: !!options.trimBlocks,
    lstripBlocks: !!options.lstripBlocks,
    extensions: options.extensions ?? [],
  });
  env.newstyleGettext = !!options.newstyleGettext;
  if (options.i18nTrimmed) env.policies['ext.i18n.trimmed'] = true;
  const names = env.listTemplates();
  const code = env.compileTemplates({ names, ...(options.modes ? { modes: options.modes } : {}) });
  mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  writeFileSync(output, code);
  const types = declarationFile(output);
  if (types !== null) writeFileSync(types, DECLARATIONS);
  return names;
}

/** The module's types, so `import * as templates from './templates.compiled.js'` type-checks under `strict`. */
const DECLARATIONS = `// Types of the precompiled templates beside this file (\`phial templates compile\`). Do not edit.
import type { PrecompiledModule, PrecompiledTemplate } from '@phial/jinja';
export declare const format: number;
export declare const templates: Readonly<Record<string, PrecompiledTemplate>>;
declare const compiled: PrecompiledModule;
export default compiled;
`;

/** Where TypeScript looks for the types of `output` (`x.js` → `x.d.ts`, `x.mjs` → `x.d.mts`), or null. */
function declarationFile(output: string): string | null {
  if (output.endsWith('.mjs')) return `${output.slice(0, -4)}.d.mts`;
  if (output.endsWith('.js')) return `${output.slice(0, -3)}.d.ts`;
  return null;
}
