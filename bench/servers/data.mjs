/**
 * Data and constants shared by every benchmark server, so each one answers with the same bytes.
 * Plain JavaScript (no build step): the servers run with `node` directly.
 */

/** Content types every server sends; chosen so that every framework can produce them with its own idiom. */
export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

/** Number of `/api/v1/resource<N>/<int:id>` routes each server registers. */
export const RESOURCE_COUNT = 100;

/** TechEmpower's fortunes table (https://github.com/TechEmpower/FrameworkBenchmarks, "Fortunes" test). */
export const FORTUNES = Object.freeze([
  { id: 1, message: 'fortune: No such file or directory' },
  { id: 2, message: "A computer scientist is someone who fixes things that aren't broken." },
  { id: 3, message: 'After enough decimal places, nobody gives a damn.' },
  { id: 4, message: 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1' },
  { id: 5, message: 'A computer program does what you tell it to do, not what you want it to do.' },
  { id: 6, message: 'Emacs is a nice operating system, but I prefer UNIX. \u2014 Tom Christaensen' },
  { id: 7, message: 'Any program that runs right is obsolete.' },
  { id: 8, message: 'A list is only as strong as its weakest link. \u2014 Donald Knuth' },
  { id: 9, message: 'Feature: A bug with seniority.' },
  { id: 10, message: 'Computers make very fast, very accurate mistakes.' },
  { id: 11, message: '<script>alert("This should not be displayed in a browser alert box.");</script>' },
  { id: 12, message: '\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af\u306e\u30d9\u30f3\u30c1\u30de\u30fc\u30af' },
]);

/** The fortune TechEmpower's rules add at request time. */
export const EXTRA_FORTUNE = 'Additional fortune added at request time.';

function byMessage(a, b) {
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** A fresh, sorted list for one request: the 12 stored fortunes plus the request-time one (TechEmpower rules). */
export function fortunesForRequest() {
  const list = FORTUNES.slice();
  list.push({ id: 0, message: EXTRA_FORTUNE });
  list.sort(byMessage);
  return list;
}

/** Port from argv[2], else $PORT, else 3000. */
export function portFromArgs() {
  const raw = process.argv[2] ?? process.env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bad port: ${raw}`);
    process.exit(2);
  }
  return port;
}

/** Where the fortunes templates live (shared by the Phial, Fastify and Express servers). */
export const TEMPLATES_DIR = new URL('./templates/', import.meta.url).pathname;
