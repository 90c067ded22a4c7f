/**
 * itsdangerous-compatible signing: HMAC signatures, timestamped signatures and a URL-safe timed serializer.
 *
 * Values signed here verify with Python's itsdangerous (and so with Flask's session cookies) and vice versa,
 * given the same secret key, salt, key derivation and digest. Everything is synchronous because it runs on
 * the request path (session cookies), and uses only `node:crypto` and `node:zlib`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

/** A secret key: text is UTF-8 encoded before use, as itsdangerous does. */
export type SecretKey = string | Uint8Array;

/** How the signing key is derived from the secret key and the salt (itsdangerous' `key_derivation`). */
export type KeyDerivation = 'hmac' | 'django-concat' | 'concat' | 'none';

/** Options shared by {@link Signer} and {@link TimestampSigner}. */
export interface SignerOptions {
  /** Namespaces signatures so a value signed for one purpose does not verify for another. */
  salt?: string | Uint8Array;
  /** Separator between value and signature; must not be a base64url character. Default `'.'`. */
  sep?: string;
  /** Default `'django-concat'` (itsdangerous' default); Flask's session uses `'hmac'`. */
  keyDerivation?: KeyDerivation;
  /** A `node:crypto` hash name. Default `'sha1'` (itsdangerous' default). */
  digestMethod?: string;
}

