import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextStorage, RequestContext } from '../../src/app/context.js';
import { sendFile, sendFromDirectory } from '../../src/app/files.js';
import type { Phial } from '../../src/app/phial.js';
import { Request } from '../../src/app/request.js';
import { NotFound } from '../../src/http/exceptions.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'phial-files-'));
  await mkdir(join(root, 'static'));
  await writeFile(join(root, 'static', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'report.csv'), 'a,b\n1,2\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function run<T>(
  app: object,
  headers: Record<string, string>,
  fn: () => Promise<T>,
  method = 'GET',
): Promise<T> {
  const req = new Request({ method, url: '/', headers, async *[Symbol.asyncIterator]() {} });
  const ctx = new RequestContext(app as Phial, req);
  return contextStorage.run(ctx, fn);
}

describe('app-layer sendFile / sendFromDirectory', () => {
  it('resolves relative paths against app.rootPath and uses SEND_FILE_MAX_AGE_DEFAULT', async () => {
    const app = { rootPath: root, config: { SEND_FILE_MAX_AGE_DEFAULT: 120 } };
    const res = await run(app, {}, () => sendFile('report.csv'));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=120');
    expect(Buffer.from(await res.buffer()).toString()).toBe('a,b\n1,2\n');
  });

  it('sends no-cache when SEND_FILE_MAX_AGE_DEFAULT is null (Flask default); maxAge overrides', async () => {
    const app = { rootPath: root, config: { SEND_FILE_MAX_AGE_DEFAULT: null } };
    expect((await run(app, {}, () => sendFile('report.csv'))).headers.get('Cache-Control')).toBe('no-cache');
    const r = await run(app, {}, () => sendFile('report.csv', { maxAge: 5 }));
    expect(r.headers.get('Cache-Control')).toBe('public, max-age=5');
  });

  it('prefers app.getSendFileMaxAge when the app has it', async () => {
    const app = { rootPath: root, config: {}, getSendFileMaxAge: () => 77 };
    expect((await run(app, {}, () => sendFile('report.csv'))).headers.get('Cache-Control')).toBe(
      'public, max-age=77',
    );
  });

  it('answers the current request: conditional, range, HEAD', async () => {
    const app = { rootPath: root, config: {} };
    const first = await run(app, {}, () => sendFromDirectory('static', 'app.js'));
    const etag = first.headers.get('ETag') as string;
    const notModified = await run(app, { 'if-none-match': etag }, () =>
      sendFromDirectory('static', 'app.js'),
    );
    expect(notModified.status).toBe(304);
    const ranged = await run(app, { range: 'bytes=0-6' }, () => sendFromDirectory('static', 'app.js'));
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.buffer()).toString()).toBe('console');
    const head = await run(app, {}, () => sendFromDirectory('static', 'app.js'), 'HEAD');
    expect(head.body).toBeNull();
    expect(head.headers.get('Content-Length')).toBe('14');
  });

  it('sendFromDirectory is 404 for traversal and missing files', async () => {
    const app = { rootPath: root, config: {} };
    await expect(run(app, {}, () => sendFromDirectory('static', '../report.csv'))).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(run(app, {}, () => sendFromDirectory('static', 'nope.js'))).rejects.toBeInstanceOf(NotFound);
  });

  it('needs a request context', () => {
    expect(() => sendFile('x')).toThrow(/Working outside of request context/);
  });
});
