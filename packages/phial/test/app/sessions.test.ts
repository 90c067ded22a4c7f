import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  addVary,
  isNullSession,
  NullSession,
  SecureCookieSessionInterface,
  Session,
} from '../../src/app/sessions.js';
import { sessionJsonSerializer } from '../../src/app/tag.js';
import { parseCookies } from '../../src/http/cookies.js';
import { Response } from '../../src/http/response.js';
import { URLSafeTimedSerializer } from '../../src/http/signing.js';

interface MySession {
  [key: string]: unknown;
  userId?: number;
  name?: string;
}

describe('Session', () => {
  it('is a Map-backed dict that tracks access and modification', () => {
    const s = new Session<MySession>({ userId: 1 });
    expect(s.accessed).toBe(false);
    expect(s.modified).toBe(false);
    const id: number | undefined = s.get('userId');
    expect(id).toBe(1);
    expect(s.accessed).toBe(true);
    expect(s.modified).toBe(false);
    expect(s.get('name', 'anon')).toBe('anon');
    s.set('name', 'ann');
    expect(s.modified).toBe(true);
    expect([...s.keys()]).toEqual(['userId', 'name']);
    expect([...s.entries()]).toEqual([
      ['userId', 1],
      ['name', 'ann'],
    ]);
    expect(s.size).toBe(2);
    expect(s.has('name')).toBe(true);
    expect(s.delete('name')).toBe(true);
    expect(s.toObject()).toEqual({ userId: 1 });
    expect(s.items()).toEqual([['userId', 1]]);
  });

  it('is typed by its data interface (checked by tsc -p tsconfig.tests.json)', () => {
    const s = new Session<MySession>({ userId: 3 });
    expectTypeOf(s.get('userId')).toEqualTypeOf<number | undefined>();
    expectTypeOf(s.get('userId', 0)).toEqualTypeOf<number>();
    expectTypeOf(new Session().get('anything', 'x')).toEqualTypeOf<unknown>();
    expect(s.get('userId', 0)).toBe(3);
    // @ts-expect-error a declared key only takes its declared type
    s.set('userId', 'three');
  });

  it('pop and setDefault mark modified only when they change something', () => {
    const s = new Session({ a: 1 });
    expect(s.pop('missing', 'd')).toBe('d');
    expect(s.pop('missing')).toBeUndefined();
    expect(s.modified).toBe(false);
    expect(s.setDefault('a', 5)).toBe(1);
    expect(s.modified).toBe(false);
    expect(s.pop('a')).toBe(1);
    expect(s.modified).toBe(true);
    const t = new Session();
    expect(t.setDefault('x', [1])).toEqual([1]);
    expect(t.modified).toBe(true);
    expect(t.get('x')).toEqual([1]);
  });

  it('keeps a stored null distinct from a missing key', () => {
    const s = new Session({ n: null });
    expect(s.get('n', 'default')).toBeNull();
    expect(s.get('missing', 'default')).toBe('default');
  });

  it('stores permanent as _permanent', () => {
    const s = new Session();
    expect(s.permanent).toBe(false);
    s.permanent = true;
    expect(s.get('_permanent')).toBe(true);
    expect(s.modified).toBe(true);
    expect(new Session({ _permanent: true }).permanent).toBe(true);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.permanent).toBe(false);
  });

  it('update sets several keys', () => {
    const s = new Session();
    s.update({ a: 1, b: 2 });
    s.update([['c', 3]]);
    expect(s.toObject()).toEqual({ a: 1, b: 2, c: 3 });
    expect(JSON.stringify(s)).toBe('{"a":1,"b":2,"c":3}');
  });
});

describe('NullSession', () => {
  it('reads as empty and every write throws the clear SECRET_KEY error', () => {
    const s = new NullSession();
    expect(s.get('a')).toBeUndefined();
    expect(s.size).toBe(0);
    expect(s.permanent).toBe(false);
    expect(isNullSession(s)).toBe(true);
    const writes: (() => unknown)[] = [
      () => s.set('a', 1),
      () => s.delete('a'),
      () => s.pop('a'),
      () => s.clear(),
      () => s.update({ a: 1 }),
      () => s.setDefault('a', 1),
      () => {
        s.permanent = true;
      },
    ];
    for (const w of writes) expect(w).toThrow(/no secret key was set\. Set SECRET_KEY on the app/);
  });
});

