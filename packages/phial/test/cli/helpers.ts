/** Shared helpers of the CLI tests: temp projects whose apps import Phial from the source tree. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** `packages/phial/src/index.ts`, imported by the temp apps (the same module the CLI uses). */
export const PHIAL_SRC = path.resolve(here, '../../src/index.ts');
/** The executable entry, run through tsx. */
export const BIN = path.resolve(here, '../../src/cli/bin.ts');
/** tsx's loader as a file URL (temp folders have no node_modules to resolve `tsx` from). */
export const TSX_LOADER = pathToFileURL(
  path.resolve(here, '../../../../node_modules/tsx/dist/loader.mjs'),
).href;

/** A temp ESM project with `files` (path → text; `$PHIAL` is replaced by the source entry's path). */
export function makeProject(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'phial-cli-'));
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text.replaceAll('$PHIAL', PHIAL_SRC));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects runCli output. */
export function memoryIO(): { out: (t: string) => void; err: (t: string) => void; text: () => string } {
  let text = '';
  return {
    out: (t) => {
      text += t;
    },
    err: (t) => {
      text += t;
    },
    text: () => text,
  };
}
