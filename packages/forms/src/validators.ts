/**
 * Validators with WTForms' names, messages and chaining rules: each is `(form, field) => void` that throws
 * `ValidationError` (one error, keep going) or `StopValidation` (stop this field's chain). `schema()` validates
 * a field with any Standard Schema (zod, valibot, arktype), so REST and form code can share one schema.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { FileStorage } from 'phial';
import type { Field } from './fields.js';
import type { Form } from './form.js';

/** One validation error: the message is shown next to the field. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** Stops the field's validator chain (`message` empty: stop without an error, as `optional()` does). */
export class StopValidation extends Error {
  override name = 'StopValidation';
}

/**
 * A validator of fields whose data is a `T`; `fieldFlags` become widget attributes (`required`, `minlength`,
 * ...). One given to a field gets that field's data type (`field.data` is `string | null` on a `StringField`);
 * the built-in ones take `unknown` so that they fit any field. `form` is the form being validated (cast it to
 * your class to read other fields, or write an inline `validate_<name>` method, where `this` is typed).
 */
export interface Validator<T = unknown> {
  (form: Form, field: Field<T>): void | Promise<void>;
  fieldFlags?: Record<string, unknown>;
}

function withFlags(fn: Validator, flags: Record<string, unknown>): Validator {
  fn.fieldFlags = flags;
  return fn;
}

function isEmpty(field: Field<unknown>): boolean {
  const raw = field.rawData;
  if (raw === undefined) return field.data === null || field.data === undefined || field.data === '';
  return raw.length === 0 || (typeof raw[0] === 'string' && raw[0].trim() === '');
}

function fmt(template: string, values: Record<string, unknown>): string {
  return template.replace(/%\((\w+)\)[sd]/g, (_m, k: string) => String(values[k]));
}

/** The field must have truthy data (WTForms' `DataRequired`); stops the chain. */
export function dataRequired(message = 'This field is required.'): Validator {
  return withFlags(
    (_form, field) => {
      const d = field.data;
      const falsy =
        d === null ||
        d === undefined ||
        d === false ||
        d === '' ||
        d === 0 ||
        (typeof d === 'string' && d.trim() === '');
      if (falsy || (Array.isArray(d) && d.length === 0)) {
        field.errors.length = 0;
        throw new StopValidation(message);
      }
    },
    { required: true },
  );
}

/** Something must have been typed in (WTForms' `InputRequired`); stops the chain. */
export function inputRequired(message = 'This field is required.'): Validator {
  return withFlags(
    (_form, field) => {
      if (field.rawData === undefined || field.rawData.length === 0 || field.rawData[0] === '') {
        field.errors.length = 0;
        throw new StopValidation(message);
      }
    },
    { required: true },
  );
}

/** Allows an empty field: the rest of the chain is skipped and earlier errors cleared (WTForms' `Optional`). */
export function optional(): Validator {
  return withFlags(
    (_form, field) => {
      if (isEmpty(field)) {
        field.errors.length = 0;
        throw new StopValidation('');
      }
    },
    { optional: true },
  );
}

/** String length between `min` and `max` (WTForms' `Length`). */
export function length(options: { min?: number; max?: number; message?: string }): Validator {
  const min = options.min ?? -1;
  const max = options.max ?? -1;
  if (min === -1 && max === -1) throw new Error('length() needs min or max');
  const flags: Record<string, unknown> = {};
  if (min !== -1) flags.minlength = min;
  if (max !== -1) flags.maxlength = max;
  return withFlags((_form, field) => {
    const n = typeof field.data === 'string' ? [...field.data].length : 0;
    if (n >= min && (max === -1 || n <= max)) return;
    let message = options.message;
    if (message === undefined) {
      if (max === -1) message = 'Field must be at least %(min)d characters long.';
      else if (min === -1) message = 'Field cannot be longer than %(max)d characters.';
      else if (min === max) message = 'Field must be exactly %(max)d characters long.';
      else message = 'Field must be between %(min)d and %(max)d characters long.';
    }
    throw new ValidationError(fmt(message, { min, max, length: n }));
  }, flags);
}

/** A number between `min` and `max` (WTForms' `NumberRange`). */
export function numberRange(options: { min?: number; max?: number; message?: string }): Validator {
  const { min, max } = options;
  const flags: Record<string, unknown> = {};
  if (min !== undefined) flags.min = min;
  if (max !== undefined) flags.max = max;
  return withFlags((_form, field) => {
    const d = field.data;
    const n = typeof d === 'number' ? d : Number.NaN;
    if (!Number.isNaN(n) && (min === undefined || n >= min) && (max === undefined || n <= max)) return;
    let message = options.message;
    if (message === undefined) {
      if (max === undefined) message = 'Number must be at least %(min)s.';
      else if (min === undefined) message = 'Number must be at most %(max)s.';
      else message = 'Number must be between %(min)s and %(max)s.';
    }
    throw new ValidationError(fmt(message, { min, max }));
  }, flags);
}

// local@domain.tld: no spaces, one @, a dot in the domain, no leading/trailing dot or hyphen in labels
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/u;