/** Base class of every signing and payload error, so callers can catch one type. */
export class BadData extends Error {
  constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The signature does not match: the value was tampered with or signed with another key. */
export class BadSignature extends BadData {
  /** The value part, untrusted: only useful for debugging. */
  readonly payload: string | undefined;
  constructor(message: string, payload?: string) {
    super(message);
    this.payload = payload;
  }
}

/** A timestamped signature is malformed or does not match. */
export class BadTimeSignature extends BadSignature {
  /** When the value claims to have been signed (untrusted unless the signature matched). */
  readonly dateSigned: Date | undefined;
  constructor(message: string, payload?: string, dateSigned?: Date) {
    super(message, payload);
    this.dateSigned = dateSigned;
  }
}

/** The signature is valid but older than `maxAge`, or dated in the future. */
export class SignatureExpired extends BadTimeSignature {}

/** The signature is valid but the payload cannot be decoded (a bug or a key reused across formats). */
export class BadPayload extends BadData {
  override readonly cause: unknown;
  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function toBytes(v: string | Uint8Array): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Base64url without padding, as itsdangerous writes it. */
export function base64Encode(data: string | Uint8Array): string {
  return toBytes(data).toString('base64url');
}

/** Strict base64url decoding (no padding, no foreign characters); throws {@link BadData} otherwise. */
export function base64Decode(text: string): Buffer {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new BadData('Invalid base64-encoded data');
  return Buffer.from(text, 'base64url');
}

/** Big-endian unsigned bytes without leading zeros (itsdangerous' `int_to_bytes`). */
export function intToBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot encode ${n} as an unsigned integer`);
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return Buffer.from(out);
}

/** Inverse of {@link intToBytes}; `null` when the number would not be exact. */
export function bytesToInt(bytes: Uint8Array): number | null {
  let v = 0;
  for (const b of bytes) {
    v = v * 256 + b;
    if (v > Number.MAX_SAFE_INTEGER) return null;
  }
  return v;
}

/** Compares two strings in constant time for equal lengths; different lengths return false at once. */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

function normalizeKeys(secretKey: SecretKey | readonly SecretKey[]): Buffer[] {
  const list = Array.isArray(secretKey) ? (secretKey as readonly SecretKey[]) : [secretKey as SecretKey];
  if (list.length === 0) throw new TypeError('A signer needs at least one secret key');
  return list.map((k) => {
    if (typeof k !== 'string' && !(k instanceof Uint8Array)) {
      throw new TypeError('A secret key must be a string or a Uint8Array');
    }
    return toBytes(k);
  });
}

/**
 * Signs strings with an HMAC so they can travel through untrusted hands and come back verified.
 *
 * `secretKey` may be a list for key rotation, itsdangerous-style: the LAST key signs, every key verifies
 * (newest first).
 */
export class Signer {
  readonly salt: Buffer;
  readonly sep: string;
  readonly keyDerivation: KeyDerivation;
  readonly digestMethod: string;
  /** Derived keys, newest first (the order verification tries them). */
  readonly #keys: Buffer[];

  constructor(secretKey: SecretKey | readonly SecretKey[], options: SignerOptions = {}) {
    this.salt = toBytes(options.salt ?? 'itsdangerous.Signer');
    this.sep = options.sep ?? '.';
    if (this.sep === '' || /[A-Za-z0-9_-]/.test(this.sep)) {
      throw new TypeError('The separator cannot be empty or contain base64url characters');
    }
    this.keyDerivation = options.keyDerivation ?? 'django-concat';
    this.digestMethod = options.digestMethod ?? 'sha1';
    this.#keys = normalizeKeys(secretKey)
      .reverse()
      .map((k) => this.deriveKey(k));
  }

  /** Derives the signing key for one secret key (itsdangerous' `derive_key`). */
  deriveKey(secretKey: SecretKey): Buffer {
    const key = toBytes(secretKey);
    switch (this.keyDerivation) {
      case 'concat':
        return createHash(this.digestMethod).update(this.salt).update(key).digest();
      case 'django-concat':
        return createHash(this.digestMethod).update(this.salt).update('signer').update(key).digest();
      case 'hmac':
        return createHmac(this.digestMethod, key).update(this.salt).digest();
      case 'none':
        return key;
      default:
        throw new TypeError(`Unknown key derivation method: ${String(this.keyDerivation)}`);
    }
  }

  /** The base64url signature of `value` with the current (last) key. */
  getSignature(value: string | Uint8Array): string {
    return this.#signWith(this.#keys[0] as Buffer, value);
  }

  #signWith(key: Buffer, value: string | Uint8Array): string {
    return createHmac(this.digestMethod, key).update(value).digest('base64url');
  }

  /** `value + sep + signature`. */
  sign(value: string): string {
    return value + this.sep + this.getSignature(value);
  }

  /** True when `signature` matches `value` under any of the keys. Constant time per key. */
  verifySignature(value: string | Uint8Array, signature: string): boolean {
    if (!BASE64URL.test(signature)) return false;
    for (const key of this.#keys) {
      if (constantTimeEqual(signature, this.#signWith(key, value))) return true;
    }
    return false;
  }

  /** Returns the value of a signed string; throws {@link BadSignature} when it does not verify. */
  unsign(signedValue: string): string {
    const i = signedValue.lastIndexOf(this.sep);
    if (i < 0) throw new BadSignature(`No "${this.sep}" found in value`);
    const value = signedValue.slice(0, i);
    const sig = signedValue.slice(i + this.sep.length);
    if (this.verifySignature(value, sig)) return value;
    throw new BadSignature(`Signature "${sig}" does not match`, value);
  }

  /** True when the signed string verifies. */
  validate(signedValue: string): boolean {
    try {
      this.unsign(signedValue);
      return true;
    } catch (e) {
      if (e instanceof BadSignature) return false;
      throw e;
    }
  }
}

/** Options of {@link TimestampSigner.unsign}. */
export interface UnsignOptions {
  /** Reject signatures older than this many seconds (and any dated in the future). */
  maxAge?: number | null;
  /** The current time in seconds, for tests. Default: now. */
  now?: number;
}

/** A Signer that also signs the time, so a value can expire (itsdangerous' `TimestampSigner`). */
export class TimestampSigner extends Signer {
  /** The current time in whole seconds; override to control time in tests. */
  getTimestamp(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** `value + sep + timestamp + sep + signature`. */
  override sign(value: string, timestamp: number = this.getTimestamp()): string {
    const stamped = value + this.sep + base64Encode(intToBytes(timestamp));
    return stamped + this.sep + this.getSignature(stamped);
  }

  /** Returns the value; throws {@link BadTimeSignature} or {@link SignatureExpired}. */
  override unsign(signedValue: string, options: UnsignOptions | number | null = null): string {
    return this.unsignWithTimestamp(signedValue, options).value;
  }

  /** Like {@link unsign}, also returning when the value was signed. */
  unsignWithTimestamp(
    signedValue: string,
    options: UnsignOptions | number | null = null,
  ): { value: string; timestamp: Date } {
    const opts: UnsignOptions =
      typeof options === 'number' || options === null ? { maxAge: options } : options;
    let result: string;
    let sigError: BadSignature | null = null;
    try {
      result = super.unsign(signedValue);
    } catch (e) {
      if (!(e instanceof BadSignature)) throw e;
      sigError = e;
      result = e.payload ?? '';
    }
    const i = result.lastIndexOf(this.sep);
    if (i < 0) {
      if (sigError) throw new BadTimeSignature(sigError.message, sigError.payload);
      throw new BadTimeSignature('Timestamp missing', result);
    }
    const value = result.slice(0, i);
    let ts: number | null = null;
    try {
      ts = bytesToInt(base64Decode(result.slice(i + this.sep.length)));
    } catch {
      ts = null;
    }
    if (sigError) {
      throw new BadTimeSignature(sigError.message, value, ts === null ? undefined : new Date(ts * 1000));
    }
    if (ts === null) throw new BadTimeSignature('Malformed timestamp', value);
    const dateSigned = new Date(ts * 1000);
    if (opts.maxAge !== undefined && opts.maxAge !== null) {
      const age = (opts.now ?? this.getTimestamp()) - ts;
      if (age > opts.maxAge) {
        throw new SignatureExpired(`Signature age ${age} > ${opts.maxAge} seconds`, value, dateSigned);
      }
      if (age < 0) throw new SignatureExpired(`Signature age ${age} < 0 seconds`, value, dateSigned);
    }
    return { value, timestamp: dateSigned };
  }

  /** True when the signed string verifies and is not older than `maxAge`. */
  override validate(signedValue: string, maxAge: number | null = null): boolean {
    try {
      this.unsign(signedValue, maxAge);
      return true;
    } catch (e) {
      if (e instanceof BadSignature) return false;
      throw e;
    }
  }
}

/** Turns values into text and back; `JSON` fits. */
export interface TextSerializer {
  stringify(value: unknown): string;
  parse(text: string): unknown;
}

/** Options of {@link URLSafeTimedSerializer} and {@link URLSafeSerializer}. */
export interface SerializerOptions {
  /** Default `'itsdangerous'`. */
  salt?: string | Uint8Array;
  /** How values become text. Default: compact JSON. */
  serializer?: TextSerializer;
  /** Passed to the signer (key derivation, digest, separator). */
  signer?: Omit<SignerOptions, 'salt'>;
  /** Refuse compressed payloads that inflate beyond this many bytes. Default 8 MiB. */
  maxDecompressedSize?: number;
}

const compactJson: TextSerializer = { stringify: (v) => JSON.stringify(v), parse: (t) => JSON.parse(t) };

/** Encodes a payload: compact text, zlib-compressed (with a leading '.') when that saves space. */
function dumpPayload(text: string): string {
  const raw = Buffer.from(text, 'utf8');
  const compressed = deflateSync(raw);
  if (compressed.length < raw.length - 1) return `.${compressed.toString('base64url')}`;
  return raw.toString('base64url');
}

function loadPayloadText(payload: string, maxSize: number): string {
  let data: Buffer;
  const compressed = payload.startsWith('.');
  try {
    data = base64Decode(compressed ? payload.slice(1) : payload);
  } catch (e) {
    throw new BadPayload('Could not base64 decode the payload because of an exception', e);
  }
  if (compressed) {
    try {
      data = inflateSync(data, { maxOutputLength: maxSize });
    } catch (e) {
      throw new BadPayload('Could not zlib decompress the payload before decoding the payload', e);
    }
  }
  return data.toString('utf8');
}

abstract class URLSafeSerializerBase<T> {
  readonly salt: string | Uint8Array;
  readonly serializer: TextSerializer;
  readonly maxDecompressedSize: number;

  constructor(options: SerializerOptions) {
    this.salt = options.salt ?? 'itsdangerous';
    this.serializer = options.serializer ?? compactJson;
    this.maxDecompressedSize = options.maxDecompressedSize ?? 8 * 1024 * 1024;
  }

  /** Serializes and encodes a value without signing it. */
  dumpPayload(value: T): string {
    return dumpPayload(this.serializer.stringify(value));
  }

  /** Decodes and deserializes a payload; throws {@link BadPayload}. */
  loadPayload(payload: string): T {
    const text = loadPayloadText(payload, this.maxDecompressedSize);
    try {
      return this.serializer.parse(text) as T;
    } catch (e) {
      throw new BadPayload(
        'Could not load the payload because an exception occurred on unserializing the data',
        e,
      );
    }
  }
}

/** Signed, URL-safe serialization without expiry (itsdangerous' `URLSafeSerializer`). */
export class URLSafeSerializer<T = unknown> extends URLSafeSerializerBase<T> {
  readonly signer: Signer;

  constructor(secretKey: SecretKey | readonly SecretKey[], options: SerializerOptions = {}) {
    super(options);
    this.signer = new Signer(secretKey, { ...options.signer, salt: this.salt });
  }

  /** The signed, URL-safe text of `value`. */
  dumps(value: T): string {
    return this.signer.sign(this.dumpPayload(value));
  }

  /** The value of a signed text; throws {@link BadSignature} or {@link BadPayload}. */
  loads(text: string): T {
    return this.loadPayload(this.signer.unsign(text));
  }
}

/** Signed, timestamped, URL-safe serialization: what Flask's session cookie is (itsdangerous' `URLSafeTimedSerializer`). */
export class URLSafeTimedSerializer<T = unknown> extends URLSafeSerializerBase<T> {
  readonly signer: TimestampSigner;

  constructor(secretKey: SecretKey | readonly SecretKey[], options: SerializerOptions = {}) {
    super(options);
    this.signer = new TimestampSigner(secretKey, { ...options.signer, salt: this.salt });
  }

  /** The signed, timestamped, URL-safe text of `value` (`timestamp` in seconds, default now). */
  dumps(value: T, timestamp?: number): string {
    return this.signer.sign(this.dumpPayload(value), timestamp);
  }

  /** The value; throws {@link BadSignature}, {@link SignatureExpired} (older than `maxAge` seconds or future-dated) or {@link BadPayload}. */
  loads(text: string, options: UnsignOptions | number | null = null): T {
    return this.loadPayload(this.signer.unsign(text, options));
  }

  /** Like {@link loads}, also returning when the value was signed. */
  loadsWithTimestamp(
    text: string,
    options: UnsignOptions | number | null = null,
  ): { value: T; timestamp: Date } {
    const { value, timestamp } = this.signer.unsignWithTimestamp(text, options);
    return { value: this.loadPayload(value), timestamp };
  }
}
