import { describe, expect, it } from 'vitest';
import {
  BadPayload,
  BadSignature,
  BadTimeSignature,
  base64Decode,
  base64Encode,
  bytesToInt,
  constantTimeEqual,
  intToBytes,
  SignatureExpired,
  Signer,
  TimestampSigner,
  URLSafeSerializer,
  URLSafeTimedSerializer,
} from '../../src/http/signing.js';

// Vectors produced by Python's itsdangerous 2.2.0 (an independent implementation).
describe('Signer (itsdangerous vectors)', () => {
  it.each([
    ['django-concat', 'hello.sxoOrcwxVPlDdUjpJU1JH5z9DnE'],
    ['concat', 'hello.OGtzE1wQiF51FGbpRhdOVTLmKe0'],
    ['hmac', 'hello.AYOQ8oDvt6dCQvXrxRi28YFUqqs'],
    ['none', 'hello.URIFXAX5RPhXVe_FzYlw4ZTp9Fs'],
  ] as const)('key derivation %s', (keyDerivation, expected) => {
    const s = new Signer('secret', { salt: 's', keyDerivation });
    expect(s.sign('hello')).toBe(expected);
    expect(s.unsign(expected)).toBe('hello');
  });

  it('defaults to salt itsdangerous.Signer, django-concat, sha1', () => {
    expect(new Signer('secret').sign('hello')).toBe('hello.7KTthSs1fJgtbigPvFpQH1bpoGA');
  });

  it('supports other digests', () => {
    const s = new Signer('secret', { digestMethod: 'sha256' });
    expect(s.sign('hello')).toBe('hello.wi9qFobArR1iCBEpunByseLLD7b_zztm_BTOmrEGHGU');
  });

  it('rejects tampered values and signatures', () => {
    const s = new Signer('secret');
    const signed = s.sign('hello');
    expect(() => s.unsign(signed.replace('hello', 'hellO'))).toThrow(BadSignature);
    expect(() => s.unsign(`${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`)).toThrow(BadSignature);
    expect(() => s.unsign(`${signed}A`)).toThrow(BadSignature); // longer signature: length check, no throw from timingSafeEqual
    expect(() => s.unsign(signed.slice(0, -3))).toThrow(BadSignature);
    expect(() => s.unsign('hello')).toThrow(/No "\." found/);
    expect(() => s.unsign('hello.é')).toThrow(BadSignature);
    expect(() => s.unsign('hello.')).toThrow(BadSignature);
    expect(new Signer('other').validate(signed)).toBe(false);
    const err = (() => {
      try {
        s.unsign('x.y');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('BadSignature');
    expect(s.validate(signed)).toBe(true);
  });

  it('uses the last key to sign and every key to verify', () => {
    const old = new Signer('old');
    const rotated = new Signer(['old', 'new']);
    expect(rotated.sign('x')).toBe(new Signer('new').sign('x'));
    expect(rotated.unsign(old.sign('x'))).toBe('x');
    expect(() => new Signer('new').unsign(old.sign('x'))).toThrow(BadSignature);
  });

  it('accepts byte keys and refuses bad configuration', () => {
    expect(new Signer(new TextEncoder().encode('secret')).sign('hello')).toBe(
      new Signer('secret').sign('hello'),
    );
    expect(() => new Signer([])).toThrow(TypeError);
    expect(() => new Signer('k', { sep: 'a' })).toThrow(TypeError);
  });
});

describe('TimestampSigner', () => {
  it('matches itsdangerous with a fixed time', () => {
    const s = new TimestampSigner('secret');
    expect(s.sign('v', 1700000000)).toBe('v.ZVPxAA.rDEMLDJfpzfcXQyXmIppw-fbM-c');
    const { value, timestamp } = s.unsignWithTimestamp('v.ZVPxAA.rDEMLDJfpzfcXQyXmIppw-fbM-c');
    expect(value).toBe('v');
    expect(timestamp.getTime()).toBe(1700000000 * 1000);
  });

  it('enforces max age and rejects future timestamps', () => {
    const s = new TimestampSigner('secret');
    const signed = s.sign('v', 1000);
    expect(s.unsign(signed, { maxAge: 10, now: 1010 })).toBe('v');
    expect(() => s.unsign(signed, { maxAge: 10, now: 1011 })).toThrow(SignatureExpired);
    expect(() => s.unsign(signed, { maxAge: 10, now: 999 })).toThrow(/< 0/);
    expect(s.unsign(s.sign('now'), 5)).toBe('now');
    expect(s.validate(signed, 5)).toBe(false);
    expect(s.validate(signed)).toBe(true);
  });

  it('rejects a missing or malformed timestamp', () => {
    const plain = new Signer('secret', { salt: 'itsdangerous.Signer' });
    const s = new TimestampSigner('secret');
    expect(() => s.unsign(plain.sign('novalue'))).toThrow(/Timestamp missing/);
    expect(() => s.unsign(plain.sign('v.!!'))).toThrow(/Malformed timestamp/);
    const signed = s.sign('v', 1000);
    const err = (() => {
      try {
        s.unsign(`${signed}x`);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BadTimeSignature);
    expect((err as BadTimeSignature).dateSigned?.getTime()).toBe(1000_000);
  });
});

describe('URLSafeTimedSerializer', () => {
  class FixedSerializer<T> extends URLSafeTimedSerializer<T> {
    override dumps(value: T): string {
      return super.dumps(value, 1700000000);
    }
  }

  it('matches itsdangerous output (plain and compressed payloads)', () => {
    const s = new FixedSerializer<unknown>('secret');
    expect(s.dumps({ a: [1, 2, 'x'] })).toBe('eyJhIjpbMSwyLCJ4Il19.ZVPxAA.PwuteJfYyP-VPcQyI6K8occVpLw');
    expect(s.dumps('x'.repeat(200))).toBe('.eJxTqhgmQAkASYteBQ.ZVPxAA.AiOosxYsRbUH9Iz69kGjh3PQqmY');
    expect(new FixedSerializer(['old', 'new']).dumps(1)).toBe('MQ.ZVPxAA.Dn6K_aJc2Pdudh6cZ_q3Zz2ng7o');
    expect(s.loads('.eJxTqhgmQAkASYteBQ.ZVPxAA.AiOosxYsRbUH9Iz69kGjh3PQqmY')).toBe('x'.repeat(200));
  });

  it('round-trips and checks max age', () => {
    const s = new URLSafeTimedSerializer<{ n: number }>('k', { salt: 'x' });
    const t = s.dumps({ n: 3 });
    expect(s.loads(t, 60)).toEqual({ n: 3 });
    expect(s.loadsWithTimestamp(t).timestamp.getTime()).toBeLessThanOrEqual(Date.now());
    expect(() => new URLSafeTimedSerializer('k', { salt: 'y' }).loads(t)).toThrow(BadSignature);
    const old = s.dumps({ n: 1 }, Math.floor(Date.now() / 1000) - 100);
    expect(() => s.loads(old, 50)).toThrow(SignatureExpired);
  });

  it('reports bad payloads that carry a valid signature', () => {
    const s = new URLSafeTimedSerializer('k');
    const signer = new TimestampSigner('k', { salt: 'itsdangerous' });
    expect(() => s.loads(signer.sign(base64Encode('{not json')))).toThrow(BadPayload);
    expect(() => s.loads(signer.sign('.AAAA'))).toThrow(/zlib/);
  });

  it('refuses compressed payloads that inflate too far', () => {
    const s = new URLSafeSerializer('k', { maxDecompressedSize: 1000 });
    expect(() => s.loads(s.dumps('y'.repeat(5000)))).toThrow(BadPayload);
    expect(new URLSafeSerializer('k').loads(s.dumps('y'.repeat(5000)))).toBe('y'.repeat(5000));
  });
});

describe('encoding helpers', () => {
  it('base64 has no padding and decoding is strict', () => {
    expect(base64Encode('a')).toBe('YQ');
    expect(base64Decode('YQ').toString()).toBe('a');
    expect(() => base64Decode('YQ==')).toThrow();
    expect(() => base64Decode('Y')).toThrow();
    expect(() => base64Decode('Y+Q')).toThrow();
  });

  it('integers are big-endian without leading zeros', () => {
    expect([...intToBytes(0)]).toEqual([]);
    expect([...intToBytes(256)]).toEqual([1, 0]);
    expect(bytesToInt(intToBytes(1795498508))).toBe(1795498508);
    expect(() => intToBytes(-1)).toThrow(RangeError);
  });

  it('constant-time comparison handles different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