/** An email address (WTForms' `Email`). */
export function email(message = 'Invalid email address.'): Validator {
  return (_form, field) => {
    const d = field.data;
    if (typeof d !== 'string' || d.length > 320 || !EMAIL.test(d) || d.split('@')[0]?.startsWith('.')) {
      throw new ValidationError(message);
    }
  };
}

/** An http(s) or other scheme URL with a host (WTForms' `URL`); `requireTld` by default. */
export function url(options: { requireTld?: boolean; message?: string } = {}): Validator {
  const message = options.message ?? 'Invalid URL.';
  return (_form, field) => {
    const d = field.data;
    if (typeof d !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]+/i.test(d))
      throw new ValidationError(message);
    let host: string;
    try {
      host = new URL(d).hostname;
    } catch {
      throw new ValidationError(message);
    }
    if (host === '') throw new ValidationError(message);
    if ((options.requireTld ?? true) && !/\.[a-z]{2,63}$/i.test(host) && host !== 'localhost') {
      throw new ValidationError(message);
    }
  };
}

/** Matches a regular expression (WTForms' `Regexp`: anchored at the start). */
export function regexp(pattern: RegExp | string, message = 'Invalid input.'): Validator {
  const re = typeof pattern === 'string' ? new RegExp(`^(?:${pattern})`) : pattern;
  return (_form, field) => {
    if (typeof field.data !== 'string' || !re.test(field.data)) throw new ValidationError(message);
  };
}

/** Equal to another field of the form (WTForms' `EqualTo`: "confirm password"). */
export function equalTo(fieldName: string, message = 'Field must be equal to %(other_name)s.'): Validator {
  return (form, field) => {
    const other = (form as unknown as Record<string, unknown>)[fieldName] as Field<unknown> | undefined;
    if (other === undefined) throw new ValidationError(`Invalid field name '${fieldName}'.`);
    if (field.data !== other.data) {
      throw new ValidationError(fmt(message, { other_name: fieldName, other_label: other.label.text }));
    }
  };
}

/** One of the given values (WTForms' `AnyOf`). */
export function anyOf(
  values: readonly unknown[],
  message = 'Invalid value, must be one of: %(values)s.',
): Validator {
  return (_form, field) => {
    if (!values.includes(field.data)) throw new ValidationError(fmt(message, { values: values.join(', ') }));
  };
}

/** None of the given values (WTForms' `NoneOf`). */
export function noneOf(
  values: readonly unknown[],
  message = "Invalid value, can't be any of: %(values)s.",
): Validator {
  return (_form, field) => {
    if (values.includes(field.data)) throw new ValidationError(fmt(message, { values: values.join(', ') }));
  };
}

/** An uploaded file is present (Flask-WTF's `FileRequired`). */
export function fileRequired(message = 'This field is required.'): Validator {
  return withFlags(
    (_form, field) => {
      const files = Array.isArray(field.data) ? field.data : [field.data];
      if (!files.some((f) => f instanceof FileStorage && f.filename)) {
        field.errors.length = 0;
        throw new StopValidation(message);
      }
    },
    { required: true },
  );
}

/** Uploaded files have one of these extensions (Flask-WTF's `FileAllowed`). */
export function fileAllowed(extensions: readonly string[], message?: string): Validator {
  const allowed = extensions.map((e) => e.toLowerCase().replace(/^\./, ''));
  return withFlags(
    (_form, field) => {
      const files = (Array.isArray(field.data) ? field.data : [field.data]).filter(
        (f) => f instanceof FileStorage,
      );
      for (const f of files as FileStorage[]) {
        const ext = (f.filename ?? '').toLowerCase().split('.').pop() ?? '';
        if (!(f.filename ?? '').includes('.') || !allowed.includes(ext)) {
          throw new StopValidation(
            message ?? `File does not have an approved extension: ${allowed.join(', ')}`,
          );
        }
      }
    },
    { accept: allowed.map((e) => `.${e}`).join(',') },
  );
}

/** Uploaded files are between `minSize` and `maxSize` bytes (Flask-WTF's `FileSize`). */
export function fileSize(maxSize: number, minSize = 0, message?: string): Validator {
  return (_form, field) => {
    const files = (Array.isArray(field.data) ? field.data : [field.data]).filter(
      (f) => f instanceof FileStorage,
    );
    for (const f of files as FileStorage[]) {
      if (f.size < minSize || f.size > maxSize) {
        throw new StopValidation(message ?? `File must be between ${minSize} and ${maxSize} bytes.`);
      }
    }
  };
}

/**
 * Validates the field's data with a Standard Schema (zod, valibot, arktype, ...): each issue becomes an error,
 * and on success the field's data becomes the schema's output (coerced, trimmed, defaulted).
 */
export function schema(s: StandardSchemaV1): Validator {
  return async (_form, field) => {
    const result = await s['~standard'].validate(field.data);
    if (result.issues) {
      for (const issue of result.issues) field.errors.push(issue.message);
      throw new StopValidation('');
    }
    field.data = result.value;
  };
}
