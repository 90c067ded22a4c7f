/**
 * `Form`: Flask-WTF's `FlaskForm`. Declare fields as class properties; a new form binds itself to the current
 * request's submitted data (form and files) when there is one, or to an object or defaults otherwise, and
 * carries a CSRF token field while CSRF is on.
 *
 * ```ts
 * class LoginForm extends Form {
 *   username = new StringField('Username', [dataRequired(), length({ max: 25 })]);
 *   password = new PasswordField('Password', [dataRequired()]);
 * }
 * const form = new LoginForm();
 * if (await form.validateOnSubmit()) form.data.username;   // string | null
 * ```
 *
 * Fields declared in a subclass are bound as they are defined (the constructor returns a proxy that sees
 * each property definition), so `form.username` is ready in the template with its name, id and value.
 */
import { currentApp, hasAppContext, hasRequestContext, type MultiDict, request } from 'phial';
import { csrfAlreadyValidated, csrfFieldName, generateCsrf, validateCsrf } from './csrf.js';
import { CSRFTokenField, Field, type FormData } from './fields.js';
import { html, type Markup } from './html.js';
import type { Validator } from './validators.js';

/** Options of `new SomeForm(options)`. */
export interface FormOptions {
  /**
   * Submitted values; default: the current request's form and files when it is a submission (POST, PUT, PATCH,
   * DELETE), else none. `null` binds no submitted data.
   */
  formdata?: FormData | MultiDict<unknown> | Record<string, unknown> | null;
  /** An object whose properties fill the fields (edit forms: `new PostForm({ obj: post })`). */
  obj?: object | null;
  /** Values by field name (after `obj`). */
  data?: Record<string, unknown>;
  /** Prefix for every field name (two forms on one page). */
  prefix?: string;
  /** `{ csrf: false }` turns the token off for this form (default: `WTF_CSRF_ENABLED`). */
  meta?: { csrf?: boolean };
}

/** The names of a form's own fields (not the members every `Form` has, nor the CSRF token). */
type FieldKeys<F> = {
  [K in Exclude<keyof F, keyof Form | 'csrf_token'>]: F[K] extends Field<unknown> ? K : never;
}[Exclude<keyof F, keyof Form | 'csrf_token'>];

/** The data of a form's fields by name, typed from the field declarations. */
export type FormDataOf<F> = { [K in FieldKeys<F>]: F[K] extends Field<infer T> ? T : never };

/** Extra validators by field name for `form.validate(extra)` (WTForms' `extra_validators`), typed per field. */
export type ExtraValidators<F> = { [K in FieldKeys<F>]?: Validator<FormDataOf<F>[K]>[] };

const SUBMIT_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const STATE = Symbol('phial.form');

interface FormState {
  fields: Map<string, Field<unknown>>;
  formdata: FormData | null;
  obj: object | null;
  data: Record<string, unknown>;
  prefix: string;
  csrf: CSRFTokenField | null;
  formErrors: string[];
}

