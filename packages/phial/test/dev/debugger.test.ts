/**
 * The debugger over real sockets, against the fixture app running under tsx in its own process: the page
 * (TypeScript frames, locals, escaping, cause chain, templates), plain text for API clients, the PIN and
 * its exhaustion, the trusted-host check, the console, and nothing of it with debug off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './fixture/start.js';

const HTML = { accept: 'text/html,application/xhtml+xml' };

async function get(f: Fixture, path: string, headers: Record<string, string> = HTML) {
  const res = await fetch(`${f.base}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A raw request with any Host (fetch will not send a foreign Host). */
async function withHost(f: Fixture, path: string, host: string, extra: Record<string, string> = {}) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; text: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: f.port, path, headers: { host, ...HTML, ...extra } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

function pageSecret(html: string): { tb: string; secret: string } {
  const tb = /data-traceback="(\d+)"/.exec(html)?.[1] ?? '';
  const secret = /data-secret="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
  return { tb, secret };
}

function frameIdOf(html: string, fn: string): string {
  const re = new RegExp(
    `id="frame-(\\d+)"><h4>[^<]*<cite class="filename">[^<]*</cite>, line <em class="line">\\d+</em>, in <code class="function">${fn}</code>`,
  );
  return re.exec(html)?.[1] ?? '';
}

async function pinauth(f: Fixture, pin: string, cookie = '') {
  const res = await fetch(`${f.base}/__phial_debugger__/pinauth?pin=${encodeURIComponent(pin)}`, {
    headers: cookie ? { cookie } : {},
  });
  return {
    status: res.status,
    body: (await res.json()) as { auth: boolean; exhausted: boolean },
    setCookie: res.headers.get('set-cookie'),
  };
}

async function consoleCmd(
  f: Fixture,
  cmd: string,
  frame: string,
  page: { tb: string; secret: string },
  cookie: string,
) {
  const res = await fetch(`${f.base}/__phial_debugger__/console`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ cmd, frame, tb: page.tb, s: page.secret }).toString(),
  });
  return {
    status: res.status,
    body: (await res.json()) as { output: string; error: boolean; locked?: boolean },
  };
}

