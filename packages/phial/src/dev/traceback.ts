/**
 * An error as the debugger shows it: the cause chain (earliest first, as Python prints it), each
 * exception's frames parsed from its stack and mapped to TypeScript, the source around each frame,
 * which frames are the application's (expanded) and which a library's (folded), the locals captured
 * when it was thrown, and the template file and line of a template error.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CapturedFrame, capturedFrames } from './locals.js';
import { mapGenerated, mapStackLocation, toPath } from './sourcemap.js';

/** One line of a traceback. */
export interface Frame {
  /** Unique in the process (the console's key). */
  id: number;
  functionName: string;
  /** The (mapped) file, or a `node:` / `<anonymous>` location; null when the stack line has none. */
  file: string | null;
  line: number;
  column: number;
  /** An application frame (expanded, locals captured) rather than Node's, a dependency's or Phial's. */
  isApp: boolean;
  /** A template line (`at template 'x.html', line 3`). */
  isTemplate: boolean;
  /** Source lines around `line`: the first line's number and the text. */
  context: { start: number; lines: string[] } | null;
  /** Locals as they were when the error was thrown (application frames), or null when not captured. */
  locals: Record<string, unknown> | null;
}

/** One exception of the chain. */
export interface ExceptionInfo {
  name: string;
  message: string;
  /** Innermost frame last (Python's order). */
  frames: Frame[];
  /** How this exception relates to the next in the chain (`cause`), null for the last one. */
  link: 'cause' | null;
  /** Template error details (file and line), when the error came from a template. */
  template: { name: string | null; file: string | null; line: number | null } | null;
  /** The folders searched for a template that was not found. */
  searched: string[] | null;
  /** The value itself (the console's `error`). */
  value: unknown;
}

const CONTEXT_LINES = 5;
const MAX_CHAIN = 8;
const MAX_FRAMES = 64;
const MAX_SOURCE = 2 * 1024 * 1024;
const MAX_CACHED_SOURCES = 128;

/** Folders whose files are "library" code (Phial's and the template engine's own sources). */
function packageRoot(start: string, name: string): string | null {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // keep going up
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

let libraryDirs: string[] | null = null;

/** Phial's and @phial/jinja's `src` and `dist` folders (their frames fold as library frames). */
export function libraryPrefixes(): string[] {
  if (libraryDirs !== null) return libraryDirs;
  const out: string[] = [];
  const here = path.dirname(fileURLToPath(import.meta.url));
  const phial = packageRoot(here, 'phial');
  let jinja: string | null = null;
  try {
    jinja = packageRoot(path.dirname(createRequire(import.meta.url).resolve('@phial/jinja')), '@phial/jinja');
  } catch {
    jinja = null;
  }
  for (const root of [phial, jinja]) {
    if (root) out.push(path.join(root, 'src') + path.sep, path.join(root, 'dist') + path.sep);
  }
  libraryDirs = out;
  return out;
}

/** True for a file of the application (not Node's, not in node_modules, not Phial's own). */
export function isAppFile(file: string | null, prefixes = libraryPrefixes()): boolean {
  if (!file || !path.isAbsolute(file)) return false;
  if (file.includes(`${path.sep}node_modules${path.sep}`)) return false;
  for (const p of prefixes) if (file.startsWith(p)) return false;
  return true;
}

const sources = new Map<string, string[] | null>();

/** The lines of a source file (cached, bounded; null when unreadable or too large). */
export function sourceLines(file: string): string[] | null {
  if (sources.has(file)) return sources.get(file) ?? null;
  let lines: string[] | null = null;
  try {
    if (statSync(file).size <= MAX_SOURCE) lines = readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    lines = null;
  }
  if (sources.size >= MAX_CACHED_SOURCES) sources.clear();
  sources.set(file, lines);
  return lines;
}

/** Forgets cached sources (after an edit, the next page shows the new text). */
export function clearSourceCache(): void {
  sources.clear();
}

function contextOf(file: string | null, line: number): Frame['context'] {
  if (!file || line < 1 || !path.isAbsolute(file)) return null;
  const lines = sourceLines(file);
  if (!lines || line > lines.length) return null;
  const start = Math.max(1, line - CONTEXT_LINES);
  const end = Math.min(lines.length, line + CONTEXT_LINES);
  return {
    start,
    lines: lines.slice(start - 1, end).map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l)),
  };
}

