/** Request body reading with limits (Werkzeug's form parser role): JSON, urlencoded and multipart. */
import type { FileStorage } from '../datastructures/file-storage.js';
import { MultiDict } from '../datastructures/multidict.js';
import { RequestEntityTooLarge } from '../exceptions.js';
import { type BodyLimits, minLimit } from './limits.js';
import { parseMultipart } from './multipart.js';
import { pump, type RateGuard } from './pump.js';
import { removeSpooled } from './spool.js';
import { parseUrlEncoded } from './urlencoded.js';

export { DEFAULT_MAX_JSON_DEPTH, parseJson } from './json.js';
export {
  type BodyConfig,
  type BodyLimits,
  bodyLimitsFromConfig,
  DEFAULT_BODY_LIMITS,
  DEFAULT_BODY_MIN_RATE,
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_MAX_BODY_MEMORY_SIZE,
  DEFAULT_MAX_FILE_MEMORY_SIZE,
} from './limits.js';
export { cleanFilename, type MultipartResult, multipartBoundary, parseMultipart } from './multipart.js';
export { type ChunkSink, type Pump, pump, type RateGuard } from './pump.js';
export { parseUrlEncoded } from './urlencoded.js';

/** A request body after reading: raw bytes, and the parsed form when it was a form. */
export interface RequestBody {
  /** The raw bytes (empty for multipart, whose parts went to `form`/`files`). */
  data: Uint8Array;
  /** Form fields for urlencoded and multipart bodies; null for anything else. */
  form: MultiDict<string> | null;
  /** Uploaded files for multipart bodies; null for anything else. */
  files: MultiDict<FileStorage> | null;
  /** Temporary files holding large uploads, removed by `releaseBody` when the request ends. */
  spooled?: string[] | null;
}

/** Removes the temporary files of a body (once the response is sent). */
export function releaseBody(body: RequestBody | null): Promise<void> | undefined {
  const paths = body?.spooled;
  if (!paths || paths.length === 0) return undefined;
  (body as RequestBody).spooled = null;
  return Promise.all(paths.map(removeSpooled)).then(() => undefined);
}

/** True when the request headers announce a body (a non-zero Content-Length, or a Transfer-Encoding). */
export function announcesBody(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const cl = headers['content-length'];
  if (cl !== undefined) return cl !== '0';
  return headers['transfer-encoding'] !== undefined;
}

const EMPTY = new Uint8Array(0);

/** The media type of a Content-Type value, lower-case, without parameters. */
function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The 413 for a body over `limit`, saying which limit when it is not the whole-body one. */
function tooLarge(limit: number | null, whole: number | null, form: boolean): RequestEntityTooLarge {
  if (limit === whole) return new RequestEntityTooLarge();
  return new RequestEntityTooLarge(
    form
      ? 'The form data is larger than the limit.'
      : `The request body is larger than the ${limit} bytes the server keeps in memory.`,
  );
}

