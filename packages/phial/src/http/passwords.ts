/**
 * Password hashing in Werkzeug's format (`werkzeug.security`), so a user table moved from a Flask app keeps
 * working and hashes made here verify in Flask: `scrypt:N:r:p$salt$hex` and `pbkdf2:hash:iterations$salt$hex`.
 *
 * The key derivation runs on libuv's thread pool (node's async `scrypt`/`pbkdf2`), never on the event loop,
 * and hashes are compared in constant time.
 */
import { pbkdf2, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/** Werkzeug's salt alphabet (letters and digits), so salts look the same in both worlds. */
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Werkzeug 3.1's default PBKDF2 iteration count. */
const DEFAULT_PBKDF2_ITERATIONS = 1_000_000;
/** Refuse parameters that would need more memory than this (a corrupt or hostile stored hash). */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
const PBKDF2_DIGESTS: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** Options of {@link generatePasswordHash}. */
export interface PasswordHashOptions {
  /**
   * The key derivation and its parameters, as Werkzeug spells them: `'scrypt'` (the default,
   * `scrypt:32768:8:1`), `'scrypt:N:r:p'`, `'pbkdf2'` (`pbkdf2:sha256:1000000`), `'pbkdf2:sha512'` or
   * `'pbkdf2:sha256:600000'`.
   */
  method?: string;
  /** Characters of random salt (Werkzeug's default: 16). */
  saltLength?: number;
}

/** Random salt drawn from Werkzeug's alphabet with a CSPRNG. */
export function genSalt(length: number): string {
  if (!Number.isInteger(length) || length <= 0)
    throw new RangeError('Salt length must be a positive integer.');
  let out = '';
  for (let i = 0; i < length; i++) out += SALT_CHARS[randomInt(SALT_CHARS.length)];
  return out;
}

interface Derived {
  hex: string;
  method: string;
}

function scryptAsync(password: Buffer, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const maxmem = 132 * n * r * p;
  if (maxmem > MAX_SCRYPT_MEMORY)
    throw new RangeError(`scrypt parameters need too much memory (N=${n}, r=${r}, p=${p}).`);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 64, { N: n, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function pbkdf2Async(password: Buffer, salt: Buffer, iterations: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, PBKDF2_DIGESTS[digest] as number, digest, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function toInt(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`Invalid ${what} '${text}' in a password hash method.`);
  return Number(text);
}

/** Derives the hash for `method` (with or without its parameters) the way Werkzeug's `_hash_internal` does. */
async function derive(method: string, salt: string, password: string): Promise<Derived> {
  const [name, ...args] = method.split(':');
  const saltBytes = Buffer.from(salt, 'utf8');
  const passwordBytes = Buffer.from(password, 'utf8');
  if (name === 'scrypt') {
    let n = 32768;
    let r = 8;
    let p = 1;
    if (args.length !== 0) {
      if (args.length !== 3) throw new Error("'scrypt' takes 3 arguments.");
      [n, r, p] = args.map((a) => toInt(a, 'scrypt parameter')) as [number, number, number];
    }
    const key = await scryptAsync(passwordBytes, saltBytes, n, r, p);
    return { hex: key.toString('hex'), method: `scrypt:${n}:${r}:${p}` };
  }
  if (name === 'pbkdf2') {
    if (args.length > 2) throw new Error("'pbkdf2' takes 2 arguments.");
    const digest = args[0] ?? 'sha256';
    const iterations =
      args.length === 2 ? toInt(args[1] as string, 'iteration count') : DEFAULT_PBKDF2_ITERATIONS;
    if (!(digest in PBKDF2_DIGESTS)) throw new Error(`Unsupported pbkdf2 hash '${digest}'.`);
    if (iterations < 1) throw new Error('pbkdf2 needs at least one iteration.');
    const key = await pbkdf2Async(passwordBytes, saltBytes, iterations, digest);
    return { hex: key.toString('hex'), method: `pbkdf2:${digest}:${iterations}` };
  }
  throw new Error(`Invalid hash method '${name}'.`);
}

/**
 * Hashes a password for storage (Werkzeug's `generate_password_hash`): `method$salt$hex`. Verify it later
 * with {@link checkPasswordHash}; Flask's `check_password_hash` verifies it too.
 */
export async function generatePasswordHash(
  password: string,
  options: PasswordHashOptions = {},
): Promise<string> {
  const salt = genSalt(options.saltLength ?? 16);
  const { hex, method } = await derive(options.method ?? 'scrypt', salt, password);
  return `${method}$${salt}$${hex}`;
}

/**
 * True when `password` matches a hash made by {@link generatePasswordHash} or by Werkzeug. A value that is not
 * `method$salt$hash` is simply false; an unknown method throws (as Werkzeug raises), since it means the stored
 * data is not a password hash at all.
 */
export async function checkPasswordHash(pwhash: string, password: string): Promise<boolean> {
  const first = pwhash.indexOf('$');
  const second = first === -1 ? -1 : pwhash.indexOf('$', first + 1);
  if (second === -1) return false;
  const method = pwhash.slice(0, first);
  const salt = pwhash.slice(first + 1, second);
  const expected = Buffer.from(pwhash.slice(second + 1), 'utf8');
  const actual = Buffer.from((await derive(method, salt, password)).hex, 'utf8');
  // compare_digest semantics: different lengths are unequal, equal lengths compare in constant time
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
