/**
 * Maps generated positions (a bundle, tsc output, code tsx transformed) back to TypeScript sources. Node's
 * own maps (`module.findSourceMap`, filled when source maps are on, as under tsx) come first; otherwise the
 * file's `sourceMappingURL` (inline or a linked `.map`) is read once and kept (a bounded cache).
 */
import { readFileSync } from 'node:fs';
import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A position in an original source. */
export interface MappedPosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  name: string | null;
}

const MAX_CACHED = 256;
const MAX_FILE = 32 * 1024 * 1024;
const ownMaps = new Map<string, SourceMap | null>();

/** A path for a stack/inspector location (`file:///x.ts` → `/x.ts`); other schemes are returned as is. */
export function toPath(location: string): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch {
      return location;
    }
  }
  return location;
}

/** Node's map for a file, when Node parsed one (source maps on when it loaded): its stacks are mapped already. */
export function nodeSourceMap(file: string): SourceMap | undefined {
  try {
    return findSourceMap(file) ?? findSourceMap(pathToFileURL(file).href);
  } catch {
    return undefined;
  }
}

function loadOwnMap(file: string): SourceMap | null {
  if (ownMaps.has(file)) return ownMaps.get(file) ?? null;
  let map: SourceMap | null = null;
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length <= MAX_FILE) {
      const m = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(-4096).trimEnd());
      if (m) {
        const ref = m[1] as string;
        let payload: SourceMapPayload;
        if (ref.startsWith('data:')) {
          const comma = ref.indexOf(',');
          const data = ref.slice(comma + 1);
          const raw = ref.slice(0, comma).endsWith(';base64')
            ? Buffer.from(data, 'base64').toString('utf8')
            : decodeURIComponent(data);
          payload = JSON.parse(raw) as SourceMapPayload;
        } else {
          payload = JSON.parse(
            readFileSync(path.resolve(path.dirname(file), ref), 'utf8'),
          ) as SourceMapPayload;
        }
        map = new SourceMap(payload);
      }
    }
  } catch {
    map = null;
  }
  if (ownMaps.size >= MAX_CACHED) ownMaps.clear();
  ownMaps.set(file, map);
  return map;
}

function resolveSource(mapFile: string, source: string): string {
  const s = toPath(source);
  if (s.startsWith('node:') || path.isAbsolute(s)) return s;
  if (/^[a-z]+:/i.test(s)) return s;
  return path.resolve(path.dirname(mapFile), s);
}

/**
 * The original position of a generated one (1-based line and column), or null when there is no map or
 * the position is not mapped.
 */
export function mapGenerated(file: string, line: number, column: number): MappedPosition | null {
  const map = nodeSourceMap(file) ?? loadOwnMap(file);
  if (!map) return null;
  const e = map.findEntry(line - 1, column - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
    name?: string;
  };
  if (e === undefined || e.originalSource === undefined || e.originalLine === undefined) return null;
  return {
    file: resolveSource(file, e.originalSource),
    line: e.originalLine + 1,
    column: (e.originalColumn ?? 0) + 1,
    name: e.name ?? null,
  };
}

/**
 * Maps a location taken from an `Error.stack` string. Node maps stacks itself for files it has a map
 * for; for the others (a bundle loaded without `--enable-source-maps`) the file's own map is used.
 */
export function mapStackLocation(file: string, line: number, column: number): MappedPosition | null {
  if (nodeSourceMap(file)) return null; // already mapped by Node
  const own = loadOwnMap(file);
  if (!own) return null;
  return mapGenerated(file, line, column);
}
