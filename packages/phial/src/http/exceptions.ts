/**
 * HTTP errors as exceptions (Werkzeug's `werkzeug.exceptions`): throw one anywhere in a request and it
 * renders its own response, unless an error handler takes it.
 */
import { STATUS_CODES } from 'node:http';
import { Response } from './response.js';
import { escapeHtml, safeLocation } from './security.js';

/** Base class of every HTTP error. `code` and `description` are set per subclass. */
export class HTTPException extends Error {
  /** The status code of this class (undefined only on the base class). */
  static code: number | undefined = undefined;
  /** Werkzeug's default description of this class. */
  static description = '';
  /** Status code of this error. */
  code: number;
  /** Human readable text shown in the HTML body (plain text, escaped when rendered). */
  description: string;
  /** Extra response headers (e.g. `Allow`, `WWW-Authenticate`, `Retry-After`). */
  headers?: Record<string, string>;
  /** A ready response carried by `abort(response)`; returned as is by `getResponse()`. */
  response?: Response;

  constructor(description?: string | null, response?: Response) {
    super();
    const ctor = this.constructor as typeof HTTPException;
    this.code = ctor.code ?? 500;
    this.description = description ?? ctor.description;
    if (response) this.response = response;
    this.message = `${this.code} ${this.name}: ${this.description}`;
  }

  /** The reason phrase ('Not Found'), as Werkzeug's `name`. */
  override get name(): string {
    return reasonOf(this.code);
  }
  override set name(_: string) {
    // Error's constructor may assign `name`; the reason phrase stays derived from the code.
  }

  /** The description as an HTML paragraph. */
  getDescription(): string {
    return `<p>${escapeHtml(this.description).replace(/\n/g, '<br>')}</p>`;
  }

  /** A short HTML page like Werkzeug's. */
  getBody(): string {
    return `<!doctype html>\n<html lang=en>\n<title>${this.code} ${escapeHtml(this.name)}</title>\n<h1>${escapeHtml(this.name)}</h1>\n${this.getDescription()}\n`;
  }

  /** Headers of the rendered response (Content-Type plus `headers`). */
  getHeaders(): Record<string, string> {
    return this.headers ? { ...this.headers } : {};
  }

  /** The response for this error: the carried one, or `text/html; charset=utf-8` with code and headers. */
  getResponse(): Response {
    if (this.response) return this.response;
    const res = new Response(this.getBody(), { status: this.code, contentType: 'text/html; charset=utf-8' });
    const h = this.headers;
    if (h) for (const k in h) res.headers.set(k, h[k] as string);
    return res;
  }

  override toString(): string {
    return `${this.code} ${this.name}: ${this.description}`;
  }
}

/** Werkzeug's `HTTP_STATUS_CODES`: the reason phrase of every registered status code. */
const REASONS: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  306: 'Switch Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  449: 'Retry With',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Failed',
};

/** Werkzeug's reason phrase, else Node's (`http.STATUS_CODES`), else Werkzeug's 'Unknown Error'. */
function reasonOf(code: number): string {
  return REASONS[code] ?? STATUS_CODES[code] ?? 'Unknown Error';
}

/** 400: the request could not be understood. */
export class BadRequest extends HTTPException {
  static override code = 400;
  static override description =
    'The browser (or proxy) sent a request that this server could not understand.';
}

/** 400 raised when the client went away while the body was being read. */
export class ClientDisconnected extends BadRequest {}

/** 400 raised when a request breaks a security rule (e.g. an unsafe path). */
export class SecurityError extends BadRequest {}

/** 400 raised when the Host header is not trusted. */
export class BadHost extends BadRequest {}

/** 400 raised when a key is missing from `req.form` / `req.args` (Werkzeug's BadRequestKeyError). */
export class BadRequestKeyError extends BadRequest {
  /** The missing key. */
  key?: string;
  constructor(key?: string, description?: string | null) {
    super(description);
    if (key !== undefined) this.key = key;
  }
}

/** 401: credentials required. `wwwAuthenticate` becomes `WWW-Authenticate` headers. */
export class Unauthorized extends HTTPException {
  static override code = 401;
  static override description =
    "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.";
  constructor(description?: string | null, response?: Response, wwwAuthenticate?: string | string[]) {
    super(description, response);
    if (wwwAuthenticate) {
      const v = Array.isArray(wwwAuthenticate) ? wwwAuthenticate.join(', ') : wwwAuthenticate;
      this.headers = { ...this.headers, 'WWW-Authenticate': v };
    }
  }
}

/** 403: not allowed. */
export class Forbidden extends HTTPException {
  static override code = 403;
  static override description =
    "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
}

/** 404: no such URL. */
export class NotFound extends HTTPException {
  static override code = 404;
  static override description =
    'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
}

