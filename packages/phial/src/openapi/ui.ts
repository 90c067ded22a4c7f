/**
 * The live documentation pages: Swagger UI (assets from the `swagger-ui-dist` dependency) and ReDoc (its
 * standalone bundle, vendored under `vendor/redoc`), both served by the app itself: no CDN, no inline script
 * (a strict Content-Security-Policy works).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFound } from '../http/exceptions.js';
import { Response } from '../http/response.js';

const require = createRequire(import.meta.url);

/** The Swagger UI files served under `<docsUrl>/`. */
export const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function swaggerFolder(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** The folder of the vendored ReDoc bundle: `vendor/redoc` of the package (from `src/openapi` or `dist/bundle`). */
function redocFolder(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'vendor', 'redoc');
    try {
      readFileSync(path.join(candidate, 'LICENSE'));
      return candidate;
    } catch {
      dir = path.dirname(dir);
    }
  }
  throw new Error('The ReDoc bundle (vendor/redoc) of the phial package is missing.');
}

const cache = new Map<string, Uint8Array>();

function load(file: string): Uint8Array {
  let data = cache.get(file);
  if (data === undefined) {
    data = readFileSync(file);
    cache.set(file, data);
  }
  return data;
}

/** An asset response, cacheable for a day (the files change only with the package). */
export function assetResponse(kind: 'swagger' | 'redoc', name: string): Response {
  let file: string;
  let type: string;
  if (kind === 'swagger') {
    const t = SWAGGER_FILES[name];
    if (t === undefined) throw new NotFound();
    file = path.join(swaggerFolder(), name);
    type = t;
  } else {
    if (name !== 'redoc.standalone.js') throw new NotFound();
    file = path.join(redocFolder(), name);
    type = 'text/javascript; charset=utf-8';
  }
  const res = new Response(load(file), { contentType: type });
  res.headers.set('Cache-Control', 'public, max-age=86400');
  return res;
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