describe('addVary', () => {
  it('adds a token once', () => {
    const r = new Response('x');
    addVary(r.headers, 'Cookie');
    addVary(r.headers, 'cookie');
    expect(r.headers.get('Vary')).toBe('Cookie');
    r.headers.set('Vary', 'Accept-Encoding');
    addVary(r.headers, 'Cookie');
    expect(r.headers.get('Vary')).toBe('Accept-Encoding, Cookie');
    r.headers.set('Vary', '*');
    addVary(r.headers, 'Cookie');
    expect(r.headers.get('Vary')).toBe('*');
  });
});

function setup(config: Record<string, unknown> = {}) {
  const app = { config: { SECRET_KEY: 'secret', ...config } };
  const iface = new SecureCookieSessionInterface();
  const open = (cookie?: string) =>
    iface.openSession(app, {
      cookies: cookie === undefined ? {} : { [String(config.SESSION_COOKIE_NAME ?? 'session')]: cookie },
    });
  const save = (session: Session) => {
    const res = new Response('ok');
    iface.saveSession(app, session, res);
    return res;
  };
  const cookieOf = (res: Response) => {
    const header = res.headers.getSetCookie()[0];
    if (!header) return undefined;
    const name = String(config.SESSION_COOKIE_NAME ?? 'session');
    return parseCookies(header.split(';')[0])[name];
  };
  return { app, iface, open, save, cookieOf };
}

