import type { BusboyFileStream } from '@fastify/busboy';
import { FileStorage } from '../datastructures/file-storage.js';
import { MultiDict } from '../datastructures/multidict.js';
import { BadRequest, RequestEntityTooLarge } from '../exceptions.js';
import type { BodyLimits } from './limits.js';
import { type Pump, pump } from './pump.js';

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

/**
 * Streams a `multipart/form-data` body through busboy: non-file fields (parts without `filename`) into
 * `form`, files into `files` (held in memory). A part with a `filename` (even empty, as browsers send for
 * an empty file input) is a file; its name is reduced to the last path segment. Text fields decode as UTF-8.
 * A field larger than `maxFormMemorySize`, more parts than `maxFormParts` or a body over
 * `maxContentLength` throw RequestEntityTooLarge at once; a missing boundary or a malformed/truncated body
 * throws BadRequest.
 */
export function parseMultipart(
  stream: AsyncIterable<Uint8Array>,
  contentType: string,
  limits: BodyLimits,
): Promise<{ form: MultiDict<string>; files: MultiDict<FileStorage> }> {
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
): Promise<{ form: MultiDict<string>; files: MultiDict<FileStorage> }> {
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
  const form = new MultiDict<string>();
  const files = new MultiDict<FileStorage>();

  return new Promise((resolve, reject) => {
    let settled = false;
    let source: Pump | undefined;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      source?.abort(err);
      bb.on('error', noop);
      bb.destroy();
      reject(err);
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
            if (maxField !== null && size > maxField) {
              fail(new RequestEntityTooLarge(`The form field "${name}" is larger than the limit.`));
              return;
            }
            chunks.push(chunk);
          });
          part.on('end', () => {
            if (!settled) form.add(name, size === 0 ? '' : utf8.decode(concat(chunks, size)));
          });
        } else {
          part.on('data', (chunk: Buffer) => {
            if (settled) return;
            size += chunk.length;
            chunks.push(chunk);
          });
          part.on('end', () => {
            if (settled) return;
            const data = size === 0 ? new Uint8Array(0) : concat(chunks, size);
            files.add(name, new FileStorage({ data, filename, name, contentType: mimetype }));
          });
        }
      },
    );
    bb.on('partsLimit', () => fail(new RequestEntityTooLarge('The form has more parts than the limit.')));
    bb.on('error', (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      fail(new BadRequest(`Invalid multipart/form-data body: ${msg}.`));
    });
    bb.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve({ form, files });
    });

    source = pump(stream, limits.maxContentLength, (chunk) => {
      if (bb.write(chunk)) return undefined;
      return new Promise<void>((res) => bb.once('drain', res));
    });
    source.done.then(() => {
      if (!settled) bb.end();
    }, fail);
  });
}
