/**
 * Limits on reading a request body. Every limit is checked before a byte is read when the declared length
 * already crosses it, and again at each chunk (chunked bodies too); `null` means unlimited.
 */
export interface BodyLimits {
  /** Whole body, in bytes (413 when crossed): the route option, `req.maxContentLength`, `MAX_CONTENT_LENGTH`. */
  maxContentLength: number | null;
  /** A non-file multipart field, or a whole urlencoded body, in bytes (413 when crossed). */
  maxFormMemorySize: number | null;
  /** Number of multipart parts / urlencoded fields (413 when crossed). */
  maxFormParts: number | null;
  /** Nesting depth of a JSON body (400 when crossed); default `DEFAULT_MAX_JSON_DEPTH` (512). */
  maxJsonDepth?: number;
  /**
   * Bytes of one body held in memory (`MAX_BODY_MEMORY_SIZE`): a JSON or raw body larger than this is a 413;
   * a multipart body keeps its fields and small files in memory up to this total, further files spool.
   * Absent: unlimited.
   */
  maxBodyMemorySize?: number | null;
  /** An uploaded file larger than this goes to a temporary file (`MAX_FILE_MEMORY_SIZE`). Absent: never. */
  maxFileMemorySize?: number | null;
  /** Slow-body guard window in seconds (`BODY_TIMEOUT`); 0/null/absent: off. */
  bodyTimeout?: number | null;
  /** Bytes per second the body must average over each window (`BODY_MIN_RATE`). */
  bodyMinRate?: number | null;
}

/** Defaults of the body limits (also the config defaults). */
export const DEFAULT_MAX_BODY_MEMORY_SIZE = 4 * 1024 * 1024;
export const DEFAULT_MAX_FILE_MEMORY_SIZE = 512 * 1024;
export const DEFAULT_BODY_TIMEOUT = 20;
export const DEFAULT_BODY_MIN_RATE = 500;

/** Flask's defaults (no body limit, 500 kB per form field, 1000 parts) plus Phial's memory and rate bounds. */
export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({
  maxContentLength: null,
  maxFormMemorySize: 500_000,
  maxFormParts: 1000,
  maxBodyMemorySize: DEFAULT_MAX_BODY_MEMORY_SIZE,
  maxFileMemorySize: DEFAULT_MAX_FILE_MEMORY_SIZE,
  bodyTimeout: DEFAULT_BODY_TIMEOUT,
  bodyMinRate: DEFAULT_BODY_MIN_RATE,
});

/** The config keys the body limits come from (an app's `config` has them all). */
export interface BodyConfig {
  readonly MAX_CONTENT_LENGTH?: unknown;
  readonly MAX_FORM_MEMORY_SIZE?: unknown;
  readonly MAX_FORM_PARTS?: unknown;
  readonly MAX_BODY_MEMORY_SIZE?: unknown;
  readonly MAX_FILE_MEMORY_SIZE?: unknown;
  readonly BODY_TIMEOUT?: unknown;
  readonly BODY_MIN_RATE?: unknown;
}

/** A size/number setting: a finite number ≥ 0, else null (unlimited). A missing key keeps `fallback`. */
function setting(v: unknown, fallback: number | null): number | null {
  if (v === undefined) return fallback;
  if (v === null) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** The config's body limits (`MAX_CONTENT_LENGTH` unless the request's own limit is given). */
export function bodyLimitsFromConfig(
  config: BodyConfig | null | undefined,
  maxContentLength?: number | null,
): BodyLimits {
  const d = DEFAULT_BODY_LIMITS;
  if (config === null || config === undefined) {
    return maxContentLength === undefined ? { ...d } : { ...d, maxContentLength };
  }
  return {
    maxContentLength:
      maxContentLength === undefined ? setting(config.MAX_CONTENT_LENGTH, null) : maxContentLength,
    maxFormMemorySize: setting(config.MAX_FORM_MEMORY_SIZE, d.maxFormMemorySize),
    maxFormParts: setting(config.MAX_FORM_PARTS, d.maxFormParts),
    maxBodyMemorySize: setting(config.MAX_BODY_MEMORY_SIZE, DEFAULT_MAX_BODY_MEMORY_SIZE),
    maxFileMemorySize: setting(config.MAX_FILE_MEMORY_SIZE, DEFAULT_MAX_FILE_MEMORY_SIZE),
    bodyTimeout: setting(config.BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT),
    bodyMinRate: setting(config.BODY_MIN_RATE, DEFAULT_BODY_MIN_RATE),
  };
}

/** The smaller of two limits (null is unlimited). */
export function minLimit(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  return a < b ? a : b;
}
