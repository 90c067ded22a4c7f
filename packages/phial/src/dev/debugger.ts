/**
 * The interactive debugger (Werkzeug's `DebuggedApplication`), installed on an app by the dev server in
 * debug mode. It wraps `app.wsgiApp` (the seam every adapter calls): an error that propagates out of a request (debug mode propagates
 * them) becomes the debugger's page, or a plain-text traceback for clients that do not accept HTML; the
 * resources under `/__phial_debugger__/` (script, style, `pinauth`, `console`, `printpin`) are answered
 * here. Without it (debug off, `--no-debugger`) none of this exists: `app.wsgiApp` is the app's own.
 */
import { randomBytes } from 'node:crypto';
import type { Phial } from '../app/phial.js';
import type { Request } from '../app/request.js';
import type { RawRequest } from '../http/request.js';
import { Response } from '../http/response.js';
import { DEBUGGER_JS, STYLE_CSS } from './assets.js';
import { FrameConsole } from './console.js';
import { debuggerHostTrusted } from './hosts.js';
import { type CaptureLimits, type LocalsCapture, startLocalsCapture } from './locals.js';
import { checkPinCookie, type PinInfo, pinCookieValue, pinFor, pinMatches } from './pin.js';
import { esc, PAGE_CSP, PREFIX, type RequestInfo, renderPage } from './render.js';
import {
  buildChain,
  clearSourceCache,
  type ExceptionInfo,
  type Frame,
  libraryPrefixes,
  plainText,
} from './traceback.js';

/** Options of {@link installDebugger}. */
export interface DebuggerOptions {
  /** Ask for the PIN before the console runs anything (default true; `PHIAL_DEBUGGER_PIN=off` disables it). */
  pinSecurity?: boolean;
  /** Capture locals with the V8 inspector (default true). */
  locals?: boolean | CaptureLimits;
  /** Wrong PINs before the console is locked until restart (Werkzeug: 10). */
  maxPinFailures?: number;
  /** Delay after a wrong PIN, ms: `[first five, later ones]` (Werkzeug: 0.5 s, then 5 s). */
  pinFailureDelay?: [number, number];
  /** Tracebacks kept for their consoles (oldest dropped first). */
  maxTracebacks?: number;
  /** Where the PIN and notices are printed (default stderr). */
  log?: (line: string) => void;
  /** Where the private secret of the PIN is kept (default `~/.config/phial/debugger-secret`). */
  secretFile?: string;
}

/** A debugger installed on an app. */
export interface DebuggerHandle {
  /** The PIN (null when PIN security is off). */
  readonly pin: string | null;
  /** The name of the PIN cookie. */
  readonly cookieName: string;
  /** True when locals are captured (the inspector was available). */
  readonly capturingLocals: boolean;
  /** Removes the debugger (dispatch is the app's own again; pausing on exceptions ends). */
  uninstall(): Promise<void>;
}

type Dispatch = Phial['wsgiApp'];

interface Kept {
  chain: ExceptionInfo[];
  request: Request | null;
  frames: Map<number, Frame>;
  consoles: Map<number, FrameConsole>;
}

const MAX_CONSOLE_BODY = 64 * 1024;

const installed = new WeakMap<Phial, DebuggerHandle>();

/** The debugger installed on `app`, if any. */
export function debuggerOf(app: Phial): DebuggerHandle | undefined {
  return installed.get(app);
}

function header(raw: RawRequest, name: string): string | undefined {
  const v = raw.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cookieValue(raw: RawRequest, name: string): string | undefined {
  const h = header(raw, 'cookie');
  if (!h) return undefined;
  for (const part of h.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  }
  return undefined;
}

function acceptsHtml(raw: RawRequest): boolean {
  const a = header(raw, 'accept');
  return a !== undefined && /text\/html|application\/xhtml\+xml/i.test(a);
}

async function readSmallBody(raw: RawRequest): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of raw) {
    size += chunk.byteLength;
    if (size > MAX_CONSOLE_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    mimetype: 'application/json',
    headers: { 'Cache-Control': 'no-store' },
  });
}

function requestInfo(req: Request): RequestInfo {
  const safe = <T>(fn: () => T): T | null => {
    try {
      return fn();
    } catch {
      return null;
    }
  };
  const headers: [string, string][] = [];
  for (const [k, v] of req.headers) headers.push([k, maskSecret(k, v)]);
  const form = safe(() => {
    if (!req.mimetype.includes('form')) return null;
    return [...req.form.items(true)].map(([k, v]) => [k, String(v)] as [string, string]);
  });
  const body = safe(() => (req.isJson ? JSON.stringify(req.json, null, 2) : null));
  return {
    method: req.method,
    url: req.url,
    headers,
    form,
    json: body === null ? null : body.length > 20_000 ? `${body.slice(0, 20_000)}…` : body,
  };
}

