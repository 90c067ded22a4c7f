/**
 * Bounded memory for uploads: files past MAX_FILE_MEMORY_SIZE go to a private temporary file that is
 * removed once the response is sent; FileStorage reads them the same way. File names lose control characters.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanFilename, parseMultipart } from '../../src/http/body/index.js';
import { Phial } from '../../src/index.js';

const KiB = 1024;

function spooledNow(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('phial-upload-')));
}

describe('large uploads spool to temporary files', () => {
  it('FileStorage keeps working (size, bytes, text, stream, save) and the file goes after the response', async () => {
    const app = new Phial('spool');
    const dir = await mkdtemp(join(tmpdir(), 'phial-spool-test-'));
    let created: string[] = [];
    const before = spooledNow();
    app.post('/up', async (req) => {
      const f = req.files.get('doc');
      if (f === undefined) return 'none';
      created = [...spooledNow()].filter((n) => !before.has(n));
      const mode = statSync(join(tmpdir(), created[0] as string)).mode & 0o777;
      let streamed = 0;
      for await (const chunk of f.stream()) streamed += (chunk as Buffer).length;
      await f.save(join(dir, 'saved.txt'));
      return {
        spooled: f.spooled,
        size: f.size,
        bytes: f.bytes().byteLength,
        head: f.text().slice(0, 5),
        streamed,
        mode: mode.toString(8),
        small: req.files.get('small')?.spooled,
        smallText: req.files.get('small')?.text(),
        field: req.form.get('note'),
      };
    });
    const content = `hello${'z'.repeat(600 * KiB)}`;
    const res = await app.testClient().post('/up', {
      form: { note: 'n1' },
      files: {
        doc: new File([content], 'doc.txt', { type: 'text/plain' }),
        small: new File(['tiny'], 's.txt'),
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      spooled: true,
      size: content.length,
      bytes: content.length,
      head: 'hello',
      streamed: content.length,
      mode: '600',
      small: false,
      smallText: 'tiny',
      field: 'n1',
    });
    expect(created).toHaveLength(1);
    expect(readFileSync(join(dir, 'saved.txt'), 'utf8')).toBe(content);
    expect(existsSync(join(tmpdir(), created[0] as string))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the temporary file goes after an error response, and after an error that propagates (TESTING)', async () => {
    const app = new Phial('spool-errors');
    const created: string[] = [];
    let before = spooledNow();
    app.post('/boom', () => {
      created.push(...[...spooledNow()].filter((n) => !before.has(n)));
      throw new Error('boom');
    });
    const big = () => ({ files: { f: new File([new Uint8Array(700 * KiB)], 'big.bin') } });
    expect((await app.testClient().post('/boom', big())).status).toBe(500);
    app.config.TESTING = true;
    before = spooledNow();
    await expect(app.testClient().post('/boom', big())).rejects.toThrow('boom');
    await new Promise((r) => setTimeout(r, 50));
    expect(created).toHaveLength(2);
    for (const name of created) expect(existsSync(join(tmpdir(), name))).toBe(false);
  });

  it('many small files spool once the body holds MAX_BODY_MEMORY_SIZE in memory', async () => {
    const app = new Phial('budget');
    app.config.MAX_BODY_MEMORY_SIZE = 100 * KiB;
    app.post('/many', (req) => req.files.getAll('f').map((f) => f.spooled));
    const files = Array.from({ length: 5 }, (_, i) => new File([new Uint8Array(40 * KiB)], `f${i}`));
    const res = await app.testClient().post('/many', { files: { f: files } });
    expect(res.json).toEqual([false, false, true, true, true]);
  });

  it('text fields beyond MAX_BODY_MEMORY_SIZE in total are a 413', async () => {
    const app = new Phial('fields');
    app.config.MAX_BODY_MEMORY_SIZE = 100 * KiB;
    app.post('/f', (req) => String(req.form.getAll('a').length));
    const big = 'x'.repeat(40 * KiB);
    const c = app.testClient();
    expect((await c.post('/f', { form: { a: [big, big], b: new File(['x'], 'x') } })).text).toBe('2');
    expect((await c.post('/f', { form: { a: [big, big, big], b: new File(['x'], 'x') } })).status).toBe(413);
  });

  it('a failed upload leaves no temporary file', async () => {
    const boundary = 'XyZ';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n`;
    const before = spooledNow();
    const body = Buffer.concat([Buffer.from(head), Buffer.alloc(700 * KiB, 1)]); // no closing boundary
    const source = (async function* () {
      yield new Uint8Array(body);
    })();
    await expect(
      parseMultipart(source, `multipart/form-data; boundary=${boundary}`, {
        maxContentLength: null,
        maxFormMemorySize: null,
        maxFormParts: null,
        maxFileMemorySize: 512 * KiB,
      }),
    ).rejects.toMatchObject({ code: 400 });
    await new Promise((r) => setTimeout(r, 50));
    expect([...spooledNow()].filter((n) => !before.has(n))).toEqual([]);
  });
});

describe('multipart file names', () => {
  it('never carry NUL or other control characters', async () => {
    expect(cleanFilename('a\u0000b\u0007c\u001b\u007f\u0085.txt')).toBe('abc.txt');
    expect(cleanFilename('ok name.txt')).toBe('ok name.txt');
    const app = new Phial('names');
    app.post('/n', (req) => ({ name: req.files.get('f')?.filename }));
    const boundary = 'B';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="ev\u0000il\u0001\t.txt"\r\n\r\nx\r\n` +
      `--${boundary}--\r\n`;
    const res = await app.testClient().post('/n', {
      data: Buffer.from(body, 'latin1'),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.json).toEqual({ name: 'evil.txt' });
  });
});
