import type { BusboyFileStream } from '@fastify/busboy';
import { FileStorage } from '../datastructures/file-storage.js';
import { MultiDict } from '../datastructures/multidict.js';
import { BadRequest, RequestEntityTooLarge } from '../exceptions.js';
import type { BodyLimits } from './limits.js';
import { type Pump, pump } from './pump.js';
import { SpoolFile } from './spool.js';

const BOUNDARY = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i;
const utf8 = new TextDecoder('utf-8');
const noop = (): void => {};

/** The `boundary` parameter of a multipart Content-Type, or null when missing, empty or too long. */
export function multipartBoundary(contentType: string): string | null {
  const m = BOUNDARY.exec(contentType);
  if (!m) return null;
  const b = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '');
  return b.length > 0 && b.length <= 200 ? b : null;
}

function concat(chunks: Buffer[], size: number): Buffer {
  if (chunks.length === 1) return chunks[0] as Buffer;
  return Buffer.concat(chunks, size);
}

/** What a multipart body parsed into; `spooled` lists the temporary files to remove when the request ends. */
export interface MultipartResult {
  form: MultiDict<string>;
  files: MultiDict<FileStorage>;
  spooled: string[];
}

/** True for C0 controls (NUL included), DEL and C1 controls. */
function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/** The client's file name with control characters (NUL included) removed: never part of a name handed to the app. */
export function cleanFilename(filename: string): string {
  let i = 0;
  while (i < filename.length && !isControl(filename.charCodeAt(i))) i++;
  if (i === filename.length) return filename;
  let out = filename.slice(0, i);
  for (; i < filename.length; i++) {
    const c = filename.charCodeAt(i);
    if (!isControl(c)) out += filename[i];
  }
  return out;
}

/**
 * Streams a `multipart/form-data` body through busboy: non-file fields (parts without `filename`) into
 * `form`, files into `files`. A part with a `filename` (even empty, as browsers send for an empty file
 * input) is a file; its name is reduced to the last path segment and loses any control character.
 * Text fields decode as UTF-8. A file stays in memory up to `maxFileMemorySize` while the body's total in
 * memory stays under `maxBodyMemorySize`; past either it goes to a temporary file (listed in `spooled`,
 * removed by the caller when the request ends). A field larger than `maxFormMemorySize`, fields beyond
 * `maxBodyMemorySize` in total, more parts than `maxFormParts` or a body over `maxContentLength` throw
 * RequestEntityTooLarge at once; a missing boundary or a malformed/truncated body throws BadRequest.
 */
export function parseMultipart(
  stream: AsyncIterable<Uint8Array>,
  contentType: string,
  limits: BodyLimits,
): Promise<MultipartResult> {
  if (multipartBoundary(contentType) === null) {
    return Promise.reject(new BadRequest('The multipart/form-data body has no valid boundary.'));
  }
  // busboy is loaded on the first multipart body: apps that never receive one do not pay for it at startup
  const factory = busboyFactory;
  if (factory !== null) return runBusboy(factory, stream, contentType, limits);
  return loadBusboy().then((f) => runBusboy(f, stream, contentType, limits));
}

type BusboyFactory = typeof import('@fastify/busboy').Busboy;
let busboyFactory: BusboyFactory | null = null;

function loadBusboy(): Promise<BusboyFactory> {
  return import('@fastify/busboy').then((m) => {
    busboyFactory = m.Busboy;
    return m.Busboy;
  });
}

