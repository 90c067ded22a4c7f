import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Request } from '../../src/app/request.js';
import { NotFound, RangeNotSatisfiable } from '../../src/http/exceptions.js';
import type { Response } from '../../src/http/response.js';
import { contentDisposition, safeJoin, sendFile, sendFromDirectory } from '../../src/http/static.js';

let dir: string;
const content = 'Hello, static world!\n'.repeat(10); // 210 bytes
const MTIME = 1700000000; // 2023-11-14T22:13:20Z

function req(method: string, headers: Record<string, string> = {}): Request {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return new Request({
    method,
    url: '/',
    headers: lower,
    async *[Symbol.asyncIterator]() {},
  });
}

async function text(res: Response): Promise<string> {
  return Buffer.from(await res.buffer()).toString('utf8');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'phial-static-'));
  await writeFile(join(dir, 'hello.txt'), content);
  await utimes(join(dir, 'hello.txt'), MTIME, MTIME);
  await writeFile(join(dir, 'style.css'), 'body{}');
  await writeFile(join(dir, 'empty.bin'), '');
  await writeFile(join(dir, '.env'), 'SECRET=1');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'page.html'), '<p>x</p>');
  await mkdir(join(dir, '.git'));
  await writeFile(join(dir, '.git', 'config'), '[core]');
  await writeFile(join(dir, 'con.txt'), 'device');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('safeJoin', () => {
  it('joins safe paths', () => {
    expect(safeJoin('/srv/static', 'css/app.css')).toBe('/srv/static/css/app.css');
    expect(safeJoin('/srv/static', 'a', 'b.txt')).toBe('/srv/static/a/b.txt');
    expect(safeJoin('', 'x.txt')).toBe('x.txt');
    expect(safeJoin('/srv', 'a..b/c.d')).toBe('/srv/a..b/c.d');
  });

  it.each([
    '../etc/passwd',
    '..',
    'a/../../x',
    'a/../b',
    '..%2fetc',
    '%2e%2e/etc',
    '%2E%2E%2Fetc',
    'a%5cb',
    '..\\windows',
    'a\\b',
    '/etc/passwd',
    'C:\\x',
    'C:x',
    'a\0b',
    'NUL',
    'nul',
    'con.txt',
    'sub/COM1.log',
    'LPT9',
    '.env',
    '.git/config',
    'sub/.htaccess',
    './x',
  ])('rejects %j', (p) => {
    expect(safeJoin('/srv/static', p)).toBeNull();
  });
});

