/** Limits on reading a request body (from `MAX_CONTENT_LENGTH`, `MAX_FORM_MEMORY_SIZE`, `MAX_FORM_PARTS`);
 *  `null` means unlimited. */
export interface BodyLimits {
  /** Whole body, in bytes (413 when crossed). */
  maxContentLength: number | null;
  /** A non-file multipart field, or a whole urlencoded body, in bytes (413 when crossed). */
  maxFormMemorySize: number | null;
  /** Number of multipart parts / urlencoded fields (413 when crossed). */
  maxFormParts: number | null;
  /** Nesting depth of a JSON body (400 when crossed); default `DEFAULT_MAX_JSON_DEPTH` (512). */
  maxJsonDepth?: number;
}

/** Flask's defaults: no body limit, 500 kB per form field, 1000 parts. */
export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({
  maxContentLength: null,
  maxFormMemorySize: 500_000,
  maxFormParts: 1000,
});