/** 405: the URL exists but not for this method; sets `Allow`. */
export class MethodNotAllowed extends HTTPException {
  static override code = 405;
  static override description = 'The method is not allowed for the requested URL.';
  /** Methods the URL accepts. */
  validMethods: string[];
  constructor(validMethods?: string[] | null, description?: string | null, response?: Response) {
    super(description, response);
    this.validMethods = validMethods ? [...validMethods] : [];
    if (this.validMethods.length) this.headers = { ...this.headers, Allow: this.validMethods.join(', ') };
  }
}

/** 406: no acceptable representation. */
export class NotAcceptable extends HTTPException {
  static override code = 406;
  static override description =
    'The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.';
}

/** 408: the client was too slow. */
export class RequestTimeout extends HTTPException {
  static override code = 408;
  static override description =
    "The server closed the network connection because the browser didn't finish the request within the specified time.";
}

/** 409: conflicting state. */
export class Conflict extends HTTPException {
  static override code = 409;
  static override description =
    'A conflict happened while processing the request. The resource might have been modified while the request was being processed.';
}

/** 410: gone for good. */
export class Gone extends HTTPException {
  static override code = 410;
  static override description =
    'The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page.';
}

/** 411: a Content-Length is needed. */
export class LengthRequired extends HTTPException {
  static override code = 411;
  static override description = 'A request with this method requires a valid Content-Length header.';
}

/** 412: a precondition header did not hold. */
export class PreconditionFailed extends HTTPException {
  static override code = 412;
  static override description = 'The precondition on the request for the URL failed positive evaluation.';
}

/** 413: the body is larger than `MAX_CONTENT_LENGTH` (or a form limit). */
export class RequestEntityTooLarge extends HTTPException {
  static override code = 413;
  static override description = 'The data value transmitted exceeds the capacity limit.';
}

/** 414: the URL is too long. */
export class RequestURITooLarge extends HTTPException {
  static override code = 414;
  static override description =
    'The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed.';
}

/** 415: the body's media type is not supported (e.g. `req.json` without a JSON content type). */
export class UnsupportedMediaType extends HTTPException {
  static override code = 415;
  static override description = 'The server does not support the media type transmitted in the request.';
}

/** 416: the requested range cannot be served; `length` sets `Content-Range: <units> * /length`. */
export class RangeNotSatisfiable extends HTTPException {
  static override code = 416;
  static override description = 'The server cannot provide the requested range.';
  /** Length of the resource, if known. */
  length?: number;
  /** Range unit (bytes). */
  units: string;
  constructor(length?: number | null, units = 'bytes', description?: string | null, response?: Response) {
    super(description, response);
    this.units = units;
    if (length !== undefined && length !== null) {
      this.length = length;
      this.headers = { ...this.headers, 'Content-Range': `${units} */${length}` };
    }
  }
}

/** Werkzeug's older name of `RangeNotSatisfiable`. */
export const RequestedRangeNotSatisfiable = RangeNotSatisfiable;
/** Werkzeug's older name of `RangeNotSatisfiable`. */
export type RequestedRangeNotSatisfiable = RangeNotSatisfiable;

/** 417: the Expect header cannot be met. */
export class ExpectationFailed extends HTTPException {
  static override code = 417;
  static override description = 'The server could not meet the requirements of the Expect header';
}

/** 418: the server is a teapot. */
export class ImATeapot extends HTTPException {
  static override code = 418;
  static override description = 'This server is a teapot, not a coffee machine';
}

/** 421: sent to a server that cannot answer for this host. */
export class MisdirectedRequest extends HTTPException {
  static override code = 421;
  static override description = 'The server is not able to produce a response.';
}

/** 422: well-formed but semantically wrong. */
export class UnprocessableEntity extends HTTPException {
  static override code = 422;
  static override description =
    'The request was well-formed but was unable to be followed due to semantic errors.';
}

/** 423: the resource is locked. */
export class Locked extends HTTPException {
  static override code = 423;
  static override description = 'The resource that is being accessed is locked.';
}

/** 424: a required action failed. */
export class FailedDependency extends HTTPException {
  static override code = 424;
  static override description =
    'The method could not be performed on the resource because the requested action depended on another action and that action failed.';
}

/** 428: the request must be conditional. */
export class PreconditionRequired extends HTTPException {
  static override code = 428;
  static override description =
    'This request is required to be conditional; try using "If-Match" or "If-Unmodified-Since".';
}

