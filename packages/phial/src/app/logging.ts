/** `app.logger`: Flask's default logger shape, written to stderr. Replace it with any object of this shape. */
import { inspect } from 'node:util';

/** What Phial calls on `app.logger`, as `console` is called (`error(message, err)`); pino needs an adapter (docs/quickstart.md). */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

const PLACEHOLDER = /%([sdifrjoO%])/g;

/** One `%` placeholder's text for `value`, as Python's logging (`%s %d %r`) and node's console (`%i %f %j %o`) write it. */
function substitute(kind: string, value: unknown): string {
  switch (kind) {
    case 's':
      return typeof value === 'string' ? value : value instanceof Error ? value.message : String(value);
    case 'd':
    case 'i':
      return typeof value === 'bigint' ? String(value) : String(Math.trunc(Number(value)));
    case 'f':
      return String(Number(value));
    case 'j':
      try {
        return JSON.stringify(value) ?? 'undefined';
      } catch {
        return '[Circular]';
      }
    default:
      return inspect(value);
  }
}

/** Python's chained traceback, causes first: an error wrapped with `{ cause }` keeps the error that caused it. */
function errorText(err: Error): string {
  const chain: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e !== undefined && e !== null && !seen.has(e) && chain.length < 10) {
    seen.add(e);
    chain.unshift(e instanceof Error ? (e.stack ?? String(e)) : inspect(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return chain.join('\n\nThe above exception was the direct cause of the following exception:\n\n');
}

/**
 * The message: a first string with more arguments is a format, as in Python's `logger.error('Bad %s', x)`
 * and node's `console.error('Bad %s', x)`; arguments left over follow on their own lines (an Error with
 * its stack).
 */
function format(args: unknown[]): string {
  let rest = args;
  let head: string | null = null;
  if (args.length > 1 && typeof args[0] === 'string' && args[0].includes('%')) {
    let i = 1;
    head = args[0].replace(PLACEHOLDER, (whole, kind: string) => {
      if (kind === '%') return '%';
      if (i >= args.length) return whole;
      return substitute(kind, args[i++]);
    });
    rest = args.slice(i);
  }
  const lines = rest.map((a) => (typeof a === 'string' ? a : a instanceof Error ? errorText(a) : inspect(a)));
  if (head !== null) lines.unshift(head);
  return lines.join('\n');
}

/**
 * Flask's default handler format: `[2026-11-24 06:40:00,123] ERROR in app: message`. Debug messages
 * are written only while `isDebug()` is true.
 */
export function createDefaultLogger(
  name: string,
  isDebug: () => boolean,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const log = (level: string, args: unknown[]) =>
    write(`[${stamp(new Date())}] ${level} in ${name}: ${format(args)}\n`);
  return {
    debug: (...args) => {
      if (isDebug()) log('DEBUG', args);
    },
    info: (...args) => log('INFO', args),
    warn: (...args) => log('WARNING', args),
    error: (...args) => log('ERROR', args),
  };
}