describe('sendFromDirectory: traversal attempts are 404', () => {
  it.each([
    '../etc/passwd',
    '..%2f..%2fetc/passwd',
    '..%2fhello.txt',
    '%2e%2e/hello.txt',
    '../' + 'x', // decoded form of %2e%2e%2f
    '..\\hello.txt',
    'sub\\..\\hello.txt',
    '/etc/passwd',
    'C:\\x',
    'a/../../x',
    'sub/../../hello.txt',
    'NUL',
    'con.txt',
    '.env',
    '.git/config',
    'a\0b',
    'hello.txt\0.png',
    'missing.txt',
    'sub',
    'sub/',
    '',
  ])('%j → 404', async (p) => {
    await expect(sendFromDirectory(dir, p)).rejects.toBeInstanceOf(NotFound);
  });

  it('serves a regular file inside the directory', async () => {
    const res = await sendFromDirectory(dir, 'sub/page.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(await text(res)).toBe('<p>x</p>');
  });

  it('resolves a relative directory against the root option', async () => {
    const res = await sendFromDirectory('sub', 'page.html', { root: dir });
    expect(await text(res)).toBe('<p>x</p>');
  });
});

describe('sendFile', () => {
  it('streams the file with length, type, validators and no-cache by default', async () => {
    const res = await sendFile(join(dir, 'hello.txt'));
    expect(res.status).toBe(200);
    expect(res.isStreamed).toBe(true);
    expect(res.headers.get('Content-Length')).toBe('210');
    expect(res.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe('inline; filename=hello.txt');
    expect(res.headers.get('Last-Modified')).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
    expect(res.headers.get('Cache-Control')).toBe('no-cache');
    expect(res.headers.get('ETag')).toMatch(/^"1700000000-210-\d+"$/);
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
    expect(await text(res)).toBe(content);
  });

  it('guesses types with mime-types and honours mimetype', async () => {
    expect((await sendFile(join(dir, 'style.css'))).headers.get('Content-Type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await sendFile(join(dir, 'empty.bin'))).headers.get('Content-Type')).toBe(
      'application/octet-stream',
    );
    const r = await sendFile(join(dir, 'hello.txt'), { mimetype: 'application/x-custom' });
    expect(r.headers.get('Content-Type')).toBe('application/x-custom');
  });

  it('sends an empty file', async () => {
    const r = await sendFile(join(dir, 'empty.bin'), { request: req('GET', { Range: 'bytes=0-1' }) });
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Length')).toBe('0');
    expect(await text(r)).toBe('');
  });

  it('resolves relative paths against root', async () => {
    expect(await text(await sendFile('hello.txt', { root: dir }))).toBe(content);
  });

  it('is a 404 for a missing path or a directory', async () => {
    await expect(sendFile(join(dir, 'nope.txt'))).rejects.toBeInstanceOf(NotFound);
    await expect(sendFile(join(dir, 'sub'))).rejects.toBeInstanceOf(NotFound);
    await expect(sendFile(join(dir, 'hello.txt\0.png'))).rejects.toBeInstanceOf(NotFound);
    await expect(sendFile(join(dir, 'x'.repeat(5000)))).rejects.toBeInstanceOf(NotFound);
  });

  it('writes attachment names, RFC 5987 for non-ASCII', async () => {
    const r = await sendFile(join(dir, 'hello.txt'), { asAttachment: true, downloadName: 'report 2024.txt' });
    expect(r.headers.get('Content-Disposition')).toBe('attachment; filename="report 2024.txt"');
    expect(contentDisposition('Résumé €.pdf', true)).toBe(
      'attachment; filename="Resume .pdf"; filename*=UTF-8\'\'R%C3%A9sum%C3%A9%20%E2%82%AC.pdf',
    );
    expect(contentDisposition('a"b\\c.txt', false)).toBe('inline; filename="a\\"b\\\\c.txt"');
    expect(contentDisposition('evil\r\nSet-Cookie: x.txt', true)).toBe(
      'attachment; filename="evilSet-Cookie: x.txt"',
    );
    // The download name also chooses the mimetype.
    expect(r.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    const pdf = await sendFile(join(dir, 'hello.txt'), { downloadName: 'x.pdf' });
    expect(pdf.headers.get('Content-Type')).toBe('application/pdf');
  });

  it('sends bytes in memory, and needs a name or mimetype for them', async () => {
    const data = new TextEncoder().encode('0123456789');
    const r = await sendFile(data, {
      downloadName: 'digits.txt',
      request: req('GET', { Range: 'bytes=2-4' }),
    });
    expect(r.status).toBe(206);
    expect(await text(r)).toBe('234');
    expect(r.headers.get('ETag')).toBeNull();
    await expect(sendFile(data)).rejects.toThrow(/Unable to detect the MIME type/);
    await expect(sendFile(data, { mimetype: 'text/plain', asAttachment: true })).rejects.toThrow(
      /No name provided/,
    );
  });

  it('sets Cache-Control and Expires from maxAge (number or function)', async () => {
    const r = await sendFile(join(dir, 'hello.txt'), { maxAge: 3600 });
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=3600');
    const expires = Date.parse(r.headers.get('Expires') as string);
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(2000);
    const zero = await sendFile(join(dir, 'hello.txt'), { maxAge: 0 });
    expect(zero.headers.get('Cache-Control')).toBe('no-cache, max-age=0');
    const seen: (string | null)[] = [];
    const fn = await sendFile(join(dir, 'style.css'), {
      maxAge: (p) => {
        seen.push(p);
        return 60;
      },
    });
    expect(seen).toEqual([join(dir, 'style.css')]);
    expect(fn.headers.get('Cache-Control')).toBe('public, max-age=60');
  });

  it('uses a given etag and lastModified; etag false sends none', async () => {
    const r = await sendFile(join(dir, 'hello.txt'), {
      etag: 'v1',
      lastModified: new Date(Date.UTC(2020, 0, 1)),
    });
    expect(r.headers.get('ETag')).toBe('"v1"');
    expect(r.headers.get('Last-Modified')).toBe('Wed, 01 Jan 2020 00:00:00 GMT');
    expect((await sendFile(join(dir, 'hello.txt'), { etag: false })).headers.get('ETag')).toBeNull();
  });
});

describe('sendFile: conditional requests', () => {
  const file = () => join(dir, 'hello.txt');
  const etagOf = async () => (await sendFile(file())).headers.get('ETag') as string;

  it('If-None-Match with the ETag → 304 without body or content headers', async () => {
    const etag = await etagOf();
    const r = await sendFile(file(), { request: req('GET', { 'If-None-Match': etag }) });
    expect(r.status).toBe(304);
    expect(r.body).toBeNull();
    expect(r.headers.get('ETag')).toBe(etag);
    expect(r.headers.get('Content-Type')).toBeNull();
    expect(r.headers.get('Content-Length')).toBeNull();
    expect(r.headers.get('Cache-Control')).toBe('no-cache');
  });

  it('If-None-Match matches weakly, in lists, and with *', async () => {
    const etag = await etagOf();
    for (const v of [`W/${etag}`, `"other", ${etag}`, '*']) {
      expect((await sendFile(file(), { request: req('GET', { 'If-None-Match': v }) })).status).toBe(304);
    }
    expect((await sendFile(file(), { request: req('GET', { 'If-None-Match': '"other"' }) })).status).toBe(
      200,
    );
  });

  it('If-Modified-Since → 304 when not modified since, 200 otherwise', async () => {
    const same = await sendFile(file(), {
      request: req('GET', { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:20 GMT' }),
    });
    expect(same.status).toBe(304);
    const before = await sendFile(file(), {
      request: req('GET', { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT' }),
    });
    expect(before.status).toBe(200);
    const junk = await sendFile(file(), { request: req('GET', { 'If-Modified-Since': 'yesterday-ish' }) });
    expect(junk.status).toBe(200);
  });

  it('If-None-Match wins over If-Modified-Since', async () => {
    const r = await sendFile(file(), {
      request: req('GET', {
        'If-None-Match': '"other"',
        'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:20 GMT',
      }),
    });
    expect(r.status).toBe(200);
  });

  it('If-Match that fails → 412', async () => {
    expect((await sendFile(file(), { request: req('GET', { 'If-Match': '"other"' }) })).status).toBe(412);
    const etag = await etagOf();
    expect((await sendFile(file(), { request: req('GET', { 'If-Match': etag }) })).status).toBe(200);
    expect((await sendFile(file(), { request: req('GET', { 'If-Match': `W/${etag}` }) })).status).toBe(412);
  });

  it('conditional: false and non-GET methods ignore the headers', async () => {
    const etag = await etagOf();
    expect(
      (await sendFile(file(), { conditional: false, request: req('GET', { 'If-None-Match': etag }) })).status,
    ).toBe(200);
    expect(
      (await sendFile(file(), { request: req('POST', { 'If-None-Match': etag, Range: 'bytes=0-1' }) }))
        .status,
    ).toBe(200);
  });
});

describe('sendFile: ranges', () => {
  const file = () => join(dir, 'hello.txt');
  const get = (headers: Record<string, string>) => sendFile(file(), { request: req('GET', headers) });

  it.each([
    ['bytes=0-4', 0, 5],
    ['bytes=5-', 5, 210],
    ['bytes=-10', 200, 210],
    ['bytes=200-999', 200, 210],
    ['bytes=-500', 0, 210],
    [' bytes = 7-7', 7, 8],
  ] as const)('%s → 206', async (range, start, end) => {
    const r = await get({ Range: range.replace(' bytes = ', 'bytes=') });
    expect(r.status).toBe(206);
    expect(r.headers.get('Content-Range')).toBe(`bytes ${start}-${end - 1}/210`);
    expect(r.headers.get('Content-Length')).toBe(String(end - start));
    expect(await text(r)).toBe(content.slice(start, end));
  });

  it.each([
    'bytes=210-',
    'bytes=300-400',
    'bytes=5-2',
    'bytes=-0',
    'bytes=abc',
    'bytes=',
    'bytes=1-2-3',
    'nonsense',
  ])('%s → 416 with Content-Range: bytes */210', async (range) => {
    const err = await get({ Range: range }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeNotSatisfiable);
    const res = (err as RangeNotSatisfiable).getResponse();
    expect(res.status).toBe(416);
    expect(res.headers.get('Content-Range')).toBe('bytes */210');
  });

  it('multiple ranges and other units answer 200 with the full file', async () => {
    for (const range of ['bytes=0-1,5-6', 'items=0-1']) {
      const r = await get({ Range: range });
      expect(r.status).toBe(200);
      expect(r.headers.get('Content-Length')).toBe('210');
      expect(await text(r)).toBe(content);
    }
  });

  it('If-Range with the current ETag or date serves the range; a stale one the full file', async () => {
    const etag = (await sendFile(file())).headers.get('ETag') as string;
    expect((await get({ Range: 'bytes=0-1', 'If-Range': etag })).status).toBe(206);
    expect((await get({ Range: 'bytes=0-1', 'If-Range': '"stale"' })).status).toBe(200);
    expect((await get({ Range: 'bytes=0-1', 'If-Range': `W/${etag}` })).status).toBe(200);
    expect((await get({ Range: 'bytes=0-1', 'If-Range': 'Tue, 14 Nov 2023 22:13:20 GMT' })).status).toBe(206);
    expect((await get({ Range: 'bytes=0-1', 'If-Range': 'Tue, 14 Nov 2023 22:13:19 GMT' })).status).toBe(200);
  });
});

describe('sendFile: HEAD', () => {
  it('answers headers with Content-Length and no body', async () => {
    const r = await sendFile(join(dir, 'hello.txt'), { request: req('HEAD') });
    expect(r.status).toBe(200);
    expect(r.body).toBeNull();
    expect(r.headers.get('Content-Length')).toBe('210');
    expect(r.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    const ranged = await sendFile(join(dir, 'hello.txt'), { request: req('HEAD', { Range: 'bytes=0-9' }) });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('Content-Length')).toBe('10');
    expect(ranged.body).toBeNull();
  });
});