describe('SecureCookieSessionInterface', () => {
  it('returns null without SECRET_KEY (the app uses a NullSession)', () => {
    const iface = new SecureCookieSessionInterface();
    expect(iface.openSession({ config: {} }, { cookies: {} })).toBeNull();
    expect(iface.openSession({ config: { SECRET_KEY: '' } }, { cookies: {} })).toBeNull();
    const res = new Response('x');
    iface.saveSession({ config: {} }, new NullSession(), res);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('writes an HttpOnly cookie with path / and Vary: Cookie, and reads it back', () => {
    const { open, save, cookieOf } = setup();
    const s = open() as Session;
    expect(s.isNew).toBe(true);
    s.set('user', 'ann');
    const res = save(s);
    const header = res.headers.getSetCookie()[0] as string;
    expect(header).toMatch(/^session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly$/);
    expect(res.headers.get('Vary')).toBe('Cookie');
    const again = open(cookieOf(res)) as Session;
    expect(again.isNew).toBe(false);
    expect(again.get('user')).toBe('ann');
  });

  it('sends nothing for an untouched session, but Vary when it was read', () => {
    const { open, save, cookieOf } = setup();
    const first = open() as Session;
    first.set('a', 1);
    const cookie = cookieOf(save(first));
    const untouched = save(open(cookie) as Session);
    expect(untouched.headers.getSetCookie()).toEqual([]);
    expect(untouched.headers.get('Vary')).toBeNull();
    const read = open(cookie) as Session;
    read.get('a');
    const res = save(read);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.headers.get('Vary')).toBe('Cookie');
  });

  it('deletes the cookie when the session is emptied', () => {
    const { open, save, cookieOf } = setup({
      SESSION_COOKIE_DOMAIN: 'example.com',
      SESSION_COOKIE_PATH: '/app',
    });
    const s = open() as Session;
    s.set('a', 1);
    const s2 = open(cookieOf(save(s))) as Session;
    s2.clear();
    const res = save(s2);
    const header = res.headers.getSetCookie()[0] as string;
    expect(header).toMatch(/^session=; /);
    expect(header).toContain('Max-Age=0');
    expect(header).toContain('Domain=example.com');
    expect(header).toContain('Path=/app');
    expect(res.headers.get('Vary')).toBe('Cookie');
  });

  it('honours the cookie settings', () => {
    const { open, save } = setup({
      SESSION_COOKIE_NAME: 'sid',
      SESSION_COOKIE_HTTPONLY: false,
      SESSION_COOKIE_SECURE: true,
      SESSION_COOKIE_SAMESITE: 'Lax',
      SESSION_COOKIE_PARTITIONED: true,
      APPLICATION_ROOT: '/root',
    });
    const s = open() as Session;
    s.set('a', 1);
    const header = save(s).headers.getSetCookie()[0] as string;
    expect(header.startsWith('sid=')).toBe(true);
    expect(header).not.toContain('HttpOnly');
    expect(header).toContain('Secure');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Partitioned');
    expect(header).toContain('Path=/root');
  });

  it('permanent sessions get Expires = now + PERMANENT_SESSION_LIFETIME and refresh each request', () => {
    const { open, save, cookieOf } = setup({ PERMANENT_SESSION_LIFETIME: 3600 });
    const s = open() as Session;
    s.set('a', 1);
    s.permanent = true;
    const res = save(s);
    const header = res.headers.getSetCookie()[0] as string;
    const expires = Date.parse(/Expires=([^;]+)/.exec(header)?.[1] ?? '');
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(5000);
    const refreshed = save(open(cookieOf(res)) as Session);
    expect(refreshed.headers.getSetCookie()).toHaveLength(1);
    const browserSession = setup();
    const t = browserSession.open() as Session;
    t.set('a', 1);
    expect(browserSession.save(t).headers.getSetCookie()[0]).not.toContain('Expires');
  });

  it('refreshing an unmodified session re-signs its payload with the current key and time', () => {
    const old = setup({ SECRET_KEY: 'old' });
    const s = old.open() as Session;
    s.permanent = true;
    s.set('n', 1.5);
    const signer = old.iface.getSigningSerializer(old.app) as URLSafeTimedSerializer<unknown>;
    const payload = signer.dumpPayload({ _permanent: true, n: 1.5 });
    const oldCookie = signer.signer.sign(payload, Math.floor(Date.now() / 1000) - 100);
    const rotated = setup({ SECRET_KEY: 'new', SECRET_KEY_FALLBACKS: ['old'] });
    const refreshed = rotated.cookieOf(rotated.save(rotated.open(oldCookie) as Session)) as string;
    expect(refreshed.split('.')[0]).toBe(payload);
    expect(refreshed).not.toBe(oldCookie);
    const fresh = new URLSafeTimedSerializer('new', {
      salt: 'cookie-session',
      serializer: sessionJsonSerializer,
      signer: { keyDerivation: 'hmac' },
    }).loadsWithTimestamp(refreshed);
    expect(fresh.value).toEqual({ _permanent: true, n: 1.5 });
    expect(Math.abs(fresh.timestamp.getTime() - Date.now())).toBeLessThan(5000);
    // A modified session is serialized again.
    const changed = rotated.open(oldCookie) as Session;
    changed.set('n', 2);
    const rewritten = rotated.cookieOf(rotated.save(changed)) as string;
    expect(rewritten.split('.')[0]).not.toBe(payload);
    expect((rotated.open(rewritten) as Session).get('n')).toBe(2);
  });

  it('does not refresh permanent sessions when SESSION_REFRESH_EACH_REQUEST is false', () => {
    const { open, save, cookieOf } = setup({ SESSION_REFRESH_EACH_REQUEST: false });
    const s = open() as Session;
    s.permanent = true;
    const cookie = cookieOf(save(s));
    expect(save(open(cookie) as Session).headers.getSetCookie()).toEqual([]);
  });

  it('rejects cookies older than PERMANENT_SESSION_LIFETIME, or from the future, with an empty session', () => {
    const { app, iface, open } = setup({ PERMANENT_SESSION_LIFETIME: 60 });
    const s = iface.getSigningSerializer(app) as URLSafeTimedSerializer<unknown>;
    const now = Math.floor(Date.now() / 1000);
    expect((open(s.dumps({ a: 1 }, now - 30)) as Session).get('a')).toBe(1);
    const old = open(s.dumps({ a: 1 }, now - 120)) as Session;
    expect(old.size).toBe(0);
    expect(old.isNew).toBe(true);
    expect((open(s.dumps({ a: 1 }, now + 120)) as Session).size).toBe(0);
  });

  it('never fails on garbage cookies', () => {
    const { open } = setup();
    for (const junk of ['x', '...', 'a.b.c', '.....', 'é.é.é', '%', 'eyJhIjoxfQ', '.!!!.AAAA.BBBB']) {
      const s = open(junk) as Session;
      expect(s.size).toBe(0);
      expect(s.isNew).toBe(true);
    }
  });

  it('gives an empty session for a validly signed payload that is not a dict', () => {
    const { app, iface, open } = setup();
    const s = iface.getSigningSerializer(app) as URLSafeTimedSerializer<unknown>;
    expect((open(s.dumps([1, 2])) as Session).size).toBe(0);
    expect((open(s.dumps('text')) as Session).size).toBe(0);
  });

  it('verifies with SECRET_KEY_FALLBACKS and signs with SECRET_KEY', () => {
    const oldApp = setup({ SECRET_KEY: 'old' });
    const s = oldApp.open() as Session;
    s.set('a', 1);
    const oldCookie = oldApp.cookieOf(oldApp.save(s)) as string;
    const rotated = setup({ SECRET_KEY: 'new', SECRET_KEY_FALLBACKS: ['old'] });
    const loaded = rotated.open(oldCookie) as Session;
    expect(loaded.get('a')).toBe(1);
    loaded.set('b', 2);
    const newCookie = rotated.cookieOf(rotated.save(loaded)) as string;
    const verify = (key: string) =>
      new URLSafeTimedSerializer(key, {
        salt: 'cookie-session',
        serializer: sessionJsonSerializer,
        signer: { keyDerivation: 'hmac' },
      }).loads(newCookie);
    expect(verify('new')).toEqual({ a: 1, b: 2 });
    expect(() => verify('old')).toThrow();
    expect((setup({ SECRET_KEY: 'new' }).open(oldCookie) as Session).size).toBe(0);
  });

  it('warns through app.logger when the cookie is too large for browsers', () => {
    const warnings: unknown[] = [];
    const app = {
      config: { SECRET_KEY: 'k' },
      logger: { warn: (...args: unknown[]) => warnings.push(args.join(' ')) },
    };
    const iface = new SecureCookieSessionInterface();
    const small = iface.openSession(app, { cookies: {} }) as Session;
    small.set('a', 'x');
    iface.saveSession(app, small, new Response(''));
    expect(warnings).toEqual([]);
    const big = iface.openSession(app, { cookies: {} }) as Session;
    // Random-looking text does not compress.
    big.set('blob', Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 9973).toString(36)).join(''));
    iface.saveSession(app, big, new Response(''));
    expect(String(warnings[0])).toMatch(/The 'session' cookie is too large/);
  });

  it('uses a replaced serializer and salt (cache follows the settings)', () => {
    const app = { config: { SECRET_KEY: 'k' } };
    const iface = new SecureCookieSessionInterface();
    const before = iface.getSigningSerializer(app);
    expect(iface.getSigningSerializer(app)).toBe(before);
    iface.salt = 'other-salt';
    const after = iface.getSigningSerializer(app);
    expect(after).not.toBe(before);
    expect(after?.signer.salt.toString()).toBe('other-salt');
    iface.serializer = { stringify: (v) => JSON.stringify(v), parse: (t) => JSON.parse(t) };
    const s = iface.openSession(app, { cookies: {} }) as Session;
    s.set('d', new Date(0));
    const res = new Response('');
    iface.saveSession(app, s, res);
    const cookie = parseCookies((res.headers.getSetCookie()[0] as string).split(';')[0]).session as string;
    // Plain JSON: the date comes back as its ISO string, not a tagged Date.
    expect((iface.openSession(app, { cookies: { session: cookie } }) as Session).get('d')).toBe(
      '1970-01-01T00:00:00.000Z',
    );
  });

  it('follows a change of SECRET_KEY (no stale cached serializer)', () => {
    const { app, open, save, cookieOf } = setup();
    const s = open() as Session;
    s.set('a', 1);
    const cookie = cookieOf(save(s));
    app.config.SECRET_KEY = 'changed';
    expect((open(cookie) as Session).size).toBe(0);
  });
});
