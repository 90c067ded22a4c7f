import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPasswordHash, generatePasswordHash, genSalt } from '../../src/index.js';

interface Vector {
  method: string;
  password: string;
  hash: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/werkzeug-password-hashes.json', import.meta.url), 'utf8'),
) as { werkzeug: string; cases: Vector[] };

const hasWerkzeug =
  spawnSync('python3', ['-c', 'import werkzeug.security'], { stdio: 'ignore' }).status === 0;

describe('hashes recorded from Werkzeug verify in Phial', () => {
  it.each(fixture.cases)('$method', async ({ password, hash }) => {
    expect(await checkPasswordHash(hash, password)).toBe(true);
    expect(await checkPasswordHash(hash, `${password}x`)).toBe(false);
  });
});

describe('generatePasswordHash', () => {
  it('uses scrypt:32768:8:1 with a 16-character salt by default', async () => {
    const h = await generatePasswordHash('secret');
    expect(h).toMatch(/^scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}$/);
    expect(await checkPasswordHash(h, 'secret')).toBe(true);
    expect(await checkPasswordHash(h, 'Secret')).toBe(false);
  });

  it('spells pbkdf2 parameters as Werkzeug does', async () => {
    expect(await generatePasswordHash('x', { method: 'pbkdf2:sha256:1000', saltLength: 8 })).toMatch(
      /^pbkdf2:sha256:1000\$[A-Za-z0-9]{8}\$[0-9a-f]{64}$/,
    );
    expect(await generatePasswordHash('x', { method: 'pbkdf2:sha512:10' })).toMatch(
      /^pbkdf2:sha512:10\$\w{16}\$[0-9a-f]{128}$/,
    );
  });

  it('salts every hash differently', async () => {
    const [a, b] = await Promise.all([generatePasswordHash('same'), generatePasswordHash('same')]);
    expect(a).not.toBe(b);
  });

  it('does not block the event loop while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await generatePasswordHash('pw', { method: 'pbkdf2:sha256:400000' });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('refuses unknown methods and bad salt lengths clearly', async () => {
    await expect(generatePasswordHash('x', { method: 'md5' })).rejects.toThrow("Invalid hash method 'md5'");
    await expect(generatePasswordHash('x', { method: 'scrypt:1:2' })).rejects.toThrow('takes 3 arguments');
    expect(() => genSalt(0)).toThrow(RangeError);
  });
});

describe('checkPasswordHash on bad input', () => {
  it('is false for values that are not method$salt$hash', async () => {
    for (const v of ['', 'plain', 'scrypt$only-one']) {
      expect(await checkPasswordHash(v, 'plain')).toBe(false);
    }
  });

  it('throws for a method it does not know, as Werkzeug raises', async () => {
    await expect(checkPasswordHash('$$', 'x')).rejects.toThrow("Invalid hash method ''");
    await expect(checkPasswordHash('bcrypt$salt$abc', 'x')).rejects.toThrow("Invalid hash method 'bcrypt'");
  });

  it('is false for a truncated or altered hash', async () => {
    const h = fixture.cases[0] as Vector;
    expect(await checkPasswordHash(h.hash.slice(0, -2), h.password)).toBe(false);
    expect(await checkPasswordHash(`${h.hash.slice(0, -1)}0`, h.password)).toBe(h.hash.endsWith('0'));
  });

  it('refuses scrypt parameters that would exhaust memory', async () => {
    await expect(checkPasswordHash('scrypt:1073741824:8:1$salt$00', 'x')).rejects.toThrow('too much memory');
  });
});

describe.skipIf(!hasWerkzeug)('hashes made by Phial verify in real Werkzeug', () => {
  it('scrypt and pbkdf2 both ways', async () => {
    const made = [
      { password: 'pässwörd ✓', hash: await generatePasswordHash('pässwörd ✓') },
      {
        password: 'hunter2',
        hash: await generatePasswordHash('hunter2', { method: 'pbkdf2:sha256:600000' }),
      },
    ];
    const script =
      'import json,sys\nfrom werkzeug.security import check_password_hash as c\n' +
      'print(json.dumps([[c(x["hash"], x["password"]), c(x["hash"], x["password"] + "!")] for x in json.load(sys.stdin)]))';
    const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(made), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([
      [true, false],
      [true, false],
    ]);
  });
});