/**
 * A header as the page shows it: cookie values and credentials by their length only (a screenshot of the page
 * shared in a chat must not carry a session); the console still has them (`request.cookies`).
 */
export function maskSecret(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'cookie') {
    return value
      .split(';')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq === -1 ? part.trim() : `${part.slice(0, eq).trim()}=<${part.length - eq - 1} characters>`;
      })
      .join('; ');
  }
  if (n === 'authorization' || n === 'proxy-authorization') {
    const sp = value.indexOf(' ');
    return sp === -1
      ? `<${value.length} characters>`
      : `${value.slice(0, sp)} <${value.length - sp - 1} characters>`;
  }
  return value;
}

/**
 * Installs the debugger on `app`: prints the PIN, starts capturing locals, and answers errors with the
 * debugger's page. Resolves once locals capture is running (or known to be unavailable).
 */
export async function installDebugger(app: Phial, options: DebuggerOptions = {}): Promise<DebuggerHandle> {
  const existing = installed.get(app);
  if (existing) return existing;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const info: PinInfo =
    options.pinSecurity === false
      ? { ...pinFor(app.name, app.rootPath, options.secretFile), pin: null }
      : pinFor(app.name, app.rootPath, options.secretFile);
  const secret = randomBytes(16).toString('hex');
  const maxFailures = options.maxPinFailures ?? 10;
  const [shortDelay, longDelay] = options.pinFailureDelay ?? [500, 5000];
  const maxKept = options.maxTracebacks ?? 20;
  const kept = new Map<number, Kept>();
  let failures = 0;
  let nextTraceback = 1;

  // Node maps stacks of modules loaded from now on (source maps of the app's later imports, templates)
  if (!process.sourceMapsEnabled) process.setSourceMapsEnabled(true);
  let capture: LocalsCapture | null = null;
  // under --inspect a developer's debugger may pause too: resuming every pause would break its breakpoints
  const inspecting = (await import('node:inspector')).url() !== undefined;
  if (inspecting && options.locals !== false) log(' * Locals are not captured while --inspect is on.');
  if (options.locals !== false && !inspecting) {
    capture = await startLocalsCapture(
      libraryPrefixes(),
      typeof options.locals === 'object' ? options.locals : {},
    );
  }

  log(' * Debugger is active!');
  if (info.pin === null) log(' * Debugger PIN disabled. DEBUGGER UNSECURED!');
  else log(` * Debugger PIN: ${info.pin}`);
  if (capture === null && options.locals !== false)
    log(' * Locals are not captured (no inspector available).');

  const original = app.wsgiApp;
  const hostTrusted = (raw: RawRequest) => debuggerHostTrusted(header(raw, 'host'), app.config.TRUSTED_HOSTS);
  const pinTrust = (raw: RawRequest): boolean | null => {
    if (info.pin === null) return true;
    if (failures >= maxFailures) return false;
    return checkPinCookie(info, cookieValue(raw, info.cookieName));
  };
  const failPin = async () => {
    const count = failures++;
    const ms = count > 5 ? longDelay : shortDelay;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  };

  const remember = (chain: ExceptionInfo[], request: Request | null): number => {
    const id = nextTraceback++;
    const frames = new Map<number, Frame>();
    for (const ex of chain) for (const f of ex.frames) frames.set(f.id, f);
    kept.set(id, { chain, request, frames, consoles: new Map() });
    while (kept.size > maxKept) kept.delete(kept.keys().next().value as number);
    return id;
  };

  const renderError = (e: unknown, req: Request | null, raw: RawRequest): Response => {
    // an HTTP error reaches here only when trapped (TRAP_HTTP_EXCEPTIONS, or BadRequestKeyError in debug
    // mode): as with Flask under Werkzeug's debugger, its traceback is shown
    clearSourceCache();
    const chain = buildChain(e);
    const text = plainText(chain);
    log(text.trimEnd());
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (!acceptsHtml(raw)) {
      return new Response(text, { status: 500, mimetype: 'text/plain', headers });
    }
    const evalex = hostTrusted(raw);
    const id = evalex ? remember(chain, req) : 0;
    const html = renderPage({
      chain,
      request: evalex && req !== null ? requestInfo(req) : null,
      tracebackId: id,
      secret,
      evalex,
      unlocked: evalex && pinTrust(raw) === true,
      appName: app.name,
    });
    return new Response(html, {
      status: 500,
      mimetype: 'text/html',
      headers: { ...headers, 'Content-Security-Policy': PAGE_CSP },
    });
  };

  const pinAuth = async (raw: RawRequest, query: URLSearchParams): Promise<Response> => {
    let auth = false;
    let exhausted = false;
    let badCookie = false;
    const trust = pinTrust(raw);
    if (trust === null) {
      await failPin();
      badCookie = true;
    } else if (trust) {
      auth = true;
    } else if (failures >= maxFailures) {
      exhausted = true;
    } else if (pinMatches(info, query.get('pin') ?? '')) {
      failures = 0;
      auth = true;
    } else {
      await failPin();
      exhausted = failures >= maxFailures;
    }
    const res = json({ auth, exhausted });
    if (auth && info.pin !== null) {
      res.setCookie(info.cookieName, pinCookieValue(info), {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: header(raw, 'x-forwarded-proto') === 'https' || Boolean(raw.socket?.encrypted),
      });
    } else if (badCookie) {
      res.deleteCookie(info.cookieName);
    }
    return res;
  };

  const runConsole = async (raw: RawRequest): Promise<Response> => {
    if (trustOrLocked(raw) !== true)
      return json({ output: 'The console is locked: enter the PIN.', error: true, locked: true }, 403);
    const text = await readSmallBody(raw);
    if (text === null) return json({ output: 'Command too large.', error: true }, 413);
    const form = new URLSearchParams(text);
    if (form.get('s') !== secret) return json({ output: 'Bad secret.', error: true }, 403);
    // frame ids are unique in the process: `tb` only narrows the search
    const frameId = Number(form.get('frame'));
    let tb = form.has('tb') ? kept.get(Number(form.get('tb'))) : undefined;
    if (tb === undefined) for (const k of kept.values()) if (k.frames.has(frameId)) tb = k;
    const frame = tb?.frames.get(frameId);
    if (tb === undefined || frame === undefined) {
      return json(
        { output: 'This traceback is no longer available (reload the failing page).', error: true },
        404,
      );
    }
    let con = tb.consoles.get(frameId);
    if (con === undefined) {
      const last = tb.chain[tb.chain.length - 1] as ExceptionInfo;
      con = new FrameConsole({ ...(frame.locals ?? {}), app, request: tb.request, error: last.value });
      tb.consoles.set(frameId, con);
    }
    const result = await con.eval(form.get('cmd') ?? '');
    return json(result);
  };
  const trustOrLocked = (raw: RawRequest) => pinTrust(raw);

  const resource = async (raw: RawRequest, path: string, query: URLSearchParams): Promise<Response> => {
    const name = path.slice(PREFIX.length);
    const method = (raw.method ?? 'GET').toUpperCase();
    if (name === 'debugger.js' || name === 'style.css') {
      return new Response(name === 'style.css' ? STYLE_CSS : DEBUGGER_JS, {
        mimetype: name === 'style.css' ? 'text/css' : 'text/javascript',
        headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
      });
    }
    if (!hostTrusted(raw)) {
      return new Response(`Untrusted host: the debugger answers only localhost and TRUSTED_HOSTS.\n`, {
        status: 400,
        mimetype: 'text/plain',
      });
    }
    if (name === 'pinauth' && (method === 'GET' || method === 'HEAD')) return pinAuth(raw, query);
    if (name === 'console' && method === 'POST') return runConsole(raw);
    if (name === 'printpin' && query.get('s') === secret) {
      if (info.pin !== null) {
        log(' * To enable the debugger you need to enter the security pin:');
        log(` * Debugger pin code: ${info.pin}`);
      }
      return new Response('');
    }
    return new Response(
      `<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>${esc(name)} is not a debugger resource.</p>\n`,
      {
        status: 404,
        mimetype: 'text/html',
      },
    );
  };

  const wrapped = function debuggedApp(
    raw: RawRequest,
    setup?: Parameters<Dispatch>[1],
    data?: unknown,
  ): ReturnType<Dispatch> {
    const url = raw.url ?? '/';
    if (url.startsWith(PREFIX)) {
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      return resource(raw, path, new URLSearchParams(q === -1 ? '' : url.slice(q + 1))).catch(
        (e: unknown) =>
          new Response(`Debugger error: ${e instanceof Error ? e.message : String(e)}\n`, {
            status: 500,
            mimetype: 'text/plain',
          }),
      );
    }
    let req: Request | null = null;
    const capturingSetup = (r: Request, d: unknown) => {
      req = r;
      if (setup) (setup as (r: Request, d: unknown) => void)(r, d);
    };
    let out: ReturnType<Dispatch>;
    try {
      out = original(raw, capturingSetup as Parameters<Dispatch>[1], data);
    } catch (e) {
      return renderError(e, req, raw);
    }
    if (out instanceof Response) return out;
    return Promise.resolve(out).then(undefined, (e: unknown) => renderError(e, req, raw));
  } as Dispatch;

  app.wsgiApp = wrapped;

  const handle: DebuggerHandle = {
    pin: info.pin,
    cookieName: info.cookieName,
    capturingLocals: capture !== null,
    uninstall: async () => {
      if (installed.get(app) !== handle) return;
      installed.delete(app);
      if (app.wsgiApp === wrapped) app.wsgiApp = original;
      kept.clear();
      await capture?.stop();
    },
  };
  installed.set(app, handle);
  return handle;
}
