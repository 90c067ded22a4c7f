/**
 * The debugger's pieces on their own: the PIN (stable, overridable, its cookie), the trusted-host rule,
 * source maps of an esbuild bundle run without `--enable-source-maps`, the traceback text, the console.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { FrameConsole, repr } from '../../src/dev/console.js';
import { maskSecret } from '../../src/dev/debugger.js';
import { debuggerHostTrusted, hostName } from '../../src/dev/hosts.js';
import {
  checkPinCookie,
  formatPin,
  PIN_TIME,
  pinCookieValue,
  pinFor,
  pinMatches,
} from '../../src/dev/pin.js';
import { buildChain, parseStack, plainText } from '../../src/dev/traceback.js';
import { Phial, Response, type RunOptions } from '../../src/index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'phial-dev-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const savedPin = process.env.PHIAL_DEBUGGER_PIN;
afterEach(() => {
  if (savedPin === undefined) delete process.env.PHIAL_DEBUGGER_PIN;
  else process.env.PHIAL_DEBUGGER_PIN = savedPin;
});

describe('PIN', () => {
  const secret = path.join(tmp, 'secret');

  it('is nine digits, stable for an app, different for another app or secret', () => {
    delete process.env.PHIAL_DEBUGGER_PIN;
    const a = pinFor('app', '/srv/app', secret);
    expect(a.pin).toMatch(/^\d{3}-\d{3}-\d{3}$/);
    expect(pinFor('app', '/srv/app', secret)).toEqual(a);
    expect(pinFor('other', '/srv/app', secret).pin).not.toBe(a.pin);
    expect(pinFor('app', '/srv/app', path.join(tmp, 'another-secret')).pin).not.toBe(a.pin);
    expect(a.cookieName).toMatch(/^__phd[0-9a-f]{20}$/);
  });

  it('can be set or turned off through PHIAL_DEBUGGER_PIN', () => {
    process.env.PHIAL_DEBUGGER_PIN = '987654321';
    expect(pinFor('app', '/x', secret).pin).toBe('987-654-321');
    process.env.PHIAL_DEBUGGER_PIN = '12-34';
    expect(pinFor('app', '/x', secret).pin).toBe('12-34');
    process.env.PHIAL_DEBUGGER_PIN = 'off';
    expect(pinFor('app', '/x', secret).pin).toBeNull();
    expect(formatPin('12345678')).toBe('1234-5678');
  });

  it('matches with or without dashes, and its cookie expires after a week', () => {
    delete process.env.PHIAL_DEBUGGER_PIN;
    const info = pinFor('app', '/srv/app', secret);
    const digits = (info.pin as string).replace(/-/g, '');
    expect(pinMatches(info, digits)).toBe(true);
    expect(pinMatches(info, ` ${info.pin} `)).toBe(true);
    expect(pinMatches(info, '000000000')).toBe(false);
    const now = Date.now();
    expect(checkPinCookie(info, pinCookieValue(info, now), now)).toBe(true);
    expect(checkPinCookie(info, pinCookieValue(info, now - (PIN_TIME + 10) * 1000), now)).toBe(false);
    expect(checkPinCookie(info, undefined)).toBe(false);
    expect(checkPinCookie(info, 'garbage')).toBe(false);
    // a cookie made for another PIN counts as a failure (null), as in Werkzeug
    const other = pinFor('other', '/srv/app', secret);
    expect(checkPinCookie(info, pinCookieValue(other, now), now)).toBeNull();
  });
});

describe('trusted hosts', () => {
  it('trusts loopback, localhost, *.localhost and TRUSTED_HOSTS only', () => {
    for (const h of [
      'localhost',
      'localhost:5000',
      'a.b.localhost',
      '127.0.0.1:80',
      '127.1.2.3',
      '[::1]:5000',
      'LOCALHOST.',
    ]) {
      expect(debuggerHostTrusted(h, null), h).toBe(true);
    }
    for (const h of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.evil',
      '0.0.0.0',
      '[::1',
      'localhost:abc',
      '10.0.0.1',
    ]) {
      expect(debuggerHostTrusted(h, null), String(h)).toBe(false);
    }
    expect(debuggerHostTrusted('dev.example:8000', ['dev.example'])).toBe(true);
    expect(debuggerHostTrusted('x.team.example', ['.team.example'])).toBe(true);
    expect(debuggerHostTrusted('team.example.evil', ['.team.example'])).toBe(false);
    expect(hostName('[::1]:80')).toBe('::1');
  });
});

describe('tracebacks of a bundle', () => {
  it('maps an esbuild bundle run without --enable-source-maps back to the TypeScript source', async () => {
    const src = path.join(tmp, 'lib.ts');
    writeFileSync(
      src,
      [
        'interface Order { id: number }',
        '',
        'export function check(order: Order): number {',
        '  const limit: number = 3;',
        '  if (order.id > limit) throw new RangeError("order " + order.id + " over the limit");',
        '  return order.id;',
        '}',
        '',
      ].join('\n'),
    );
    const entry = path.join(tmp, 'main.ts');
    writeFileSync(
      entry,
      "import { check } from './lib';\ntry { check({ id: 9 }); } catch (e) { process.stdout.write(String((e as Error).stack)); }\n",
    );
    const out = path.join(tmp, 'bundle.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: out,
      sourcemap: 'linked',
      minify: true,
      logLevel: 'silent',
    });
    const stack = execFileSync(process.execPath, [out], { encoding: 'utf8' });
    expect(stack).toContain('bundle.mjs:'); // the raw stack points into the bundle
    const frames = parseStack(stack);
    const top = frames[frames.length - 1];
    expect(top?.file).toBe(src);
    expect(top?.line).toBe(5);
    expect(top?.isApp).toBe(true);
    expect(top?.context?.lines.join('\n')).toContain('throw new RangeError');
  });

  it('writes Python-style text with the cause first', () => {
    const inner = new TypeError('inner <b>');
    const outer = new Error('outer', { cause: inner });
    const chain = buildChain(outer);
    expect(chain.map((e) => e.name)).toEqual(['TypeError', 'Error']);
    const text = plainText(chain);
    expect(text).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(text).toContain(
      'TypeError: inner <b>\n\nThe above exception was the direct cause of the following exception:\n\nTraceback',
    );
    expect(text.trimEnd().endsWith('Error: outer')).toBe(true);
    expect(text).toMatch(/File ".*units\.test\.ts", line \d+, in /);
  });
});

describe('console', () => {
  it('evaluates with the given globals, keeps declarations, and reports errors', async () => {
    const c = new FrameConsole({ order: { id: 3 }, items: [1, 2] });
    expect(await c.eval('order.id * 2')).toEqual({ output: '6', error: false });
    expect((await c.eval('const total = items.length')).error).toBe(false);
    expect(await c.eval('total + 1')).toEqual({ output: '3', error: false });
    expect(await c.eval('console.log("hi", { a: 1 })')).toEqual({ output: 'hi { a: 1 }', error: false });
    expect(await c.eval('await Promise.resolve(5)')).toMatchObject({ error: true });
    expect(await c.eval('Promise.resolve(5)')).toEqual({ output: '5', error: false });
    expect(await c.eval('throw new RangeError("no")')).toEqual({ output: 'RangeError: no', error: true });
    expect(await c.eval('(')).toMatchObject({ error: true });
    expect(await c.eval('while (true) {}')).toMatchObject({
      error: true,
      output: expect.stringMatching(/timed out/),
    });
  });

  it('shows values with bounded depth and size, without running getters', () => {
    let called = false;
    const o = {
      get g() {
        called = true;
        return 1;
      },
      deep: { a: { b: { c: { d: 1 } } } },
      long: 'x'.repeat(5000),
    };
    const text = repr(o);
    expect(called).toBe(false);
    expect(text).toContain('[Object]');
    expect(text.length).toBeLessThanOrEqual(2001);
  });

  it('shows cookie values and credentials by their length only', () => {
    expect(maskSecret('Cookie', 'session=abc.def; theme=dark')).toBe(
      'session=<7 characters>; theme=<4 characters>',
    );
    expect(maskSecret('authorization', 'Bearer s3cr3t-token')).toBe('Bearer <12 characters>');
    expect(maskSecret('Accept', 'text/html')).toBe('text/html');
  });

  it("shows Phial's request and response in Werkzeug's short form, not their sockets", async () => {
    const app = new Phial(import.meta.url, { staticFolder: null });
    let seen = '';
    app.get('/boom/<int:id>', (req) => {
      seen = repr(req);
      return 'x';
    });
    await app.testClient().get('/boom/2?q=1');
    expect(seen).toBe("<Request 'http://localhost/boom/2?q=1' [GET]>");
    expect(repr(new Response('hello', { status: 201 }))).toBe('<Response 5 bytes [201 CREATED]>');
  });
});

describe('loading', () => {
  it('imports src/dev only dynamically, from outside it (nothing of it loads unless debugging)', () => {
    const src = path.resolve(import.meta.dirname, '../../src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (full !== path.join(src, 'dev')) walk(full);
        } else if (e.name.endsWith('.ts')) {
          const text = readFileSync(full, 'utf8');
          if (/^\s*(?:import|export)\b[^;]*?from\s+['"][^'"]*\/dev\/[^'"]*['"]/m.test(text))
            offenders.push(full);
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
    expect(readFileSync(path.join(src, 'server/devserver.ts'), 'utf8')).toContain(
      "await import('../dev/debugger.js')",
    );
  });
});

describe('types', () => {
  it('RunOptions takes the debugger and reloader switches', () => {
    expectTypeOf<RunOptions['useDebugger']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RunOptions['useReloader']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RunOptions['loadDotenv']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RunOptions['extraFiles']>().toEqualTypeOf<string[] | undefined>();
  });
});
