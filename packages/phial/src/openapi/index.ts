/**
 * `phial/openapi`: the OpenAPI 3.1 document of an app (from its rules and route schemas) and the live docs,
 * `GET /openapi.json`, `GET /docs` (Swagger UI) and `GET /redoc` (ReDoc), all served by the app itself.
 *
 * ```ts
 * const api = new OpenAPI(app, { title: 'Shop', version: '1.0.0' });   // or api.initApp(app)
 * ```
 */
import type { Phial } from '../app/phial.js';
import type { Request } from '../app/request.js';
import { Response } from '../http/response.js';
import type { SchemaConverter } from '../validation/json-schema.js';
import type { AnySchema, SecurityRequirement } from '../validation/types.js';
import { buildDocument, type OpenAPIDocument } from './document.js';
import { assetResponse, redocPage, swaggerInit, swaggerPage } from './ui.js';

export type { OpenAPIDocument } from './document.js';
export { converterSchema, openapiPath } from './paths.js';

/** Options of `new OpenAPI(app, options)`. */
export interface OpenAPIOptions {
  /** `info.title` (default: the app's name). */
  title?: string;
  /** `info.version` (default `'0.1.0'`). */
  version?: string;
  /** `info.description` (Markdown). */
  description?: string;
  /** More `info` fields (`contact`, `license`, `termsOfService`, `summary`); merged over the above. */
  info?: Readonly<Record<string, unknown>>;
  /** `servers` (default: none, so clients use the URL the document came from). */
  servers?: readonly { url: string; description?: string; [key: string]: unknown }[];
  /** `components.securitySchemes` (`{ bearer: { type: 'http', scheme: 'bearer' } }`). */
  securitySchemes?: Readonly<Record<string, Record<string, unknown>>>;
  /** Security requirements applied to every operation unless a route sets its own `security`. */
  security?: readonly SecurityRequirement[];
  /** Top-level tags with descriptions (`[{ name: 'books', description: '...' }]`). */
  tags?: readonly { name: string; description?: string; [key: string]: unknown }[];
  /** Named schemas: each is a component (`#/components/schemas/<name>`), and routes using it refer to it. */
  schemas?: Readonly<Record<string, AnySchema>>;
  /** Converts schemas whose library has no `~standard.jsonSchema` (for example `toJsonSchema` of valibot). */
  jsonSchema?: SchemaConverter | null;
  /** URL of the document (default `/openapi.json`; null: not served). */
  openapiUrl?: string | null;
  /** URL of Swagger UI (default `/docs`; null: not served). */
  docsUrl?: string | null;
  /** URL of ReDoc (default `/redoc`; null: not served). */
  redocUrl?: string | null;
  /** Swagger UI configuration merged into the defaults (`{ tryItOutEnabled: true }`, ...). */
  swaggerUiParameters?: Readonly<Record<string, unknown>>;
}

const OWN_ENDPOINTS = [
  'openapi_document',
  'openapi_swagger',
  'openapi_swagger_asset',
  'openapi_redoc',
  'openapi_redoc_asset',
];

/**
 * The OpenAPI extension (`app.extensions.openapi`). The document is built on first use and cached; adding
 * routes later rebuilds it on the next request.
 */
export class OpenAPI {
  readonly options: OpenAPIOptions;
  /** The app it was set up on (the last one, with factories). */
  app: Phial | null = null;
  private cached: { rules: number; doc: OpenAPIDocument; json: string } | null = null;

  constructor(app?: Phial | null, options: OpenAPIOptions = {}) {
    this.options = options;
    if (app) this.initApp(app);
  }

  /** Registers the document and docs routes on the app. */
  initApp(app: Phial): void {
    this.app = app;
    app.extensions.openapi = this;
    const o = this.options;
    const openapiUrl = o.openapiUrl === undefined ? '/openapi.json' : o.openapiUrl;
    const docsUrl = o.docsUrl === undefined ? '/docs' : o.docsUrl;
    const redocUrl = o.redocUrl === undefined ? '/redoc' : o.redocUrl;
    const hidden = { includeInSchema: false } as const;
    if (openapiUrl !== null) {
      app.get(openapiUrl, { ...hidden, endpoint: 'openapi_document' }, () => {
        const res = new Response(this.json(app), { contentType: 'application/json' });
        return res;
      });
    }
    const title = (): string => String(this.document(app).info.title ?? 'API');
    const specUrl = (req: Request): string => `${req.rootPath}${openapiUrl ?? ''}`;
    if (docsUrl !== null && openapiUrl !== null) {
      app.get(docsUrl, { ...hidden, endpoint: 'openapi_swagger' }, (req) =>
        swaggerPage(title(), `${req.rootPath}${docsUrl}`),
      );
      app.get(`${docsUrl}/<name>`, { ...hidden, endpoint: 'openapi_swagger_asset' }, (req) =>
        req.params.name === 'init.js'
          ? swaggerInit(specUrl(req), o.swaggerUiParameters ?? {})
          : assetResponse('swagger', req.params.name, req),
      );
    }
    if (redocUrl !== null && openapiUrl !== null) {
      app.get(redocUrl, { ...hidden, endpoint: 'openapi_redoc' }, (req) =>
        redocPage(title(), `${req.rootPath}${redocUrl}`, specUrl(req)),
      );
      app.get(`${redocUrl}/<name>`, { ...hidden, endpoint: 'openapi_redoc_asset' }, (req) =>
        assetResponse('redoc', req.params.name, req),
      );
    }
  }

  /** The OpenAPI document (built once, rebuilt only when rules were added since). */
  document(app: Phial | null = this.app): OpenAPIDocument {
    return this.build(app).doc;
  }

  /** The document as JSON text (what `GET /openapi.json` sends). */
  json(app: Phial | null = this.app): string {
    return this.build(app).json;
  }

  private build(app: Phial | null): { rules: number; doc: OpenAPIDocument; json: string } {
    if (app === null)
      throw new Error('OpenAPI is not set up on an app: pass it to the constructor or call initApp(app).');
    const rules = app.urlMap.rules().length;
    if (this.cached !== null && this.cached.rules === rules && app === this.app) return this.cached;
    const o = this.options;
    const info: Record<string, unknown> = {
      title: o.title ?? app.name,
      version: o.version ?? '0.1.0',
      ...(o.description ? { description: o.description } : {}),
      ...(o.info ?? {}),
    };
    const doc = buildDocument(app, {
      info,
      servers: o.servers,
      securitySchemes: o.securitySchemes,
      security: o.security,
      tags: o.tags,
      schemas: o.schemas,
      jsonSchema: o.jsonSchema ?? null,
      exclude: new Set(OWN_ENDPOINTS),
    });
    const built = { rules, doc, json: JSON.stringify(doc) };
    if (app === this.app) this.cached = built;
    return built;
  }
}

/**
 * The app's OpenAPI document: through its `OpenAPI` extension when it has one (its options apply), else
 * with the defaults (what `phial openapi` prints).
 */
export function openapiDocument(app: Phial): OpenAPIDocument {
  // duck-typed: the app may have been set up by another copy of this module (a bundle and the sources)
  const ext = app.extensions.openapi as { document?: (app: Phial) => OpenAPIDocument } | undefined;
  return typeof ext?.document === 'function' ? ext.document(app) : new OpenAPI().document(app);
}
