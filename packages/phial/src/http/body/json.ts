import { BadRequest } from '../exceptions.js';

/** Default nesting limit of a JSON body: deep enough for any real document, shallow enough that a
 *  hostile `[[[[...` body cannot make the app walk a million levels. */
export const DEFAULT_MAX_JSON_DEPTH = 512;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Deepest `[`/`{` nesting of JSON text (strings skipped); stops counting past `max`. */
function nestingDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // skip the string, honouring backslash escapes
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}

/** Number of `[` and `{` in the text (strings included: an upper bound of the depth); stops past `max`. */
function countOpenings(text: string, max: number): number {
  let count = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++count > max) return count;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count > max) return count;
  return count;
}

/**
 * Parses a JSON request body. UTF-8 only (a leading BOM is skipped); invalid UTF-8, invalid JSON, an empty
 * body or nesting deeper than `maxDepth` throw BadRequest (400), as Flask's `request.json` does.
 * `__proto__` keys become own data properties (JSON.parse semantics), never the prototype.
 */
export function parseJson(data: Uint8Array | string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): unknown {
  let text: string;
  if (typeof data === 'string') {
    text = data.charCodeAt(0) === 0xfeff ? data.slice(1) : data;
  } else {
    try {
      text = strictUtf8.decode(data); // strips a UTF-8 BOM
    } catch {
      throw new BadRequest('Failed to decode JSON object: the body is not valid UTF-8.');
    }
  }
  // Each level needs an opening and a closing bracket, so short documents cannot be too deep; and a
  // document with few opening brackets (counted natively, strings included) cannot be either: skip the scan.
  if (
    text.length > 2 * maxDepth &&
    countOpenings(text, maxDepth) > maxDepth &&
    nestingDepth(text, maxDepth) > maxDepth
  ) {
    throw new BadRequest(`Failed to decode JSON object: nesting deeper than ${maxDepth} levels.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new BadRequest(`Failed to decode JSON object: ${detail}`);
  }
}
