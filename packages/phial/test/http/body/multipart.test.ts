import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type BodyLimits, multipartBoundary, readRequestBody } from '../../../src/http/body/index.js';
import { FileStorage } from '../../../src/http/datastructures/index.js';
import { BadRequest, RequestEntityTooLarge } from '../../../src/http/exceptions.js';
import { bytes, chunked, endless, multipart, split } from './helpers.js';

const NO_LIMITS: BodyLimits = { maxContentLength: null, maxFormMemorySize: null, maxFormParts: null };
const FLASK_LIMITS: BodyLimits = { maxContentLength: null, maxFormMemorySize: 500_000, maxFormParts: 1000 };

describe('multipart/form-data', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x0d, 0x0a]);
  const sample = multipart([
    { name: 'title', value: 'Hello wörld' },
    { name: 'tag', value: 'a' },
    { name: 'photo', filename: 'cat.png', contentType: 'image/png', value: png },
    { name: 'tag', value: 'b' },
    { name: 'notes', filename: 'n.txt', contentType: 'text/plain', value: 'line1\r\nline2' },
    { name: 'empty', value: '' },
  ]);

  it('streams fields into form and files into FileStorage', async () => {
    const body = await readRequestBody(
      chunked([sample.body]),
      sample.contentType,
      sample.body.length,
      FLASK_LIMITS,
    );
    expect(body.data.byteLength).toBe(0);
    expect(body.form?.get('title')).toBe('Hello wörld');
    expect(body.form?.getAll('tag')).toEqual(['a', 'b']);
    expect(body.form?.get('empty')).toBe('');
    expect(body.form?.has('photo')).toBe(false);
    const photo = body.files?.get('photo');
    expect(photo).toBeInstanceOf(FileStorage);
    expect(photo?.filename).toBe('cat.png');
    expect(photo?.name).toBe('photo');
    expect(photo?.mimetype).toBe('image/png');
    expect(photo?.size).toBe(png.length);
    expect([...(photo?.bytes() ?? [])]).toEqual([...png]);
    expect(body.files?.get('notes')?.text()).toBe('line1\r\nline2');
  });

  it('gives the same result whatever the chunking (1-byte and 7-byte chunks)', async () => {
    for (const size of [1, 7]) {
      const body = await readRequestBody(
        chunked(split(sample.body, size)),
        sample.contentType,
        null,
        FLASK_LIMITS,
      );
      expect(body.form?.toObject({ flat: false })).toEqual(
        Object.assign(Object.create(null), { title: ['Hello wörld'], tag: ['a', 'b'], empty: [''] }),
      );
      expect(body.files?.get('photo')?.size).toBe(png.length);
    }
  });

  it('treats a part with an empty filename as an (empty) file, and strips client paths', async () => {
    const mp = multipart([
      { name: 'f', filename: '', contentType: 'application/octet-stream', value: '' },
      { name: 'g', filename: 'C:\\\\Users\\\\me\\\\doc.txt', value: 'x' },
      { name: 'h', filename: '../../etc/passwd', value: 'y' },
    ]);
    const body = await readRequestBody(chunked([mp.body]), mp.contentType, null, NO_LIMITS);
    const f = body.files?.get('f');
    expect(f?.filename).toBe('');
    expect(f?.size).toBe(0);
    expect(f?.hasFile).toBe(false);
    expect(body.files?.get('g')?.filename).toBe('doc.txt');
    expect(body.files?.get('h')?.filename).toBe('passwd');
  });

  it('keeps __proto__ field names as ordinary keys', async () => {
    const mp = multipart([
      { name: '__proto__', value: 'x' },
      { name: 'a[b]', value: 'y' },
    ]);
    const body = await readRequestBody(chunked([mp.body]), mp.contentType, null, NO_LIMITS);
    expect(body.form?.get('__proto__')).toBe('x');
    expect(body.form?.get('a[b]')).toBe('y');
    expect(({} as { x?: unknown }).x).toBeUndefined();
  });

  it('ignores parts without a name or a form-data disposition', async () => {
    const mp = multipart([{ value: 'nameless' }, { name: 'ok', value: '1' }]);
    const body = await readRequestBody(chunked([mp.body]), mp.contentType, null, NO_LIMITS);
    expect([...(body.form?.keys() ?? [])]).toEqual(['ok']);
  });

  it('accepts a quoted boundary', async () => {
    const mp = multipart([{ name: 'a', value: '1' }], 'b:o u=n');
    const body = await readRequestBody(
      chunked([mp.body]),
      'multipart/form-data; boundary="b:o u=n"',
      null,
      NO_LIMITS,
    );
    expect(body.form?.get('a')).toBe('1');
  });

  it('streams a large upload from a node Readable with backpressure', async () => {
    const big = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const mp = multipart([
      { name: 'f', filename: 'big.bin', contentType: 'application/octet-stream', value: big },
      { name: 'after', value: 'yes' },
    ]);
    const body = await readRequestBody(
      Readable.from(split(mp.body, 64 * 1024)),
      mp.contentType,
      mp.body.length,
      FLASK_LIMITS,
    );
    const f = body.files?.get('f');
    expect(f?.size).toBe(big.length);
    expect(Buffer.from(f?.bytes() ?? []).equals(Buffer.from(big))).toBe(true);
    expect(body.form?.get('after')).toBe('yes');
  });

  describe('limits', () => {
    it('MAX_FORM_MEMORY_SIZE: a larger field is 413 (never truncated); files are not bound by it', async () => {
      const limits = { ...NO_LIMITS, maxFormMemorySize: 10 };
      const fits = multipart([
        { name: 'a', value: '1234567890' },
        { name: 'f', filename: 'big.bin', value: 'z'.repeat(100) },
      ]);
      const ok = await readRequestBody(chunked([fits.body]), fits.contentType, null, limits);
      expect(ok.form?.get('a')).toBe('1234567890');
      expect(ok.files?.get('f')?.size).toBe(100);

      const over = multipart([{ name: 'a', value: '12345678901' }]);
      const p = readRequestBody(chunked(split(over.body, 4)), over.contentType, null, limits);
      await expect(p).rejects.toBeInstanceOf(RequestEntityTooLarge);
      await expect(p).rejects.toMatchObject({ code: 413 });
    });

    it('MAX_FORM_MEMORY_SIZE stops a huge field early', async () => {
      const head = bytes('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n');
      const src = {
        pulled: 0,
        async *[Symbol.asyncIterator]() {
          yield head;
          const chunk = new Uint8Array(1000).fill(0x61);
          for (;;) {
            src.pulled++;
            yield chunk;
          }
        },
      };
      await expect(
        readRequestBody(src, 'multipart/form-data; boundary=B', null, {
          ...NO_LIMITS,
          maxFormMemorySize: 5000,
        }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
      // The source never ends: stopping at all proves the limit. The bound is a few stream buffers (Node 24's
      // default high-water mark is 64 KiB, Node 20's 16 KiB), far from reading the body to its end.
      expect(src.pulled).toBeLessThan(300);
    });

    it('MAX_FORM_PARTS: more parts than allowed is 413, exactly the limit passes', async () => {
      const parts = (n: number) =>
        multipart(Array.from({ length: n }, (_, i) => ({ name: `f${i}`, value: String(i) })));
      const three = parts(3);
      const ok = await readRequestBody(chunked([three.body]), three.contentType, null, {
        ...NO_LIMITS,
        maxFormParts: 3,
      });
      expect(ok.form?.size).toBe(3);
      const four = parts(4);
      await expect(
        readRequestBody(chunked([four.body]), four.contentType, null, { ...NO_LIMITS, maxFormParts: 3 }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
      // files count as parts too
      const mixed = multipart([
        { name: 'a', value: '1' },
        { name: 'f', filename: 'x', value: '2' },
      ]);
      await expect(
        readRequestBody(chunked([mixed.body]), mixed.contentType, null, { ...NO_LIMITS, maxFormParts: 1 }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
    });

    it('MAX_CONTENT_LENGTH: declared over the limit is 413 before reading', async () => {
      const src = chunked([sample.body]);
      await expect(
        readRequestBody(src, sample.contentType, sample.body.length, {
          ...FLASK_LIMITS,
          maxContentLength: 50,
        }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
      expect(src.pulled).toBe(0);
    });

    it('MAX_CONTENT_LENGTH: a streamed body is 413 at the crossing chunk', async () => {
      const chunks = split(sample.body, 16);
      const src = chunked(chunks);
      await expect(
        readRequestBody(src, sample.contentType, null, { ...FLASK_LIMITS, maxContentLength: 50 }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
      expect(src.pulled).toBe(4);
      expect(src.closed).toBe(true);
    });

    it('MAX_CONTENT_LENGTH: an endless upload stops', async () => {
      const head = bytes('--B\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n');
      const tail = endless(4096);
      const src: AsyncIterable<Uint8Array> = {
        async *[Symbol.asyncIterator]() {
          yield head;
          yield* tail;
        },
      };
      await expect(
        readRequestBody(src, 'multipart/form-data; boundary=B', null, {
          ...FLASK_LIMITS,
          maxContentLength: 100_000,
        }),
      ).rejects.toBeInstanceOf(RequestEntityTooLarge);
      expect(tail.pulled).toBeLessThan(30);
    });
  });

  describe('malformed bodies are 400', () => {
    const bad = async (body: Uint8Array | string, ct: string) => {
      const p = readRequestBody(chunked([body]), ct, null, FLASK_LIMITS);
      await expect(p).rejects.toBeInstanceOf(BadRequest);
      await expect(p).rejects.toMatchObject({ code: 400 });
    };

    it('missing or empty boundary', async () => {
      await bad(sample.body, 'multipart/form-data');
      await bad(sample.body, 'multipart/form-data; boundary=');
      await bad(sample.body, 'multipart/form-data; boundary=""');
      expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="abc"')).toBe('abc');
      expect(multipartBoundary('multipart/form-data; BOUNDARY=abc ; x=1')).toBe('abc');
    });

    it('wrong boundary, truncated body, garbage', async () => {
      await bad(sample.body, 'multipart/form-data; boundary=other');
      await bad(sample.body.subarray(0, sample.body.length - 20), sample.contentType);
      await bad(sample.body.subarray(0, 60), sample.contentType);
      await bad('this is not multipart', sample.contentType);
    });

    it('an empty chunked multipart body', async () => {
      await bad(new Uint8Array(0), sample.contentType);
    });
  });
});
