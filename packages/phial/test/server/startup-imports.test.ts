import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

describe('what importing phial loads', () => {
  it('keeps node:repl / node:domain (which slow every EventEmitter), the CLI and busboy out of app start-up', () => {
    const script = `
      const { EventEmitter } = await import('node:events');
      const before = String(EventEmitter.init);
      const { Phial } = await import(${JSON.stringify(entry)});
      const app = new Phial(process.cwd());
      app.get('/', () => 'ok');
      const res = await app.testClient().get('/');
      console.log(JSON.stringify({ status: res.status, patched: String(EventEmitter.init) !== before }));
    `;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.stderr).toBe('');
    const last = out.stdout.trim().split('\n').pop() ?? '';
    expect(JSON.parse(last)).toEqual({ status: 200, patched: false });
  });
});