/** What the buffered fast path needs from a node `IncomingMessage` (or Phial's server's request). */
interface BufferedMessage {
  takeBufferedBody?: () => Uint8Array | undefined;
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
  if (typeof m.takeBufferedBody === 'function') {
    // Phial's server: the whole body already arrived with the head (the usual small POST)
    const all = m.takeBufferedBody();
    if (all !== undefined && limit !== null && all.byteLength > limit) throw new RequestEntityTooLarge();
    return all;
  }
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

/** The slow-body guard of a set of limits, or null when it is off. */
function rateGuard(limits: BodyLimits): RateGuard | null {
  const t = limits.bodyTimeout;
  return t && t > 0 ? { timeout: t, minRate: limits.bodyMinRate ?? 0 } : null;
}

/**
 * Reads a whole body into bytes, failing with 413 at the first chunk that crosses `limit` (and with 408
 * when `guard` finds it too slow).
 */
export function readBytes(
  stream: AsyncIterable<Uint8Array>,
  limit: number | null,
  guard?: RateGuard | null,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  return pump(
    stream,
    limit,
    (chunk) => {
      chunks.push(chunk);
    },
    guard,
  ).done.then((total) => {
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    return Buffer.concat(chunks, total);
  });
}

/**
 * Reads a body once (the app does it just before the view, or when a hook awaits `req.loadBody()`).
 * `multipart/form-data` streams through busboy into `form` + `files` (`data` stays empty; large files
 * spool to temporary files); `application/x-www-form-urlencoded` is read to `data` and parsed into
 * `form`; anything else is read to `data`. What is held in memory is bounded: the whole body by
 * `maxContentLength`, a JSON/raw body also by `maxBodyMemorySize`, a urlencoded one by
 * `maxFormMemorySize`. A declared Content-Length over the limit throws RequestEntityTooLarge (413) before
 * anything is read; a body that crosses a limit while streaming throws 413 at that chunk and stops reading
 * (the stream is left paused: the server decides about the socket); a body slower than the rate guard
 * throws RequestTimeout (408). A malformed multipart body throws BadRequest (400); a client that goes
 * away, ClientDisconnected (400). (Every failure is a rejection; written without `async` so that a body
 * costs as few promise hops as possible.)
 */
export function readRequestBody(
  stream: AsyncIterable<Uint8Array> | null,
  contentType: string | undefined,
  contentLength: number | null,
  limits: BodyLimits,
  onStart?: () => void,
): Promise<RequestBody> {
  try {
    const out = startRequestBody(stream, contentType, contentLength, limits, onStart);
    return out instanceof Promise ? out : Promise.resolve(out);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * `readRequestBody` without the promise when it is not needed: the body itself when it could be read at
 * once (none, or all of it already arrived, and not multipart), else a promise. A limit crossed by the
 * declared or the buffered length throws synchronously.
 */
export function startRequestBody(
  stream: AsyncIterable<Uint8Array> | null,
  contentType: string | undefined,
  contentLength: number | null,
  limits: BodyLimits,
  onStart?: () => void,
): RequestBody | Promise<RequestBody> {
  const type = mediaType(contentType);
  const isMultipart = type === 'multipart/form-data';
  const isUrlEncoded = type === 'application/x-www-form-urlencoded';
  const whole = limits.maxContentLength;
  let limit = whole;
  if (!isMultipart) limit = minLimit(limit, limits.maxBodyMemorySize);
  if (isUrlEncoded) limit = minLimit(limit, limits.maxFormMemorySize);
  if (contentLength !== null && limit !== null && contentLength > limit) {
    throw tooLarge(limit, whole, isUrlEncoded);
  }
  if (stream === null || contentLength === 0) {
    if (isMultipart || isUrlEncoded) {
      return {
        data: EMPTY,
        form: new MultiDict<string>(),
        files: isMultipart ? new MultiDict<FileStorage>() : null,
      };
    }
    return { data: EMPTY, form: null, files: null };
  }
  const toBody = (data: Uint8Array): RequestBody =>
    isUrlEncoded
      ? { data, form: parseUrlEncoded(data, { maxFormParts: limits.maxFormParts }), files: null }
      : { data, form: null, files: null };
  if (!isMultipart) {
    // all of it arrived already (the client did not wait for a `100 Continue`): no promise, no event
    let buffered: Uint8Array | undefined;
    try {
      buffered = readBuffered(stream, limit);
    } catch (e) {
      throw e instanceof RequestEntityTooLarge ? tooLarge(limit, whole, isUrlEncoded) : e;
    }
    if (buffered !== undefined) return toBody(buffered);
  }
  // the limits allow the body: now the client may be told to send it (`Expect: 100-continue`)
  onStart?.();
  if (isMultipart) {
    return parseMultipart(stream, contentType as string, limits).then(({ form, files, spooled }) => ({
      data: EMPTY,
      form,
      files,
      spooled: spooled.length === 0 ? null : spooled,
    }));
  }
  return readBytes(stream, limit, rateGuard(limits)).then(toBody, (e: unknown) => {
    if (e instanceof RequestEntityTooLarge && limit !== whole) throw tooLarge(limit, whole, isUrlEncoded);
    throw e;
  });
}