function runBusboy(
  Busboy: BusboyFactory,
  stream: AsyncIterable<Uint8Array>,
  contentType: string,
  limits: BodyLimits,
): Promise<MultipartResult> {
  let bb: ReturnType<BusboyFactory>;
  try {
    bb = Busboy({
      headers: { 'content-type': contentType },
      isPartAFile: () => true, // every part comes as a stream: we tell fields from files ourselves
      limits: { parts: limits.maxFormParts ?? Number.POSITIVE_INFINITY },
    });
  } catch (e) {
    return Promise.reject(new BadRequest(`Invalid multipart/form-data body: ${(e as Error).message}.`));
  }
  const maxField = limits.maxFormMemorySize;
  const maxFileInMemory = limits.maxFileMemorySize ?? Number.POSITIVE_INFINITY;
  const memoryBudget = limits.maxBodyMemorySize ?? Number.POSITIVE_INFINITY;
  const form = new MultiDict<string>();
  const files = new MultiDict<FileStorage>();
  const spools: SpoolFile[] = [];
  /** Bytes held in memory by fields and in-memory files. */
  let inMemory = 0;
  /** File parts still being written to disk (the body is complete once they are too). */
  let pendingWrites = 0;
  let busboyDone = false;

  return new Promise((resolve, reject) => {
    let settled = false;
    let source: Pump | undefined;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      source?.abort(err);
      bb.on('error', noop);
      bb.destroy();
      for (const f of spools) void f.discard();
      reject(err);
    };
    const maybeDone = (): void => {
      if (settled || !busboyDone || pendingWrites !== 0) return;
      settled = true;
      resolve({ form, files, spooled: spools.map((f) => f.path) });
    };

    bb.on(
      'file',
      (name: string | undefined, part: BusboyFileStream, filename: string | undefined, _enc, mimetype) => {
        part.on('error', noop); // busboy reports the same failure on itself
        if (settled || name === undefined) {
          part.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        if (filename === undefined) {
          part.on('data', (chunk: Buffer) => {
            if (settled) return;
            size += chunk.length;
            inMemory += chunk.length;
            if (maxField !== null && size > maxField) {
              fail(new RequestEntityTooLarge(`The form field "${name}" is larger than the limit.`));
              return;
            }
            if (inMemory > memoryBudget) {
              fail(new RequestEntityTooLarge('The form fields are larger than the limit.'));
              return;
            }
            chunks.push(chunk);
          });
          part.on('end', () => {
            if (!settled) form.add(name, size === 0 ? '' : utf8.decode(concat(chunks, size)));
          });
          return;
        }
        const cleanName = cleanFilename(filename);
        let spool: SpoolFile | null = null;
        pendingWrites++;
        const spoolWrite = (p: Promise<void>): void => {
          part.pause();
          p.then(
            () => {
              if (!settled) part.resume();
            },
            (e: unknown) => fail(new RequestEntityTooLarge(`The upload could not be stored: ${String(e)}.`)),
          );
        };
        part.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          if (spool !== null) {
            spoolWrite(spool.write(chunk));
            return;
          }
          if (size <= maxFileInMemory && inMemory + chunk.length <= memoryBudget) {
            inMemory += chunk.length;
            chunks.push(chunk);
            return;
          }
          // too large for memory: everything so far and from now on goes to a temporary file
          spool = new SpoolFile();
          spools.push(spool);
          inMemory -= size - chunk.length;
          const held = concat(chunks, size - chunk.length);
          chunks.length = 0;
          if (held.length > 0) void spool.write(held);
          spoolWrite(spool.write(chunk));
        });
        part.on('end', () => {
          if (settled) return;
          const file = spool;
          if (file === null) {
            const data = size === 0 ? new Uint8Array(0) : concat(chunks, size);
            files.add(name, new FileStorage({ data, filename: cleanName, name, contentType: mimetype }));
            pendingWrites--;
            maybeDone();
            return;
          }
          file.close().then(
            () => {
              if (settled) return;
              files.add(
                name,
                new FileStorage({ path: file.path, size, filename: cleanName, name, contentType: mimetype }),
              );
              pendingWrites--;
              maybeDone();
            },
            (e: unknown) => fail(new RequestEntityTooLarge(`The upload could not be stored: ${String(e)}.`)),
          );
        });
      },
    );
    bb.on('partsLimit', () => fail(new RequestEntityTooLarge('The form has more parts than the limit.')));
    bb.on('error', (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      fail(new BadRequest(`Invalid multipart/form-data body: ${msg}.`));
    });
    bb.on('finish', () => {
      busboyDone = true;
      maybeDone();
    });

    const guard =
      limits.bodyTimeout && limits.bodyTimeout > 0
        ? { timeout: limits.bodyTimeout, minRate: limits.bodyMinRate ?? 0 }
        : null;
    source = pump(
      stream,
      limits.maxContentLength,
      (chunk) => {
        if (bb.write(chunk)) return undefined;
        return new Promise<void>((res) => bb.once('drain', res));
      },
      guard,
    );
    source.done.then(() => {
      if (!settled) bb.end();
    }, fail);
  });
}
