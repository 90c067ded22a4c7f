/**
 * Request IDs: one token per request that the app's log lines and the access log share, so one request can be
 * followed through the logs and across services. The ID a proxy or load balancer put in front (nginx's
 * `$request_id`, Heroku's router, an upstream service) is kept when it is a plain token; otherwise one is made.
 */

/** Visible ASCII except `"` and `\` (safe in a log line and in JSON), at most 200 characters. */
const TOKEN = /^[!#-[\]-~]{1,200}$/;

/** The part of a raw request an ID is read from and kept on. */
export interface RequestIdSource {
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The ID, once chosen (every reader after the first gets the same one). */
  requestId?: string | undefined;
}

/**
 * The request's ID: the value of `header` when it is a plain token (a header sent twice is not), else a new
 * random UUID; chosen once and kept on `raw`.
 */
export function requestIdOf(raw: RequestIdSource, header: string | null): string {
  const known = raw.requestId;
  if (known !== undefined) return known;
  const sent = header === null || header === '' ? undefined : raw.headers[header.toLowerCase()];
  const id = typeof sent === 'string' && TOKEN.test(sent) ? sent : globalThis.crypto.randomUUID();
  raw.requestId = id;
  return id;
}
