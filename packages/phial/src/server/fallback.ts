/** The one answer every adapter gives when an error escaped the app (propagated in testing/debug, or a bug). */
import type { Phial } from '../app/phial.js';
import { isHTTPException } from '../http/exceptions.js';
import { Response } from '../http/response.js';

/** A minimal response for an error that escaped the app (propagated in testing/debug, or a bug). */
export function fallbackResponse(app: Phial, e: unknown): Response {
  if (isHTTPException(e)) return e.getResponse();
  const debug = app.debug;
  const body = debug
    ? `Internal Server Error\n\n${e instanceof Error ? (e.stack ?? String(e)) : String(e)}\n`
    : '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';
  return new Response(body, {
    status: 500,
    contentType: debug ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8',
  });
}
