/**
 * A database that cannot be reached is the server's problem, not the client's: a 503 (and the pool
 * reconnects once the server is back), never a 500 with a stack trace.
 */
import { ServiceUnavailable } from 'phial';

/** The database could not be reached (503). */
export class DatabaseUnavailable extends ServiceUnavailable {
  constructor(
    description = 'The database is unavailable. Please try again shortly.',
    options?: ErrorOptions,
  ) {
    super(description);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

// node's socket errors, and PostgreSQL's connection-exception (08xxx) and operator-intervention (57Pxx) codes
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** True for errors that mean "the server is not there" rather than "the query is wrong". */
export function isConnectionError(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (CONNECTION_MESSAGES.test(err.message)) return true;
    if (err instanceof AggregateError && err.errors.some((x) => isConnectionError(x))) return true;
  }
  return false;
}