describe('debugger page', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f?.stop());

  it('prints the PIN and captures locals with the inspector', () => {
    expect(f.pin).toMatch(/^\d{3}-\d{3}-\d{3}$/);
    expect(f.stderr()).toContain(` * Debugger PIN: ${f.pin}`);
    expect(f.locals).toBe(true);
  });

  it('shows the TypeScript frame, its source and locals, escaping the message', async () => {
    const r = await get(f, '/boom');
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.text).not.toContain('<script>alert');
    expect(r.text).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; failed for xyz-local');
    // the app frame: the .ts file, the throw's line, its source, and the locals at the throw
    expect(r.text).toMatch(
      /fixture\/app\.ts<\/cite>, line <em class="line">28<\/em>, in <code class="function">boom<\/code>/,
    );
    expect(r.text).toContain('if (order.id === 7) throw new Error(');
    expect(r.text).toMatch(/<th>secretValue<\/th><td><pre>&#39;xyz-local&#39;<\/pre>/);
    expect(r.text).toMatch(/<th>order<\/th><td><pre>\{ id: 7, items: \[ &#39;a&#39;, &#39;b&#39; \] \}/);
    // Phial's own frames are folded
    expect(r.text).toMatch(/<summary>\d+ library frames<\/summary>/);
    expect(r.text).toMatch(/class="frame library"[^>]*><h4>File <cite class="filename">[^<]*dispatch\.ts/);
    // and the request
    expect(r.text).toMatch(/<code>GET http:\/\/127\.0\.0\.1:\d+\/boom<\/code>/);
  });

  it('captures locals of every application frame, and of async views', async () => {
    const nested = await get(f, '/nested');
    expect(nested.text).toMatch(
      /in <code class="function">total<\/code>[\s\S]*<th>discount<\/th><td><pre>0\.25<\/pre>/,
    );
    const a = await get(f, '/async');
    expect(a.text).toMatch(/line <em class="line">41<\/em>, in <code class="function">asyncView<\/code>/);
    expect(a.text).toMatch(/<th>userName<\/th><td><pre>&#39;ada&#39;<\/pre>/);
    expect(a.text).toMatch(/<th>profile<\/th><td><pre>\{ userName: &#39;ada&#39;, age: 36 \}/);
  });

  it('captures locals of a rejected promise', async () => {
    const r = await get(f, '/reject');
    expect(r.text).toContain('no row 5 in users');
    expect(r.text).toMatch(
      /in <code class="function">loadUser<\/code>[\s\S]*<th>table<\/th><td><pre>&#39;users&#39;<\/pre>/,
    );
    expect(r.text).toMatch(/<th>wanted<\/th><td><pre>5<\/pre>/);
  });

  it('shows the cause chain, the cause first', async () => {
    const r = await get(f, '/chain');
    const cause = r.text.indexOf('<span class="exc-name">SyntaxError</span>');
    const link = r.text.indexOf('The above exception was the direct cause of the following exception');
    const outer = r.text.indexOf('could not load the settings</span>');
    expect(cause).toBeGreaterThan(0);
    expect(link).toBeGreaterThan(cause);
    expect(outer).toBeGreaterThan(link);
  });

  it("shows a trapped BadRequestKeyError's traceback, as Flask does in debug mode", async () => {
    const r = await get(f, '/keyerror');
    expect(r.status).toBe(500);
    expect(r.text).toContain('<span class="exc-name">BadRequestKeyError</span>');
    expect(r.text).toMatch(/<th>wanted<\/th><td><pre>&#39;q&#39;<\/pre>/);
  });

  it('gives API clients a plain-text traceback', async () => {
    const r = await get(f, '/async', { accept: 'application/json' });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.text).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(r.text).toMatch(/ {2}File ".*fixture\/app\.ts", line 41, in asyncView\n {4}throw new TypeError/);
    expect(r.text.trimEnd().split('\n').at(-1)).toBe('TypeError: no profile page for ada');
  });

  it('names the template file and line of template errors', async () => {
    const rt = await get(f, '/template');
    expect(rt.text).toMatch(/In template <cite>broken\.html<\/cite>, line <em>3<\/em>/);
    expect(rt.text).toMatch(
      /templates\/broken\.html<\/cite>, line <em class="line">3<\/em>, in <code class="function">template &#39;broken\.html&#39;/,
    );
    expect(rt.text).toContain('{{ user.profile.missing.deeper }}');
    const syntax = await get(f, '/syntax', { accept: 'text/plain' });
    expect(syntax.text).toMatch(/File ".*templates\/syntax\.html", line 3, in template 'syntax\.html'/);
    expect(syntax.text).toContain('TemplateSyntaxError');
  });

  it('lists the folders searched for a missing template', async () => {
    const r = await get(f, '/missing');
    expect(r.text).toContain('Searched for the template in:');
    expect(r.text).toMatch(/<li><cite>[^<]*test\/dev\/fixture\/templates<\/cite><\/li>/);
    const t = await get(f, '/missing', { accept: '*/*' });
    expect(t.text).toMatch(/searched: .*test\/dev\/fixture\/templates/);
  });

  it('serves its script and style, and 404s other resources', async () => {
    const js = await get(f, '/__phial_debugger__/debugger.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get(f, '/__phial_debugger__/style.css')).status).toBe(200);
    expect((await get(f, '/__phial_debugger__/nope')).status).toBe(404);
  });

  it('shows no locals, request or console to an untrusted host', async () => {
    // (this app has no TRUSTED_HOSTS: the app itself answers any Host)
    const r = await withHost(f, '/boom', 'evil.example');
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('secretValue</th>');
    expect(r.text).not.toContain('class="open-console"');
    expect(r.text).not.toContain('<section class="request">');
    expect(r.text).toContain('data-evalex="false"');
  });

  it('answers a working request untouched', async () => {
    const r = await get(f, '/ok');
    expect(r.status).toBe(200);
    expect(r.text).toBe('fine');
  });
});

describe('debugger PIN and console', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f?.stop());

  it('runs console commands only with the PIN cookie, keeping state between commands', async () => {
    const html = (await get(f, '/boom')).text;
    const page = pageSecret(html);
    const frame = frameIdOf(html, 'boom');
    expect(frame).not.toBe('');
    // locked without the cookie
    const locked = await consoleCmd(f, 'secretValue', frame, page, '');
    expect(locked.status).toBe(403);
    expect(locked.body.locked).toBe(true);
    // a wrong PIN, then the right one
    const wrong = await pinauth(f, '000-000-000');
    expect(wrong.body).toEqual({ auth: false, exhausted: false });
    expect(wrong.setCookie).toBeNull();
    const ok = await pinauth(f, f.pin as string);
    expect(ok.body).toEqual({ auth: true, exhausted: false });
    expect(ok.setCookie).toMatch(/HttpOnly/i);
    expect(ok.setCookie).toMatch(/SameSite=Strict/i);
    const cookie = (ok.setCookie as string).split(';')[0] as string;
    // the frame's locals, app and request are in scope; results come back as text
    expect((await consoleCmd(f, 'secretValue.toUpperCase()', frame, page, cookie)).body).toEqual({
      output: "'XYZ-LOCAL'",
      error: false,
    });
    expect(
      (await consoleCmd(f, 'order.items.length + app.name.length', frame, page, cookie)).body.output,
    ).toBe('9');
    expect((await consoleCmd(f, 'request.path', frame, page, cookie)).body.output).toBe("'/boom'");
    expect((await consoleCmd(f, 'let n = 41', frame, page, cookie)).body.error).toBe(false);
    expect((await consoleCmd(f, 'n + 1', frame, page, cookie)).body.output).toBe('42');
    const err = await consoleCmd(f, 'nope.x', frame, page, cookie);
    expect(err.body).toEqual({ output: 'ReferenceError: nope is not defined', error: true });
    // the secret of the page is required too
    const bad = await consoleCmd(f, '1', frame, { ...page, secret: 'x' }, cookie);
    expect(bad.status).toBe(403);
  });

  it('prints the PIN again on request (with the page secret only)', async () => {
    const page = pageSecret((await get(f, '/boom')).text);
    const before = f.stderr().split(' * Debugger pin code:').length;
    expect((await get(f, '/__phial_debugger__/printpin?s=wrong')).status).toBe(404);
    expect((await get(f, `/__phial_debugger__/printpin?s=${page.secret}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(f.stderr().split(' * Debugger pin code:').length).toBe(before + 1);
  });

  it('exhausts the PIN after 10 failures until restart', async () => {
    const ok = await pinauth(f, f.pin as string);
    const cookie = (ok.setCookie as string).split(';')[0] as string;
    const results: boolean[] = [];
    for (let i = 0; i < 10; i++) results.push((await pinauth(f, '1')).body.exhausted);
    expect(results.slice(0, 9).every((x) => x === false)).toBe(true);
    expect(results[9]).toBe(true);
    // even the right PIN and a valid cookie are refused now
    expect((await pinauth(f, f.pin as string)).body).toEqual({ auth: false, exhausted: true });
    const html = (await get(f, '/boom')).text;
    const r = await consoleCmd(f, '1 + 1', frameIdOf(html, 'boom'), pageSecret(html), cookie);
    expect(r.status).toBe(403);
  });
});

describe('debugger trusted hosts (DNS rebinding)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ FIXTURE_TRUSTED: 'dev.example,.team.example' });
  });
  afterAll(() => f?.stop());

  it('refuses PIN and console requests whose Host is not trusted', async () => {
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'xn--localhost',
      'evil.example:5000',
      '127.0.0.2.evil.example',
    ]) {
      const r = await withHost(f, `/__phial_debugger__/pinauth?pin=${f.pin}`, host);
      expect(r.status, host).toBe(400);
      expect(r.text).not.toContain('"auth"');
    }
  });

  it('trusts loopback names, *.localhost and TRUSTED_HOSTS', async () => {
    for (const host of [
      `127.0.0.1:${f.port}`,
      'localhost',
      `app.localhost:${f.port}`,
      '[::1]:5000',
      'dev.example',
      'a.team.example',
    ]) {
      const r = await withHost(f, '/__phial_debugger__/pinauth?pin=1', host);
      expect(r.status, host).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ auth: false, exhausted: false });
    }
  });
});

describe('debug mode off', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ FIXTURE_DEBUG: '0' });
  });
  afterAll(() => f?.stop());

  it('sends no frame, source or local, and has no debugger resources', async () => {
    for (const accept of ['text/html', '*/*']) {
      const r = await get(f, '/boom', { accept });
      expect(r.status).toBe(500);
      expect(r.text).not.toMatch(/app\.ts|secretValue|xyz-local|throw new Error|Traceback|at boom/);
    }
    for (const p of ['debugger.js', 'style.css', `pinauth?pin=${f.pin}`, 'console']) {
      expect((await get(f, `/__phial_debugger__/${p}`)).status).toBe(404);
    }
    expect(f.stderr()).not.toContain('Debugger');
  });
});