let nextFrameId = 1;

const FRAME_RE = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
const TEMPLATE_RE = /^\s*at template (?:'(.*?)'|<string>)(?:, line (\d+))?(?: \((.*)\))?$/;

/** Parses the `at ...` lines of a V8 stack. */
export function parseStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split('\n')) {
    if (!/^\s+at /.test(text)) continue;
    if (frames.length >= MAX_FRAMES) break;
    const t = TEMPLATE_RE.exec(text);
    if (t) {
      const file = t[3] ?? null;
      const line = t[2] ? Number(t[2]) : 0;
      frames.push({
        id: nextFrameId++,
        functionName: t[1] ? `template '${t[1]}'` : 'template <string>',
        file,
        line,
        column: 0,
        isApp: true,
        isTemplate: true,
        context: contextOf(file, line),
        locals: null,
      });
      continue;
    }
    const m = FRAME_RE.exec(text);
    let fn = '';
    let file: string | null = null;
    let line = 0;
    let column = 0;
    if (m) {
      fn = m[1] ?? '';
      file = toPath(m[2] as string);
      line = Number(m[3]);
      column = Number(m[4]);
      // `at async fn (...)`, `at eval (eval at f (file:1:2), <anonymous>:1:1)`
      if (file.includes('(')) file = null;
    } else {
      fn = text.trim().slice(3);
    }
    if (file !== null && /^jinja-template-\d+$/.test(file)) continue; // the template line stands for it
    if (file !== null && path.isAbsolute(file)) {
      const mapped = mapStackLocation(file, line, column);
      if (mapped) {
        file = mapped.file;
        line = mapped.line;
        column = mapped.column;
      }
    }
    frames.push({
      id: nextFrameId++,
      functionName: fn || '<anonymous>',
      file,
      line,
      column,
      isApp: isAppFile(file),
      isTemplate: false,
      context: null,
      locals: null,
    });
  }
  for (const f of frames) if (!f.isTemplate && f.isApp) f.context = contextOf(f.file, f.line);
  // library frames get their source too (shown when unfolded), bounded by the cache
  for (const f of frames) if (!f.isApp && f.file !== null) f.context = contextOf(f.file, f.line);
  return frames.reverse();
}

function baseName(fn: string): string {
  const s = fn.replace(/^(?:async|new) /, '').replace(/ \[as .*\]$/, '');
  const dot = s.lastIndexOf('.');
  return dot === -1 ? s : s.slice(dot + 1);
}

/** Gives the locals captured when the error was thrown to the frames they belong to. */
function attachLocals(frames: Frame[], captured: CapturedFrame[]): void {
  const mapped = captured.map((c) => {
    const file = toPath(c.url);
    const pos = mapGenerated(file, c.line + 1, c.column + 1);
    return {
      file: pos?.file ?? file,
      line: pos?.line ?? c.line + 1,
      fn: baseName(c.functionName),
      locals: c.locals,
      used: false,
    };
  });
  // innermost frames first: that is where the captured frames start
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i] as Frame;
    if (!f.isApp || f.isTemplate || f.file === null) continue;
    let best: (typeof mapped)[number] | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    const fn = baseName(f.functionName);
    for (const c of mapped) {
      if (c.used || c.file !== f.file) continue;
      const distance = Math.abs(c.line - f.line);
      const score = (c.fn === fn || (c.fn === '' && fn === '<anonymous>') ? 0 : 1000) + distance;
      if (score < bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best !== null && bestScore < 1200) {
      best.used = true;
      f.locals = best.locals;
    }
  }
}

