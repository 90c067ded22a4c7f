/** `app.logger`: Flask's default logger shape, written to stderr. Replace it with any object of this shape. */
import { inspect } from 'node:util';

/** What Phial calls on `app.logger`. pino, winston and `console` fit. */
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

function format(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? String(a)) : inspect(a)))
    .join('\n');
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
