import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileStorage, secureFilename } from '../../../src/http/datastructures/index.js';

describe('FileStorage', () => {
  const make = () =>
    new FileStorage({
      data: new TextEncoder().encode('héllo'),
      filename: 'a.txt',
      name: 'upload',
      contentType: 'Text/Plain; charset=utf-8',
    });

  it('exposes the part metadata', () => {
    const f = make();
    expect(f.filename).toBe('a.txt');
    expect(f.name).toBe('upload');
    expect(f.contentType).toBe('Text/Plain; charset=utf-8');
    expect(f.mimetype).toBe('text/plain');
    expect(f.mimetypeParams.charset).toBe('utf-8');
    expect(f.headers['content-type']).toBe('Text/Plain; charset=utf-8');
    expect(f.size).toBe(6);
    expect(f.hasFile).toBe(true);
  });

  it('reads as bytes, text and stream repeatedly', async () => {
    const f = make();
    expect(f.text()).toBe('héllo');
    expect(f.bytes().byteLength).toBe(6);
    for (let i = 0; i < 2; i++) {
      const chunks: Buffer[] = [];
      for await (const c of f.stream()) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('héllo');
    }
  });

  it('decodes a declared charset', () => {
    const f = new FileStorage({ data: new Uint8Array([0xe9]), contentType: 'text/plain; charset=latin1' });
    expect(f.text()).toBe('é');
  });

  it('saves to a path and to a writable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'phial-fs-'));
    try {
      const f = make();
      const path = join(dir, 'out.txt');
      await f.save(path);
      expect(await readFile(path, 'utf8')).toBe('héllo');
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk, _enc, cb) {
          chunks.push(chunk as Buffer);
          cb();
        },
      });
      await f.save(sink);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('héllo');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('defaults to an empty, nameless file', () => {
    const f = new FileStorage();
    expect(f.size).toBe(0);
    expect(f.filename).toBeNull();
    expect(f.mimetype).toBe('');
    expect(f.contentType).toBeNull();
    expect(f.hasFile).toBe(false);
  });
});

describe('secureFilename', () => {
  it("matches Werkzeug's examples", () => {
    expect(secureFilename('My cool movie.mov')).toBe('My_cool_movie.mov');
    expect(secureFilename('../../../etc/passwd')).toBe('etc_passwd');
    expect(secureFilename('i contain cool \u00fcml\u00e4uts.txt')).toBe('i_contain_cool_umlauts.txt');
  });

  it('strips dots, underscores and unsafe characters', () => {
    expect(secureFilename('..')).toBe('');
    expect(secureFilename('  __.hidden.txt__ ')).toBe('hidden.txt');
    expect(secureFilename('a<b>c:d"e|f?g*h.txt')).toBe('abcdefgh.txt');
    expect(secureFilename('C:\\Windows\\evil.exe', 'linux')).toBe('CWindowsevil.exe');
    expect(secureFilename('C:\\Windows\\evil.exe', 'win32')).toBe('C_Windows_evil.exe');
    expect(secureFilename('tab\there', 'linux')).toBe('tab_here');
  });

  it('guards Windows device names on Windows only', () => {
    expect(secureFilename('con.txt', 'win32')).toBe('_con.txt');
    expect(secureFilename('con.txt', 'linux')).toBe('con.txt');
  });
});
