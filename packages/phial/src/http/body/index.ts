/** Request body reading with limits (Werkzeug's form parser role): JSON, urlencoded and multipart. */
import type { FileStorage } from '../datastructures/file-storage.js';
import { MultiDict } from '../datastructures/multidict.js';
import { RequestEntityTooLarge } from '../exceptions.js';
import type { BodyLimits } from './limits.js';
import { parseMultipart } from './multipart.js';
import { pump } from './pump.js';
import { parseUrlEncoded } from './urlencoded.js';

export { DEFAULT_MAX_JSON_DEPTH, parseJson } from './json.js';
export { type BodyLimits, DEFAULT_BODY_LIMITS } from './limits.js';
export { multipartBoundary, parseMultipart } from './multipart.js';
export { type ChunkSink, type Pump, pump } from './pump.js';
export { parseUrlEncoded } from './urlencoded.js';

/** A request body after reading: raw bytes, and the parsed form when it was a form. */
export interface RequestBody {
  /** The raw bytes (empty for multipart, whose parts went to `form`/`files`). */
  data: Uint8Array;
  /** Form fields for urlencoded and multipart bodies; null for anything else. */
  form: MultiDict<string> | null;
  /** Uploaded files for multipart bodies; null for anything else. */
  files: MultiDict<FileStorage> | null;
}

const EMPTY = new Uint8Array(0);

/** The media type of a Content-Type value, lower-case, without parameters. */
function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

function minLimit(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** What the buffered fast path needs from a node `IncomingMessage`. */
interface BufferedMessage {
  complete?: unknown;
  readableFlowing?: boolean | null;
  readableLength?: number;
  readableEncoding?: string | null;
  readableObjectMode?: boolean;
  read?: (size?: number) => unknown;
}

/**
 * The fast path for small node requests: when the whole message has already arrived (`complete`) and
 * nobody consumes the stream yet, the body sits in the stream's buffer and one `read()` returns it without
 * waiting for any event. Returns undefined when this does not apply.
 */
function readBuffered(stream: AsyncIterable<Uint8Array>, limit: number | null): Uint8Array | undefined {
  const m = stream as BufferedMessage;
  if (
    m.complete !== true ||
    typeof m.read !== 'function' ||
    m.readableFlowing ||
    m.readableObjectMode ||
    m.readableEncoding ||
    typeof m.readableLength !== 'number'
  ) {
    return undefined;
  }
  const n = m.readableLength;
  if (limit !== null && n > limit) throw new RequestEntityTooLarge();
  if (n === 0) return EMPTY;
  const chunk = m.read();
  if (chunk instanceof Uint8Array) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk) : EMPTY;
}

/** Reads a whole body into bytes, failing with 413 at the first chunk that crosses `limit`. */
export function readBytes(stream: AsyncIterable<Uint8Array>, limit: number | null): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  return pump(stream, limit, (chunk) => {
    chunks.push(chunk);
  }).done.then((total) => {
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    return Buffer.concat(chunks, total);
  });
}

/**
 * Reads the body once, before the view runs. `multipart/form-data` streams through busboy into
 * `form` + `files` (`data` stays empty); `application/x-www-form-urlencoded` is read to `data` and parsed
 * into `form`; anything else is read to `data`. A declared Content-Length over `maxContentLength` throws
 * RequestEntityTooLarge (413) before anything is read; a body that crosses a limit while streaming throws
 * 413 at that chunk and stops reading (the stream is left paused: the server decides about the socket).
 * A malformed multipart body throws BadRequest (400); a client that goes away, ClientDisconnected (400).
 * (Every failure is a rejection; written without `async` so that a body costs as few promise hops as possible.)
 */
export function readRequestBody(
  stream: AsyncIterable<Uint8Array> | null,
  contentType: string | undefined,
  contentLength: number | null,
  limits: BodyLimits,
): Promise<RequestBody> {
  try {
    const type = mediaType(contentType);
    const isMultipart = type === 'multipart/form-data';
    const isUrlEncoded = type === 'application/x-www-form-urlencoded';
    let limit = limits.maxContentLength;
    if (isUrlEncoded) limit = minLimit(limit, limits.maxFormMemorySize);
    if (contentLength !== null && limit !== null && contentLength > limit) {
      throw new RequestEntityTooLarge(
        isUrlEncoded && limit !== limits.maxContentLength
          ? 'The form data is larger than the limit.'
          : undefined,
      );
    }
    if (stream === null || contentLength === 0) {
      if (isMultipart || isUrlEncoded) {
        return Promise.resolve({
          data: EMPTY,
          form: new MultiDict<string>(),
          files: isMultipart ? new MultiDict<FileStorage>() : null,
        });
      }
      return Promise.resolve({ data: EMPTY, form: null, files: null });
    }
    if (isMultipart) {
      return parseMultipart(stream, contentType as string, limits).then(({ form, files }) => ({
        data: EMPTY,
        form,
        files,
      }));
    }
    const toBody = (data: Uint8Array): RequestBody =>
      isUrlEncoded
        ? { data, form: parseUrlEncoded(data, { maxFormParts: limits.maxFormParts }), files: null }
        : { data, form: null, files: null };
    const buffered = readBuffered(stream, limit);
    if (buffered !== undefined) return Promise.resolve(toBody(buffered));
    return readBytes(stream, limit).then(toBody);
  } catch (e) {
    return Promise.reject(e);
  }
}
