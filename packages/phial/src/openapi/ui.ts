/**
 * The live documentation pages: Swagger UI and ReDoc, their files vendored under the package's `vendor/` (see
 * the README there for why), both served by the app itself: no CDN, no inline script (a strict
 * Content-Security-Policy works).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFound, NotImplemented } from '../http/exceptions.js';
import { Response } from '../http/response.js';
import { type SendFileRequest, sendFile } from '../http/static.js';

/** The Swagger UI files served under `<docsUrl>/`. */
export const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const folders = new Map<string, string>();

/** A vendored asset folder, `vendor/<name>` of the package (found from `src/openapi` or `dist/bundle`). */
function vendorFolder(name: 'swagger-ui' | 'redoc'): string {
  const known = folders.get(name);
  if (known !== undefined) return known;
  const here = import.meta.url;
  if (typeof here !== 'string' || !here.startsWith('file:')) {
    // a bundle without a file system (Cloudflare Workers): there is no folder to serve from
    throw new NotImplemented(
      `The ${name} files are served from the phial package's folder, which this runtime does not have: serve them as static assets, or turn the page off (docsUrl/redocUrl: null).`,
    );
  }
  let dir = path.dirname(fileURLToPath(here));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'vendor', name);
    if (existsSync(path.join(candidate, 'LICENSE'))) {
      folders.set(name, candidate);
      return candidate;
    }
  }
  throw new Error(`The vendored ${name} files (vendor/${name}) of the phial package are missing.`);
}

/**
 * An asset response: the vendored file through `sendFile`, so it gets an ETag and Last-Modified, answers
 * `If-None-Match` with 304, and may be cached for a day (the files change only with the package).
 */
export function assetResponse(
  kind: 'swagger' | 'redoc',
  name: string,
  request?: SendFileRequest,
): Promise<Response> {
  let file: string;
  let type: string;
  if (kind === 'swagger') {
    const t = SWAGGER_FILES[name];
    if (t === undefined) throw new NotFound();
    file = path.join(vendorFolder('swagger-ui'), name);
    type = t;
  } else {
    if (name !== 'redoc.standalone.js') throw new NotFound();
    file = path.join(vendorFolder('redoc'), name);
    type = 'text/javascript; charset=utf-8';
  }
  return sendFile(file, { mimetype: type, maxAge: 86400, request: request ?? null });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Swagger UI page; `base` is the docs URL (assets live under it). */
export function swaggerPage(title: string, base: string): Response {
  const t = escapeHtml(title);
  const b = escapeHtml(base);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t} - Swagger UI</title>
<link rel="stylesheet" href="${b}/swagger-ui.css">
<link rel="icon" type="image/png" href="${b}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${b}/swagger-ui-bundle.js"></script>
<script src="${b}/init.js"></script>
</body>
</html>
`;
  return new Response(html, { contentType: 'text/html; charset=utf-8' });
}

/** The script that starts Swagger UI on the document's URL. */
export function swaggerInit(specUrl: string, parameters: Readonly<Record<string, unknown>>): Response {
  const config = { url: specUrl, dom_id: '#swagger-ui', deepLinking: true, ...parameters };
  const js = `window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(config)}, {
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout'
}));
`;
  const res = new Response(js, { contentType: 'text/javascript; charset=utf-8' });
  res.headers.set('Cache-Control', 'no-cache');
  return res;
}

/** The ReDoc page (the `<redoc>` element reads the document's URL; no inline script). */
export function redocPage(title: string, base: string, specUrl: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - ReDoc</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<redoc spec-url="${escapeHtml(specUrl)}"></redoc>
<script src="${escapeHtml(base)}/redoc.standalone.js"></script>
</body>
</html>
`;
  const res = new Response(html, { contentType: 'text/html; charset=utf-8' });
  // ReDoc's sidebar shows a logo from its CDN: the policy keeps every request on this origin (it hides itself)
  res.headers.set(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; font-src 'self' data:",
  );
  return res;
}