function errorName(e: unknown): string {
  if (e instanceof Error) {
    // the class, as Python shows it, when `name` says less: a subclass that kept 'Error', or an HTTP
    // error whose `name` is its status phrase ('Bad Request')
    const ctor = e.constructor?.name;
    if (ctor && ctor !== 'Error' && (!e.name || e.name === 'Error' || !/^[A-Za-z_$][\w$]*$/.test(e.name))) {
      return ctor;
    }
    return e.name || ctor || 'Error';
  }
  if (e === null) return 'null';
  return typeof e;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
  } catch {
    return String(e);
  }
}

function templateInfo(e: unknown): ExceptionInfo['template'] {
  if (e === null || typeof e !== 'object') return null;
  const o = e as { templateName?: unknown; templateLine?: unknown; lineno?: unknown; filename?: unknown };
  const name = typeof o.templateName === 'string' ? o.templateName : null;
  const line =
    typeof o.templateLine === 'number' ? o.templateLine : typeof o.lineno === 'number' ? o.lineno : null;
  const file = typeof o.filename === 'string' ? o.filename : null;
  if (name === null && file === null && line === null) return null;
  if (!('templateName' in o)) return null;
  return { name, file, line };
}

/** The template frame of a syntax error (its stack points at the parser, not at the template). */
function syntaxFrame(t: NonNullable<ExceptionInfo['template']>): Frame | null {
  if (t.line === null) return null;
  return {
    id: nextFrameId++,
    functionName: t.name === null ? 'template <string>' : `template '${t.name}'`,
    file: t.file,
    line: t.line,
    column: 0,
    isApp: true,
    isTemplate: true,
    context: contextOf(t.file, t.line),
    locals: null,
  };
}

/** The exceptions of `error`'s chain, earliest cause first. */
export function buildChain(error: unknown): ExceptionInfo[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  let cur: unknown = error;
  while (cur !== undefined && cur !== null && !seen.has(cur) && chain.length < MAX_CHAIN) {
    seen.add(cur);
    chain.push(cur);
    const o = cur as { cause?: unknown; originalException?: unknown };
    cur = typeof cur === 'object' ? (o.cause ?? o.originalException ?? undefined) : undefined;
  }
  chain.reverse();
  return chain.map((e, i) => {
    const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
    const frames = parseStack(stack);
    const captured = capturedFrames(e);
    if (captured) attachLocals(frames, captured);
    const template = templateInfo(e);
    const hasTemplateFrame = frames.some((f) => f.isTemplate);
    if (template && !hasTemplateFrame) {
      const f = syntaxFrame(template);
      if (f) frames.push(f);
    }
    const searched = (e as { searchedFolders?: unknown } | null)?.searchedFolders;
    return {
      name: errorName(e),
      message: errorMessage(e),
      frames,
      link: i < chain.length - 1 ? 'cause' : null,
      template,
      searched: Array.isArray(searched) ? searched.map(String) : null,
      value: e,
    };
  });
}

/** Python's plain-text traceback of a chain (what API clients get, and the page's copyable text). */
export function plainText(chain: ExceptionInfo[]): string {
  const out: string[] = [];
  for (const ex of chain) {
    out.push('Traceback (most recent call last):');
    for (const f of ex.frames) {
      out.push(
        f.file === null ? `  ${f.functionName}` : `  File "${f.file}", line ${f.line}, in ${f.functionName}`,
      );
      const ctx = f.context;
      if (ctx !== null) {
        const text = ctx.lines[f.line - ctx.start];
        if (text !== undefined && text.trim() !== '') out.push(`    ${text.trim()}`);
      }
    }
    out.push(ex.message ? `${ex.name}: ${ex.message}` : ex.name);
    if (ex.searched) out.push(`  searched: ${ex.searched.join(', ')}`);
    if (ex.link === 'cause') {
      out.push('', 'The above exception was the direct cause of the following exception:', '');
    }
  }
  return `${out.join('\n')}\n`;
}