function asFormData(source: FormOptions['formdata']): FormData | null {
  if (source === null || source === undefined) return null;
  const s = source as Partial<FormData> & { getAll?: (k: string) => unknown[] };
  if (typeof s.has === 'function' && typeof s.getAll === 'function') return s as FormData;
  const record = source as Record<string, unknown>;
  return {
    has: (k) => Object.hasOwn(record, k),
    getAll: (k) => {
      const v = record[k];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
  };
}

/** The current request's form and files as one `FormData`, when the request is a submission. */
function requestFormData(): FormData | null {
  if (!hasRequestContext() || !SUBMIT_METHODS.has(request.method)) return null;
  const form = request.form;
  const files = request.files;
  return {
    has: (k) => files.has(k) || form.has(k),
    getAll: (k) => [...files.getAll(k), ...form.getAll(k)],
  };
}

/** A web form with typed fields, validation and CSRF protection. */
export class Form {
  declare readonly [STATE]: FormState;

  constructor(options: FormOptions = {}) {
    const state: FormState = {
      fields: new Map(),
      formdata: options.formdata === undefined ? requestFormData() : asFormData(options.formdata),
      obj: options.obj ?? null,
      data: options.data ?? {},
      prefix: options.prefix ? `${options.prefix}-` : '',
      csrf: null,
      formErrors: [],
    };
    Object.defineProperty(this, STATE, { value: state, enumerable: false });
    const csrfOn =
      options.meta?.csrf ?? (hasAppContext() ? currentApp.config.WTF_CSRF_ENABLED !== false : false);
    if (csrfOn) {
      const field = new CSRFTokenField('CSRF Token');
      field.current = () => generateCsrf();
      const name = csrfFieldName();
      field.bind(name, state.prefix, state.formdata, undefined);
      state.csrf = field;
      Object.defineProperty(this, name, {
        value: field,
        enumerable: false,
        configurable: true,
        writable: true,
      });
    }
    // Subclass field initializers run after this constructor: bind each Field as it is defined.
    // biome-ignore lint/correctness/noConstructorReturn: the proxy is what lets fields bind as they are declared
    return new Proxy(this, {
      defineProperty(target, key, descriptor) {
        if (typeof key === 'string' && descriptor.value instanceof Field) {
          const f = descriptor.value as Field<unknown>;
          state.fields.set(key, f);
          f.bind(key, state.prefix, state.formdata, initialValue(state, key));
        }
        return Reflect.defineProperty(target, key, descriptor);
      },
    });
  }

  /** The fields in declaration order (the CSRF token last, as WTForms lists it). */
  get fields(): Field<unknown>[] {
    const s = this[STATE];
    return [...s.fields.values(), ...(s.csrf ? [s.csrf] : [])];
  }

  /** Every field's data by name (typed from the declarations). */
  get data(): FormDataOf<this> {
    const out: Record<string, unknown> = {};
    for (const [name, f] of this[STATE].fields) out[name] = f.data;
    return out as FormDataOf<this>;
  }

  /** Errors by field name (fields without errors left out); form-level errors under `null`'s key `''`. */
  get errors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const f of this.fields) if (f.errors.length > 0) out[f.shortName] = [...f.errors];
    if (this[STATE].formErrors.length > 0) out[''] = [...this[STATE].formErrors];
    return out;
  }

  /** Errors not tied to one field (add them in `validate` overrides). */
  get formErrors(): string[] {
    return this[STATE].formErrors;
  }

  /** True when the current request is a submission (POST, PUT, PATCH or DELETE). */
  isSubmitted(): boolean {
    return hasRequestContext() && SUBMIT_METHODS.has(request.method);
  }

  /**
   * Validates every field: its own checks, its validators, then `extra[name]` and the form's inline
   * `validate_<name>`/`validate<Name>` methods (sync or async), and the CSRF token. True when there are no
   * errors.
   */
  async validate(extra: ExtraValidators<this> = {}): Promise<boolean> {
    let ok = true;
    const self = this as unknown as Record<string, unknown>;
    const extraByName = extra as Record<string, Validator<never>[] | undefined>;
    for (const [name, field] of this[STATE].fields) {
      const inline: Validator<never>[] = [...(extraByName[name] ?? [])];
      for (const method of [`validate_${name}`, `validate${name.charAt(0).toUpperCase()}${name.slice(1)}`]) {
        const fn = self[method];
        // a field named `onSubmit` must not make `validateOnSubmit` its validator
        if (typeof fn !== 'function' || fn === (Form.prototype as unknown as Record<string, unknown>)[method])
          continue;
        // returned, so that an async one is awaited and what it throws is the field's error
        inline.push((form, f) => (fn as (f: unknown) => void | Promise<void>).call(form, f));
      }
      if (!(await field.validate(this, inline as Validator<unknown>[]))) ok = false;
    }
    const csrf = this[STATE].csrf;
    if (csrf !== null) {
      csrf.errors = [];
      if (!csrfAlreadyValidated()) {
        try {
          validateCsrf(csrf.data);
        } catch (e) {
          csrf.errors.push((e as Error & { description?: string }).description ?? (e as Error).message);
          ok = false;
        }
      }
    }
    return ok && this[STATE].formErrors.length === 0;
  }

  /** `isSubmitted() && validate()`: the one line a view needs. */
  async validateOnSubmit(): Promise<boolean> {
    return this.isSubmitted() && this.validate();
  }

  /** Copies every field's data onto `obj` (edit forms). */
  populateObj(obj: object): void {
    for (const f of this[STATE].fields.values()) f.populateObj(obj as Record<string, unknown>);
  }

  /** The hidden fields (CSRF token included) as HTML, for inside a `<form>` (Flask-WTF's `hidden_tag`). */
  hiddenTag(...fields: Field<unknown>[]): Markup {
    const list =
      fields.length > 0
        ? fields
        : this.fields.filter((f) => f.type === 'HiddenField' || f.type === 'CSRFTokenField');
    return html(list.map((f) => f.__html__()).join('\n'));
  }

  // snake_case for templates and code ported from Flask-WTF
  /** Alias of `hiddenTag`. */
  hidden_tag(...fields: Field<unknown>[]): Markup {
    return this.hiddenTag(...fields);
  }
  /** Alias of `formErrors`. */
  get form_errors(): string[] {
    return this.formErrors;
  }

  /** `{% for field in form %}` */
  [Symbol.iterator](): Iterator<Field<unknown>> {
    return this.fields[Symbol.iterator]();
  }
}

function initialValue(state: FormState, name: string): unknown {
  const obj = state.obj as Record<string, unknown> | null;
  if (obj !== null && name in obj) return obj[name];
  if (Object.hasOwn(state.data, name)) return state.data[name];
  return undefined;
}
