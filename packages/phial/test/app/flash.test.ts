import { Markup } from '@phial/jinja';
import { describe, expect, it } from 'vitest';
import { contextStorage, RequestContext } from '../../src/app/context.js';
import { flash, getFlashedMessages } from '../../src/app/flash.js';
import type { Phial } from '../../src/app/phial.js';
import { Request } from '../../src/app/request.js';
import { SecureCookieSessionInterface } from '../../src/app/sessions.js';
import { messageFlashed } from '../../src/app/signals.js';
import { parseCookies } from '../../src/http/cookies.js';
import { Response } from '../../src/http/response.js';

function makeApp(config: Record<string, unknown> = { SECRET_KEY: 'flash key' }) {
  return { config, sessionInterface: new SecureCookieSessionInterface() } as unknown as Phial;
}

/** Runs `fn` in a request context carrying `cookie`, saves the session like dispatch does, returns the new cookie. */
function inRequest<T>(
  app: Phial,
  cookie: string | null,
  fn: () => T,
): { result: T; setCookie: string | undefined; response: Response } {
  const req = new Request({
    method: 'GET',
    url: '/',
    headers: cookie ? { cookie: `session=${cookie}` } : {},
    async *[Symbol.asyncIterator]() {},
  });
  const ctx = new RequestContext(app, req);
  const result = contextStorage.run(ctx, fn);
  const response = new Response('ok');
  if (ctx.sessionOpened) app.sessionInterface.saveSession(app, ctx.getSession(), response);
  const header = response.headers.getSetCookie()[0];
  return {
    result,
    setCookie: header === undefined ? undefined : parseCookies(header.split(';')[0]).session,
    response,
  };
}

describe('flash / getFlashedMessages', () => {
  it('stores messages for the next request, which reads them once', () => {
    const app = makeApp();
    const first = inRequest(app, null, () => {
      flash('Saved.');
      flash('Disk full', 'error');
    });
    expect(first.setCookie).toBeTruthy();
    const second = inRequest(app, first.setCookie as string, () => {
      const a = getFlashedMessages();
      const b = getFlashedMessages({ withCategories: true });
      return { a, b };
    });
    expect(second.result.a).toEqual(['Saved.', 'Disk full']);
    expect(second.result.b).toEqual([
      ['message', 'Saved.'],
      ['error', 'Disk full'],
    ]);
    // Popping the flashes emptied the session: the cookie is deleted.
    expect(second.response.headers.getSetCookie()[0]).toMatch(/^session=; .*Max-Age=0/);
    // A third request with the old cookie still reads them (cookies are not server state), a fresh one has none.
    expect(inRequest(app, null, () => getFlashedMessages()).result).toEqual([]);
  });

  it('filters by category', () => {
    const app = makeApp();
    const { setCookie } = inRequest(app, null, () => {
      flash('a', 'info');
      flash('b', 'error');
      flash('c', 'warning');
    });
    const r = inRequest(app, setCookie as string, () => ({
      errors: getFlashedMessages({ categoryFilter: ['error', 'warning'] }),
      pairs: getFlashedMessages({ withCategories: true, categoryFilter: ['info'] }),
      all: getFlashedMessages({ categoryFilter: [] }),
    }));
    expect(r.result.errors).toEqual(['b', 'c']);
    expect(r.result.pairs).toEqual([['info', 'a']]);
    expect(r.result.all).toEqual(['a', 'b', 'c']);
  });

  it('messages flashed after reading stay for the next request', () => {
    const app = makeApp();
    const r = inRequest(app, null, () => {
      const before = getFlashedMessages();
      flash('later');
      return [before, getFlashedMessages()];
    });
    expect(r.result).toEqual([[], []]);
    expect(inRequest(app, r.setCookie as string, () => getFlashedMessages()).result).toEqual(['later']);
  });

  it('reads the flashes of a Flask cookie', () => {
    const app = makeApp({ SECRET_KEY: 'dev key 1', PERMANENT_SESSION_LIFETIME: 315360000 });
    // From the conformance corpus: what Flask stores for flash('Saved.'); flash('Disk full', 'error').
    const cookie =
      '.eJyrVopPy0kszkgtVrKKrlZSKAFSSrmpxcWJ6alKOkrBiWWpKXpKsbU6MLnUoqL8IqCMS2ZxtkJaaU4OUDK2FgA7Jhca.awUiDA.QeeXZN2m05kMRleoH5KHpCOJ-aY';
    const r = inRequest(app, cookie, () => getFlashedMessages({ withCategories: true }));
    expect(r.result).toEqual([
      ['message', 'Saved.'],
      ['error', 'Disk full'],
    ]);
  });

  it('keeps Markup messages safe', () => {
    const app = makeApp();
    const { setCookie } = inRequest(app, null, () => flash(new Markup('<b>hi</b>')));
    const [m] = inRequest(app, setCookie as string, () => getFlashedMessages()).result;
    expect(m).toBeInstanceOf(Markup);
    expect(String(m)).toBe('<b>hi</b>');
  });

  it('sends messageFlashed with the app as sender', () => {
    const app = makeApp();
    const seen: unknown[] = [];
    const off = messageFlashed.connect((sender, extra) => seen.push([sender, extra]));
    try {
      inRequest(app, null, () => flash('hello', 'info'));
    } finally {
      off();
    }
    expect(seen).toEqual([[app, { message: 'hello', category: 'info' }]]);
  });

  it('flash without SECRET_KEY throws the clear error; reading gives nothing', () => {
    const app = makeApp({});
    expect(() => inRequest(app, null, () => flash('x'))).toThrow(/no secret key was set/);
    expect(inRequest(app, null, () => getFlashedMessages()).result).toEqual([]);
  });

  it('outside a request context both throw', () => {
    expect(() => flash('x')).toThrow(/Working outside of request context/);
    expect(() => getFlashedMessages()).toThrow(/Working outside of request context/);
  });
});
