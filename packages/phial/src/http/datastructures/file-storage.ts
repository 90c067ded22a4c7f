import { isAbsolute, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { nodeFs, nodeFsPromises } from '../node-builtins.js';

/** How a FileStorage is made: the bytes already read, and what the multipart part said about them. */
export interface FileStorageInit {
  /** The file's content. */
  data?: Uint8Array | string;
  /** The name the client gave the file (`filename=` of the part), or null when it gave none. */
  filename?: string | null;
  /** The form field name. */
  name?: string | null;
  /** The part's `Content-Type` header value. */
  contentType?: string | null;
  /** The part's headers, lower-case names. */
  headers?: Readonly<Record<string, string>> | null;
  /**
   * A file holding the content instead of `data` (a large upload spooled to disk; it is removed when the
   * request ends), with its `size` in bytes.
   */
  path?: string | null;
  size?: number;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8');

function splitMimetype(ct: string): [string, Record<string, string>] {
  const parts = ct.split(';');
  const mimetype = (parts[0] as string).trim().toLowerCase();
  const params = Object.create(null) as Record<string, string>;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] as string;
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return [mimetype, params];
}

/**
 * An uploaded file (Werkzeug's `FileStorage`): what `req.files.get('photo')` returns. A small upload is held
 * in memory; a large one sits in a temporary file that is removed when the request is over. Read it with
 * `bytes()`/`text()`/`stream()` as often as needed during the request, or `save()` it (`stream()` and
 * `save()` never load a spooled file into memory).
 */
export class FileStorage {
  /** The client's file name, or null. Never trust it as a path: see `secureFilename`-style helpers. */
  readonly filename: string | null;
  /** The form field name. */
  readonly name: string | null;
  /** The part's headers, lower-case names (null-prototype object). */
  readonly headers: Readonly<Record<string, string>>;
  private readonly data: Uint8Array;
  /** The temporary file holding the content, or null when it is in memory. */
  private readonly path: string | null;
  private readonly fileSize: number;
  private parsedType: [string, Record<string, string>] | undefined;

  constructor(init: FileStorageInit = {}) {
    const data = init.data ?? EMPTY;
    this.data = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.path = init.path ?? null;
    this.fileSize = this.path === null ? this.data.byteLength : (init.size ?? 0);
    this.filename = init.filename ?? null;
    this.name = init.name ?? null;
    const headers = Object.create(null) as Record<string, string>;
    if (init.headers)
      for (const k of Object.keys(init.headers)) headers[k.toLowerCase()] = init.headers[k] as string;
    if (init.contentType != null) headers['content-type'] = init.contentType;
    this.headers = headers;
  }

  /** The full `Content-Type` of the part (with parameters), or null. */
  get contentType(): string | null {
    return this.headers['content-type'] ?? null;
  }

  /** The media type alone, lower-case: `text/plain` for `text/plain; charset=utf-8` ('' when none). */
  get mimetype(): string {
    this.parsedType ??= splitMimetype(this.contentType ?? '');
    return this.parsedType[0];
  }

  /** The `Content-Type` parameters (`{ charset: 'utf-8' }`). */
  get mimetypeParams(): Readonly<Record<string, string>> {
    this.parsedType ??= splitMimetype(this.contentType ?? '');
    return this.parsedType[1];
  }

  /** Size of the content in bytes. */
  get size(): number {
    return this.fileSize;
  }

  /** True when the content sits in a temporary file (a large upload) rather than in memory. */
  get spooled(): boolean {
    return this.path !== null;
  }

  /** The `Content-Length` the part declared, else the real size. */
  get contentLength(): number {
    const declared = Number(this.headers['content-length']);
    return Number.isInteger(declared) && declared >= 0 ? declared : this.fileSize;
  }

  /** The content (the stored bytes; do not mutate them). A spooled file is read from disk on each call. */
  bytes(): Uint8Array {
    return this.path === null ? this.data : nodeFs().readFileSync(this.path);
  }

  /** The content decoded (UTF-8 unless the part named a charset). */
  text(): string {
    const charset = this.mimetypeParams.charset;
    if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
      try {
        return new TextDecoder(charset).decode(this.bytes());
      } catch {
        // unknown charset: fall back to UTF-8
      }
    }
    return utf8.decode(this.bytes());
  }

  /** A fresh readable stream of the content (also an async iterable of chunks). */
  stream(): Readable {
    if (this.path !== null) return nodeFs().createReadStream(this.path);
    return Readable.from([Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength)], {
      objectMode: false,
    });
  }

  /** Writes the content to a file path (relative to the cwd) or into a writable stream (which is ended
   *  afterwards). Resolves when everything is written. */
  async save(destination: string | URL | Writable): Promise<void> {
    if (typeof destination === 'string' || destination instanceof URL) {
      const path =
        typeof destination === 'string' && !isAbsolute(destination) ? resolve(destination) : destination;
      if (this.path !== null) await nodeFsPromises().copyFile(this.path, path);
      else await nodeFsPromises().writeFile(path, this.data);
      return;
    }
    await pipeline(this.stream(), destination);
  }

  /** Like Werkzeug: a FileStorage is "truthy" when it has a file name. */
  get hasFile(): boolean {
    return Boolean(this.filename);
  }

  toString(): string {
    return `<FileStorage: ${JSON.stringify(this.filename)} (${JSON.stringify(this.contentType)})>`;
  }
}

/** Characters Python's `str.split()` also treats as whitespace (file/group/record/unit separators). */
const PY_EXTRA_SPACE = new RegExp(`[${String.fromCharCode(0x1c)}-${String.fromCharCode(0x1f)}]`, 'g');

const WINDOWS_DEVICE_FILES = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...Array.from({ length: 10 }, (_, i) => `COM${i}`),
  ...Array.from({ length: 10 }, (_, i) => `LPT${i}`),
]);

/**
 * A file name safe to join to a folder (Werkzeug's `secure_filename`): ASCII only (accents folded away),
 * path separators and whitespace become `_`, anything outside `[A-Za-z0-9_.-]` is dropped, leading and
 * trailing dots/underscores are stripped. It may return `''`: pick a name yourself then.
 * `secureFilename('../../etc/passwd')` is `'etc_passwd'`; `secureFilename('My cool movie.mov')` is
 * `'My_cool_movie.mov'`.
 */
export function secureFilename(filename: string, platform: NodeJS.Platform = process.platform): string {
  let name = filename
    .normalize('NFKD')
    .replace(/[\u0080-\uffff]/g, '')
    .replaceAll('/', ' ');
  if (platform === 'win32') name = name.replaceAll('\\', ' ');
  name = name
    .replace(PY_EXTRA_SPACE, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .replace(/^[._]+|[._]+$/g, '');
  if (
    platform === 'win32' &&
    name &&
    WINDOWS_DEVICE_FILES.has((name.split('.')[0] as string).toUpperCase())
  ) {
    name = `_${name}`;
  }
  return name;
}
