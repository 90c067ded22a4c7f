/**
 * The console of one frame: JavaScript evaluated in a `vm` context whose globals are the frame's captured
 * locals plus `app`, `request` and `error`. The context lives as long as the traceback is kept, so
 * `let x = ...` in one command is there in the next (top-level declarations persist, as in the REPL).
 * This runs any code: it is reachable only behind the PIN, from trusted hosts, in debug mode.
 */
import { inspect } from 'node:util';
import { type Context, createContext, runInContext } from 'node:vm';
import { BaseRequest } from '../http/request.js';
import { Response } from '../http/response.js';

/** Most characters of one result sent back. */
const MAX_OUTPUT = 20_000;

/**
 * Werkzeug's short forms for the objects every frame has: `<Request 'http://x/y' [GET]>`,
 * `<Response 17 bytes [200 OK]>` (their full inspection is dozens of lines of sockets and headers).
 */
function shortForm(value: unknown): string | null {
  try {
    if (value instanceof BaseRequest) return `<Request '${value.url}' [${value.method}]>`;
    if (value instanceof Response) {
      const size = value.isStreamed ? 'streamed' : `${value.data.byteLength} bytes`;
      return `<Response ${size} [${value.status} ${value.statusText.toUpperCase()}]>`;
    }
  } catch {
    // a half-made object: inspect it as it is
  }
  return null;
}

/** A value shown on the page: bounded depth, lengths and size, no user getters or custom inspectors run. */
export function repr(value: unknown, depth = 2, max = 2000): string {
  const short = shortForm(value);
  if (short !== null) return short;
  let text: string;
  try {
    text = inspect(value, {
      depth,
      maxArrayLength: 20,
      maxStringLength: 500,
      breakLength: 100,
      customInspect: false,
      getters: false,
      showProxy: true,
    });
  } catch (e) {
    text = `<unprintable: ${e instanceof Error ? e.message : String(e)}>`;
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One frame's console. */
export class FrameConsole {
  private readonly context: Context;

  constructor(globals: Record<string, unknown>) {
    const sandbox: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(globals)) sandbox[k] = v;
    // the console's own `console.log` writes into the command's output
    this.context = createContext(sandbox, { name: 'phial debugger console' });
  }

  /** Runs `code`; resolves to the text to show (the value's repr, printed lines, or the error). */
  async eval(code: string): Promise<{ output: string; error: boolean }> {
    const printed: string[] = [];
    const log = (...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === 'string' ? a : repr(a, 3, MAX_OUTPUT))).join(' '));
    };
    (this.context as Record<string, unknown>).console = { log, info: log, warn: log, error: log, debug: log };
    try {
      let value = runInContext(code, this.context, { filename: 'console', timeout: 5000 });
      if (
        value !== null &&
        typeof value === 'object' &&
        typeof (value as PromiseLike<unknown>).then === 'function'
      ) {
        value = await Promise.race([
          value as Promise<unknown>,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timed out after 5 s')), 5000).unref(),
          ),
        ]);
      }
      if (value !== undefined || printed.length === 0) printed.push(repr(value, 3, MAX_OUTPUT));
      return { output: printed.join('\n').slice(0, MAX_OUTPUT), error: false };
    } catch (e) {
      // errors from the context are of its realm: not `instanceof Error` here
      const o = e as { name?: unknown; message?: unknown } | null;
      const text =
        o !== null && typeof o === 'object' && typeof o.message === 'string'
          ? `${String(o.name ?? 'Error')}: ${o.message}`
          : `Uncaught ${repr(e)}`;
      printed.push(text);
      return { output: printed.join('\n').slice(0, MAX_OUTPUT), error: true };
    }
  }
}
