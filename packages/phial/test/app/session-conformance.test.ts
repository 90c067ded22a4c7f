import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { Markup } from '@phial/jinja';
import { describe, expect, it } from 'vitest';
import { SecureCookieSessionInterface, Session } from '../../src/app/sessions.js';
import { sessionJsonSerializer } from '../../src/app/tag.js';
import { parseCookies } from '../../src/http/cookies.js';
import { Response } from '../../src/http/response.js';
import { base64Decode, URLSafeTimedSerializer } from '../../src/http/signing.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');
const corpusDir = resolve(repoRoot, '../shared/conformance/flask-session');
const corpusFile = join(corpusDir, 'cookies.json');
const haveCorpus = existsSync(corpusFile);
const python = spawnSync('python3', ['--version']).status === 0;

interface Case {
  id: string;
  secret_key: string;
  fallbacks?: string[];
  session: Record<string, unknown>;
  permanent: boolean;
  cookie: string;
  expect: 'load' | 'empty';
  issued_at: number;
  note: string;
}

/** Turns the corpus' {"$type", "value"} forms into the values Phial loads (API.md decision 11). */
function natural(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(natural);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && '$type' in o && 'value' in o) {
    switch (o.$type) {
      case 'tuple':
        return (o.value as unknown[]).map(natural);
      case 'bytes':
        return new Uint8Array(Buffer.from(o.value as string, 'base64'));
      case 'markup':
        return new Markup(o.value as string);
      case 'uuid':
        return o.value;
      case 'datetime':
        return new Date(o.value as string);
      default:
        throw new Error(`unknown $type ${String(o.$type)}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = natural(o[k]);
  return out;
}

function stripTuples(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripTuples);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === ' t') return stripTuples(o[' t']);
  if (keys.length === 1 && keys[0] === ' u')
    return String(o[' u']).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  return Object.fromEntries(keys.map((k) => [k, stripTuples(o[k])]));
}

function appFor(c: Case) {
  return {
    config: {
      SECRET_KEY: c.secret_key,
      SECRET_KEY_FALLBACKS: c.fallbacks ?? [],
      PERMANENT_SESSION_LIFETIME: 315360000,
    },
  };
}

const cases: Case[] = haveCorpus ? (JSON.parse(readFileSync(corpusFile, 'utf8')) as Case[]) : [];

describe.skipIf(!haveCorpus)('Flask session corpus (../shared/conformance/flask-session)', () => {
  if (!haveCorpus) {
    it.skip(`corpus missing at ${corpusFile}: skipped`, () => {});
    return;
  }
  const iface = new SecureCookieSessionInterface();

  it('has every case of the corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const req = { cookies: parseCookies(`session=${c.cookie}`) };
    const session = iface.openSession(appFor(c), req);
    expect(session).toBeInstanceOf(Session);
    const s = session as Session;
    if (c.expect === 'empty') {
      expect(s.size).toBe(0);
      expect(s.isNew).toBe(true);
      expect(s.permanent).toBe(false);
      return;
    }
    expect(s.isNew).toBe(false);
    expect(s.toObject()).toEqual(natural(c.session));
    expect(s.permanent).toBe(c.permanent);
    // Markup must come back as a safe string, not plain text.
    for (const [, v] of s.entries()) if (v instanceof Markup) expect(typeof v.__html__).toBe('function');
  });

  it.each(cases.filter((c) => c.expect === 'load').map((c) => [c.id, c] as const))(
    '%s: Phial writes what Flask wrote',
    (_id, c) => {
      const [payload] = c.cookie.split('.').filter((p, i) => !(i === 0 && p === ''));
      const compressed = c.cookie.startsWith('.');
      const raw = base64Decode(payload as string);
      const flaskJson = (compressed ? inflateSync(raw) : raw).toString('utf8');
      const session = iface.openSession(appFor(c), { cookies: { session: c.cookie } }) as Session;
      const ours = sessionJsonSerializer.dumps(session._raw());
      // Python prints floats its own way (3.0, 1e-07), tuples load as arrays (dumped as lists) and UUIDs as strings:
      // only those cases may differ, and only in spelling / the ' t' wrapper.
      if (/[0-9](\.[0-9]+|e[-+]?[0-9]+)/i.test(flaskJson) || /\{" [tu]":/.test(flaskJson)) {
        expect(JSON.parse(ours)).toEqual(stripTuples(JSON.parse(flaskJson)));
        return;
      }
      expect(ours).toBe(flaskJson);
      if (!c.fallbacks) {
        const s = new URLSafeTimedSerializer<unknown>(c.secret_key, {
          salt: 'cookie-session',
          serializer: sessionJsonSerializer,
          signer: { keyDerivation: 'hmac', digestMethod: 'sha1' },
        });
        expect(s.dumps(session._raw(), c.issued_at)).toBe(c.cookie);
      }
    },
  );
});

function issueCookie(secret: string, fill: (s: Session) => void): string {
  const iface = new SecureCookieSessionInterface();
  const app = { config: { SECRET_KEY: secret } };
  const session = iface.openSession(app, { cookies: {} }) as Session;
  fill(session);
  const res = new Response('ok');
  iface.saveSession(app, session, res);
  const header = res.headers.getSetCookie()[0] as string;
  return parseCookies(header.split(';')[0]).session as string;
}

const sample = (s: Session) => {
  s.set('user', 'zoë');
  s.set('ids', [1, 2]);
  s.set('raw', new Uint8Array([1, 2, 255]));
  s.set('when', new Date(Date.UTC(2024, 1, 29, 12, 0, 0)));
  s.set('html', new Markup('<b>hi</b>'));
  s.set('tagish', { ' t': 'x' });
  s.permanent = true;
};
const expectedSession = {
  _permanent: true,
  html: { $type: 'markup', value: '<b>hi</b>' },
  ids: [1, 2],
  raw: { $type: 'bytes', value: 'AQL/' },
  tagish: { ' t': 'x' },
  user: 'zoë',
  when: { $type: 'datetime', value: '2024-02-29T12:00:00Z' },
};

describe.skipIf(!python)(
  'a Phial cookie verifies with an independent implementation (python3 stdlib)',
  () => {
    const script = join(here, 'session_cookie_check.py');

    it('verifies, decodes and untags', () => {
      const cookie = issueCookie('py key ✓', sample);
      const out = JSON.parse(execFileSync('python3', [script, 'py key ✓', cookie], { encoding: 'utf8' }));
      expect(out.ok).toBe(true);
      expect(Math.abs(out.timestamp - Date.now() / 1000)).toBeLessThan(10);
      expect(out.session).toEqual(expectedSession);
    });

    it('compressed payloads verify too', () => {
      const cookie = issueCookie('k', (s) => s.set('text', 'abc '.repeat(300)));
      expect(cookie.startsWith('.')).toBe(true);
      const out = JSON.parse(execFileSync('python3', [script, 'k', cookie], { encoding: 'utf8' }));
      expect(out.session).toEqual({ text: 'abc '.repeat(300) });
    });

    it('the script rejects a cookie signed with another key', () => {
      const cookie = issueCookie('k1', (s) => s.set('a', 1));
      const r = spawnSync('python3', [script, 'k2', cookie], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout).error).toBe('bad signature');
    });
  },
);

const flaskProbe = python
  ? spawnSync('python3', ['-c', 'import flask'], { encoding: 'utf8' }).status === 0
  : false;

describe.skipIf(!flaskProbe)('real Flask reads Phial cookies (only when Flask is installed)', () => {
  it('loads the same session', () => {
    const cookie = issueCookie('flask key', sample);
    const out = JSON.parse(
      execFileSync('python3', [join(here, 'flask_session_load.py'), 'flask key', cookie], {
        encoding: 'utf8',
      }),
    );
    expect(out.flask).toBe(true);
    expect(out.permanent).toBe(true);
    expect(out.session).toEqual(expectedSession);
  });
});