/** Base of errors carrying a `Retry-After` (seconds or a date). */
abstract class RetryAfterException extends HTTPException {
  /** When to retry: seconds, or a date. */
  retryAfter?: number | Date;
  constructor(description?: string | null, response?: Response, retryAfter?: number | Date | null) {
    super(description, response);
    if (retryAfter !== undefined && retryAfter !== null) {
      this.retryAfter = retryAfter;
      const v = typeof retryAfter === 'number' ? String(Math.trunc(retryAfter)) : retryAfter.toUTCString();
      this.headers = { ...this.headers, 'Retry-After': v };
    }
  }
}

/** 429: rate limited; may carry `Retry-After`. */
export class TooManyRequests extends RetryAfterException {
  static override code = 429;
  static override description = 'This user has exceeded an allotted request count. Try again later.';
}

/** 431: headers too large. */
export class RequestHeaderFieldsTooLarge extends HTTPException {
  static override code = 431;
  static override description = 'One or more header fields exceeds the maximum size.';
}

/** 451: unavailable for legal reasons. */
export class UnavailableForLegalReasons extends HTTPException {
  static override code = 451;
  static override description = 'Unavailable for legal reasons.';
}

/** 500: an unhandled error. `originalException` holds what was thrown. */
export class InternalServerError extends HTTPException {
  static override code = 500;
  static override description =
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.';
  /** The error that caused this 500, when there was one. */
  originalException?: unknown;
  constructor(description?: string | null, response?: Response, originalException?: unknown) {
    super(description, response);
    if (originalException !== undefined) this.originalException = originalException;
  }
}

/** 501: not implemented. */
export class NotImplemented extends HTTPException {
  static override code = 501;
  static override description = 'The server does not support the action requested by the browser.';
}

/** 502: upstream answered badly. */
export class BadGateway extends HTTPException {
  static override code = 502;
  static override description = 'The proxy server received an invalid response from an upstream server.';
}

/** 503: temporarily unavailable; may carry `Retry-After`. */
export class ServiceUnavailable extends RetryAfterException {
  static override code = 503;
  static override description =
    'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.';
}

/** 504: upstream timed out. */
export class GatewayTimeout extends HTTPException {
  static override code = 504;
  static override description = 'The connection to an upstream server timed out.';
}

/** 505: HTTP version not supported. */
export class HTTPVersionNotSupported extends HTTPException {
  static override code = 505;
  static override description = 'The server does not support the HTTP protocol version used in the request.';
}

/** 308 raised by routing (strict slashes, merged slashes, `redirectTo`); its response has `Location`. */
export class RequestRedirect extends HTTPException {
  static override code = 308;
  /** Where the client should go (absolute or path URL). */
  newUrl: string;
  constructor(newUrl: string, code = 308) {
    super(`Redirecting to ${newUrl}`);
    this.newUrl = newUrl;
    this.code = code;
  }
  override getResponse(): Response {
    if (this.response) return this.response;
    const loc = safeLocation(this.newUrl);
    const body = `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${escapeHtml(loc)}">${escapeHtml(this.newUrl)}</a>. If not, click the link.\n`;
    const res = new Response(body, { status: this.code, contentType: 'text/html; charset=utf-8' });
    res.headers.set('Location', loc);
    return res;
  }
}

/** True for any HTTPException (also from another copy of this module, judged by shape). */
export function isHTTPException(e: unknown): e is HTTPException {
  return (
    e instanceof HTTPException ||
    (e instanceof Error &&
      typeof (e as Partial<HTTPException>).code === 'number' &&
      typeof (e as Partial<HTTPException>).getResponse === 'function')
  );
}

const BY_CODE = new Map<number, typeof HTTPException>();
for (const cls of [
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  MethodNotAllowed,
  NotAcceptable,
  RequestTimeout,
  Conflict,
  Gone,
  LengthRequired,
  PreconditionFailed,
  RequestEntityTooLarge,
  RequestURITooLarge,
  UnsupportedMediaType,
  RangeNotSatisfiable,
  ExpectationFailed,
  ImATeapot,
  MisdirectedRequest,
  UnprocessableEntity,
  Locked,
  FailedDependency,
  PreconditionRequired,
  TooManyRequests,
  RequestHeaderFieldsTooLarge,
  UnavailableForLegalReasons,
  InternalServerError,
  NotImplemented,
  BadGateway,
  ServiceUnavailable,
  GatewayTimeout,
  HTTPVersionNotSupported,
] as (typeof HTTPException)[]) {
  BY_CODE.set(cls.code as number, cls);
}

/** The exception class for an error status code (`404` → NotFound), or undefined. */
export function exceptionForCode(code: number): typeof HTTPException | undefined {
  return BY_CODE.get(code);
}

/** Every registered error code → class (Werkzeug's `default_exceptions`). */
export const defaultExceptions: ReadonlyMap<number, typeof HTTPException> = BY_CODE;
