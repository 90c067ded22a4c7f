/**
 * Fields with WTForms' behaviour: each turns submitted strings into typed `data` (reporting bad input as a
 * field error, never an exception), validates with a chain of validators, and renders itself as escaped HTML
 * from templates: `{{ form.name }}`, `{{ form.name(class_="x") }}`, `{{ form.name.label }}`.
 */
import { FileStorage } from 'phial';
import type { Form } from './form.js';
import { type Attrs, attrsFromArgs, escapeHtml, html, htmlParams, type Markup } from './html.js';
import { StopValidation, ValidationError, type Validator } from './validators.js';

/** Submitted values by name: the request's form and files together (Flask-WTF's combined formdata). */
export interface FormData {
  has(name: string): boolean;
  getAll(name: string): unknown[];
}

/** Options every field takes. */
export interface FieldOptions<T> {
  /** The value before anything was submitted (or a function returning it). */
  default?: T | (() => T);
  /** Help text (`field.description` in templates). */
  description?: string;
  /** Attributes always rendered on the widget (WTForms' `render_kw`). */
  renderKw?: Attrs;
  /** The HTML id (default: the name). */
  id?: string;
}

/** A field's `<label>`: `{{ form.name.label }}` or `{{ form.name.label(class_="x") }}`. */
export class Label {
  constructor(
    readonly fieldId: string,
    readonly text: string,
  ) {}
  /** Renders with extra attributes. */
  render(attrs: Attrs = {}, text?: string): Markup {
    const params = htmlParams({ for: this.fieldId, ...attrs });
    return html(`<label ${params}>${escapeHtml(text ?? this.text).toString()}</label>`);
  }
  __call__(...args: unknown[]): Markup {
    const attrs = attrsFromArgs(args);
    const text = typeof args[0] === 'string' ? args[0] : undefined;
    return this.render(attrs, text);
  }
  __html__(): string {
    return this.render().toString();
  }
  toString(): string {
    return this.__html__();
  }
}

const capitalize = (name: string) =>
  name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

/** Base of every field; `T` is the type of `data`. */
export abstract class Field<T> {
  /** WTForms' class name (`'StringField'`), which templates test: `{% if field.type == 'BooleanField' %}`. */
  abstract readonly type: string;
  /** The name in the submitted form (the property name, with the form's prefix). */
  name = '';
  /** The property name on the form. */
  shortName = '';
  id = '';
  label: Label;
  data: T;
  /** The submitted strings (undefined when the form had no formdata). */
  rawData: unknown[] | undefined = undefined;
  errors: string[] = [];
  /** Errors from turning the submitted text into `data` (reported when the form validates). */
  processErrors: string[] = [];
  readonly description: string;
  /**
   * The field's validators. Typed `Validator<never>` (a validator of some data type) rather than
   * `Validator<T>`, which would make `Field<string>` no longer a `Field<unknown>`.
   */
  readonly validators: Validator<never>[];
  /** Attributes validators ask for (`required`, `minlength`, ...). */
  readonly flags: Record<string, unknown> = {};
  readonly renderKw: Attrs;
  private readonly labelText: string | undefined;
  private readonly explicitId: string | undefined;
  private readonly defaultValue: T | (() => T) | undefined;

  constructor(label?: string, validators: Validator<T>[] = [], options: FieldOptions<T> = {}) {
    this.labelText = label;
    this.validators = validators;
    this.description = options.description ?? '';
    this.renderKw = options.renderKw ?? {};
    this.explicitId = options.id;
    this.defaultValue = options.default;
    for (const v of validators) Object.assign(this.flags, v.fieldFlags ?? {});
    this.label = new Label('', label ?? '');
    this.data = this.emptyData();
  }

  /** What `data` is when nothing was given. */
  protected emptyData(): T {
    return null as T;
  }

  /** @internal gives the field its name and values (called by the form). */
  bind(shortName: string, prefix: string, formdata: FormData | null, value: unknown): void {
    this.shortName = shortName;
    this.name = prefix + shortName;
    this.id = this.explicitId ?? this.name;
    this.label = new Label(this.id, this.labelText ?? capitalize(shortName));
    this.process(formdata, value);
  }

  /** WTForms' `process`: default or object data first, then the submitted values. */
  process(formdata: FormData | null, value: unknown): void {
    this.processErrors = [];
    let data = value;
    if (data === undefined) {
      const d = this.defaultValue;
      data = typeof d === 'function' ? (d as () => T)() : d;
    }
    try {
      this.processData(data);
    } catch (e) {
      this.processErrors.push(e instanceof Error ? e.message : String(e));
    }
    if (formdata !== null) {
      this.rawData = formdata.has(this.name) ? formdata.getAll(this.name) : [];
      try {
        this.processFormdata(this.rawData);
      } catch (e) {
        this.processErrors.push(e instanceof Error ? e.message : String(e));
      }
    }
  }

  /** Sets `data` from a default or an object's value. */
  protected processData(value: unknown): void {
    this.data = (value === undefined ? this.emptyData() : value) as T;
  }

  /** Sets `data` from the submitted strings; throw an Error with a message for bad input. */
  protected abstract processFormdata(values: unknown[]): void;

  /** The text shown in the widget (WTForms' `_value`). */
  value(): string {
    const d = this.data as unknown;
    if (d === null || d === undefined) return '';
    return String(d);
  }

  /** Runs the validators (after the field's own checks), then `extra` (the form's inline ones); true when there are no errors. */
  async validate(form: Form, extra: Validator<T>[] = []): Promise<boolean> {
    this.errors = [...this.processErrors];
    let stop = false;
    try {
      this.preValidate(form);
    } catch (e) {
      stop = this.collect(e);
    }
    if (!stop) {
      const self = this as unknown as Field<never>;
      for (const v of [...this.validators, ...(extra as Validator<never>[])]) {
        try {
          await v(form, self);
        } catch (e) {
          if (this.collect(e)) break;
        }
      }
    }
    return this.errors.length === 0;
  }

  /** Checks the field makes before its validators (a select's choices). */
  protected preValidate(_form: Form): void {}

  /** Records a validator's error; true when the chain must stop. */
  private collect(e: unknown): boolean {
    if (e instanceof StopValidation) {
      if (e.message) this.errors.push(e.message);
      return true;
    }
    if (e instanceof ValidationError) {
      this.errors.push(e.message);
      return false;
    }
    throw e;
  }

  /** Copies `data` onto `obj[shortName]` (edit forms: `form.populateObj(post)`). */
  populateObj(obj: Record<string, unknown>, name = this.shortName): void {
    obj[name] = this.data;
  }

  /** The widget's HTML. */
  abstract render(attrs?: Attrs): Markup;

  /** @internal attributes every widget starts from: id, name, render_kw, and validation flags. */
  baseAttrs(attrs: Attrs, validationAttrs: readonly string[]): Attrs {
    const out: Attrs = { id: this.id, name: this.name, ...this.renderKw, ...attrs };
    for (const k of validationAttrs) {
      if (!(k in out) && this.flags[k] !== undefined) out[k] = this.flags[k];
    }
    return out;
  }

  /** Templates call a field to render it with attributes: `{{ form.name(class_="x") }}`. */
  __call__(...args: unknown[]): Markup {
    return this.render(attrsFromArgs(args));
  }
  __html__(): string {
    return this.render().toString();
  }
  toString(): string {
    return this.__html__();
  }
}

const TEXT_ATTRS = ['required', 'disabled', 'readonly', 'maxlength', 'minlength', 'pattern'] as const;
const BASE_ATTRS = ['required', 'disabled', 'readonly'] as const;

function input(
  field: Field<unknown>,
  type: string,
  attrs: Attrs,
  validation: readonly string[],
  value?: string,
): Markup {
  const a = field.baseAttrs(attrs, validation);
  if (!('value' in a) && value !== undefined) a.value = value;
  return html(`<input ${htmlParams({ type, ...a })}>`);
}

/** One line of text. */
export class StringField extends Field<string | null> {
  readonly type: string = 'StringField';
  protected processFormdata(values: unknown[]): void {
    if (values.length > 0) this.data = typeof values[0] === 'string' ? values[0] : String(values[0]);
    else if (this.data === null) this.data = '';
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'text', attrs, TEXT_ATTRS, this.value());
  }
}

/** Several lines of text. */
export class TextAreaField extends StringField {
  override readonly type: string = 'TextAreaField';
  override render(attrs: Attrs = {}): Markup {
    const a = this.baseAttrs(attrs, TEXT_ATTRS);
    return html(`<textarea ${htmlParams(a)}>\r\n${escapeHtml(this.value()).toString()}</textarea>`);
  }
}

/** A password: never echoed back into the page. */
export class PasswordField extends StringField {
  override readonly type: string = 'PasswordField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'password', attrs, TEXT_ATTRS, '');
  }
}

/** An email address input (pair it with the `email()` validator). */
export class EmailField extends StringField {
  override readonly type: string = 'EmailField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'email', attrs, TEXT_ATTRS, this.value());
  }
}

/** A URL input (pair it with the `url()` validator). */
export class URLField extends StringField {
  override readonly type: string = 'URLField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'url', attrs, TEXT_ATTRS, this.value());
  }
}

/** A telephone number input (HTML5 `type="tel"`; WTForms' `TelField`). */
export class TelField extends StringField {
  override readonly type: string = 'TelField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'tel', attrs, TEXT_ATTRS, this.value());
  }
}

/** A search box (HTML5 `type="search"`; WTForms' `SearchField`). */
export class SearchField extends StringField {
  override readonly type: string = 'SearchField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'search', attrs, TEXT_ATTRS, this.value());
  }
}

/** A value the page carries but does not show. */
export class HiddenField extends StringField {
  override readonly type: string = 'HiddenField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'hidden', attrs, [], this.value());
  }
}

/** A number field: a default or an object's value, and the submitted text, checked the same way. */
abstract class NumberField extends Field<number | null> {
  /** The error for input that is not such a number (WTForms' wording). */
  protected abstract readonly invalid: string;
  /** The submitted text this field takes. */
  protected abstract readonly pattern: RegExp;
  /** Whether a number is one this field holds. */
  protected abstract accepts(n: number): boolean;

  protected override processData(value: unknown): void {
    if (value === null || value === undefined || value === '') this.data = null;
    else this.take(Number(value));
  }
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const text = String(values[0]).trim();
    this.take(this.pattern.test(text) ? Number(text) : Number.NaN);
  }
  private take(n: number): void {
    if (!this.accepts(n)) {
      this.data = null;
      throw new Error(this.invalid);
    }
    this.data = n;
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    return this.data === null ? '' : String(this.data);
  }
}

/** A whole number; anything else is the error "Not a valid integer value." */
export class IntegerField extends NumberField {
  readonly type: string = 'IntegerField';
  protected readonly invalid = 'Not a valid integer value.';
  protected readonly pattern = /^[+-]?\d{1,15}$/;
  protected accepts(n: number): boolean {
    return Number.isSafeInteger(n);
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'number', attrs, [...BASE_ATTRS, 'max', 'min', 'step'], this.value());
  }
}

/** A decimal number, kept exact as text (`'19.99'`) so money is never rounded by floating point. */
export class DecimalField extends Field<string | null> {
  readonly type: string = 'DecimalField';
  constructor(
    label?: string,
    validators: Validator<string | null>[] = [],
    readonly options: FieldOptions<string | null> & { places?: number } = {},
  ) {
    super(label, validators, options);
  }
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const text = String(values[0]).trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
      this.data = null;
      throw new Error('Not a valid decimal value.');
    }
    this.data = text;
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    if (this.data === null) return '';
    const places = this.options.places ?? 2;
    return Number(this.data).toFixed(places);
  }
  render(attrs: Attrs = {}): Markup {
    return input(
      this,
      'number',
      { step: 'any', ...attrs },
      [...BASE_ATTRS, 'max', 'min', 'step'],
      this.value(),
    );
  }
}

/** A floating-point number; anything else is the error "Not a valid float value." (WTForms' `FloatField`). */
export class FloatField extends NumberField {
  readonly type: string = 'FloatField';
  protected readonly invalid = 'Not a valid float value.';
  protected readonly pattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  protected accepts(n: number): boolean {
    return Number.isFinite(n);
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'text', attrs, TEXT_ATTRS, this.value());
  }
}

const FALSE_VALUES = new Set(['false', '']);

/** A checkbox: `data` is true when it was ticked. */
export class BooleanField extends Field<boolean> {
  readonly type: string = 'BooleanField';
  protected override emptyData(): boolean {
    return false;
  }
  protected override processData(value: unknown): void {
    this.data = Boolean(value);
  }
  protected processFormdata(values: unknown[]): void {
    this.data = values.length > 0 && !FALSE_VALUES.has(String(values[0]));
  }
  override value(): string {
    return this.rawData && this.rawData.length > 0 ? String(this.rawData[0]) : 'y';
  }
  render(attrs: Attrs = {}): Markup {
    const a: Attrs = { ...attrs };
    if (this.data && !('checked' in a)) a.checked = true;
    return input(this, 'checkbox', a, BASE_ATTRS, this.value());
  }
}

/** A date typed as `YYYY-MM-DD` (an `<input type="date">`); `data` is a Date at UTC midnight. */
export class DateField extends Field<Date | null> {
  readonly type: string = 'DateField';
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const text = String(values[0]).trim();
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (m === null || d === null || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) {
      this.data = null;
      throw new Error('Not a valid date value.');
    }
    this.data = d;
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    return this.data ? this.data.toISOString().slice(0, 10) : '';
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'date', attrs, [...BASE_ATTRS, 'max', 'min', 'step'], this.value());
  }
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** A time of day typed as `HH:MM` (an `<input type="time">`); `data` is that text (WTForms' `TimeField`). */
export class TimeField extends Field<string | null> {
  readonly type: string = 'TimeField';
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const m = /^(\d{2}):(\d{2})$/.exec(String(values[0]).trim());
    if (m === null || Number(m[1]) > 23 || Number(m[2]) > 59) {
      this.data = null;
      throw new Error('Not a valid time value.');
    }
    this.data = `${m[1]}:${m[2]}`;
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    return this.data ?? '';
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'time', attrs, [...BASE_ATTRS, 'max', 'min', 'step'], this.value());
  }
}

/**
 * A date and time typed as `YYYY-MM-DDTHH:MM` (seconds optional; an `<input type="datetime-local">`, WTForms'
 * `DateTimeLocalField`); `data` is a Date holding that wall time as UTC, as `DateField` does.
 */
export class DateTimeLocalField extends Field<Date | null> {
  readonly type: string = 'DateTimeLocalField';
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(values[0]).trim());
    const parts = m === null ? [] : m.slice(1).map((x) => Number(x ?? 0));
    const [y, mo, d, h, mi, sec] = parts as [number, number, number, number, number, number];
    const date = m === null ? null : new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
    if (
      date === null ||
      date.getUTCDate() !== d ||
      date.getUTCMonth() !== mo - 1 ||
      h > 23 ||
      mi > 59 ||
      sec > 59
    ) {
      this.data = null;
      throw new Error('Not a valid datetime value.');
    }
    this.data = date;
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    return this.data ? this.data.toISOString().slice(0, 16) : '';
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'datetime-local', attrs, [...BASE_ATTRS, 'max', 'min', 'step'], this.value());
  }
}

/** A month typed as `YYYY-MM` (an `<input type="month">`); `data` is its first day at UTC midnight. */
export class MonthField extends Field<Date | null> {
  readonly type: string = 'MonthField';
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    const m = /^(\d{4})-(\d{2})$/.exec(String(values[0]).trim());
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 12) {
      this.data = null;
      throw new Error('Not a valid date value.');
    }
    this.data = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  }
  override value(): string {
    if (this.rawData && this.rawData.length > 0) return String(this.rawData[0]);
    return this.data ? `${this.data.getUTCFullYear()}-${p2(this.data.getUTCMonth() + 1)}` : '';
  }
  render(attrs: Attrs = {}): Markup {
    return input(this, 'month', attrs, [...BASE_ATTRS, 'max', 'min', 'step'], this.value());
  }
}

/** A choice: `[value, label]` pairs (or plain values). */
export type Choice = string | readonly [string, string];

function choicePairs(choices: readonly Choice[]): [string, string][] {
  return choices.map((c) => (typeof c === 'string' ? [c, c] : [c[0], c[1]]));
}

/** Options of `SelectField`, `RadioField` and `SelectMultipleField`. */
export interface ChoiceFieldOptions<T, D> extends FieldOptions<D> {
  choices?: readonly Choice[];
  /**
   * Turns the submitted string into `data` (WTForms' `coerce=int`: `coerce: Number`); throw for bad input,
   * which is the error "Invalid Choice: could not coerce.". The choices' values go through it too before they
   * are compared with `data`. Default: `String` (WTForms' `coerce=str`).
   */
  coerce?: (value: string) => T;
}

/**
 * A default or an object's value through `coerce` (WTForms' `process_data`): strings are coerced; other values
 * are taken as coerced already (the default coerce makes them strings, as `str` does). Null when it throws.
 */
function coerceValue<T>(coerce: (value: string) => T, custom: boolean, value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' && custom) return value as T;
  try {
    return coerce(typeof value === 'string' ? value : String(value));
  } catch {
    return null;
  }
}

/**
 * One of a list of choices (`<select>`); a value outside the list is "Not a valid choice.". `coerce` gives
 * `data` its type: `new SelectField('Size', [], { choices, coerce: Number })` is a `SelectField<number>`.
 */
export class SelectField<T = string> extends Field<T | null> {
  readonly type: string = 'SelectField';
  choices: [string, string][];
  /** The submitted string → `data`. */
  readonly coerce: (value: string) => T;
  private readonly customCoerce: boolean;
  constructor(
    label?: string,
    validators: Validator<NoInfer<T> | null>[] = [],
    options: ChoiceFieldOptions<T, NoInfer<T> | null> = {},
  ) {
    super(label, validators, options);
    this.choices = choicePairs(options.choices ?? []);
    this.coerce = options.coerce ?? (String as unknown as (value: string) => T);
    this.customCoerce = options.coerce !== undefined;
  }
  protected override processData(value: unknown): void {
    this.data = coerceValue(this.coerce, this.customCoerce, value);
  }
  protected processFormdata(values: unknown[]): void {
    if (values.length === 0) return;
    try {
      this.data = this.coerce(String(values[0]));
    } catch {
      throw new Error('Invalid Choice: could not coerce.');
    }
  }
  /** Whether a choice's value, coerced, is `data`. */
  protected isSelected(value: string): boolean {
    return this.coerce(value) === this.data;
  }
  protected override preValidate(): void {
    // the coerce error says it already (as current WTForms does)
    if (this.processErrors.length > 0) return;
    if (!this.choices.some(([v]) => this.isSelected(v))) throw new ValidationError('Not a valid choice.');
  }
  render(attrs: Attrs = {}): Markup {
    const a = this.baseAttrs(attrs, BASE_ATTRS);
    const options = this.choices
      .map(
        ([v, l]) =>
          `<option ${htmlParams({ selected: this.isSelected(v), value: v })}>${escapeHtml(l).toString()}</option>`,
      )
      .join('');
    return html(`<select ${htmlParams(a)}>${options}</select>`);
  }
}

/** Several of a list of choices (`<select multiple>`); `coerce` as for `SelectField`. */
export class SelectMultipleField<T = string> extends Field<T[]> {
  readonly type: string = 'SelectMultipleField';
  choices: [string, string][];
  /** A submitted string → an item of `data`. */
  readonly coerce: (value: string) => T;
  private readonly customCoerce: boolean;
  constructor(
    label?: string,
    validators: Validator<NoInfer<T>[]>[] = [],
    options: ChoiceFieldOptions<T, NoInfer<T>[]> = {},
  ) {
    super(label, validators, options);
    this.choices = choicePairs(options.choices ?? []);
    this.coerce = options.coerce ?? (String as unknown as (value: string) => T);
    this.customCoerce = options.coerce !== undefined;
  }
  protected override emptyData(): T[] {
    return [];
  }
  protected override processData(value: unknown): void {
    if (!Array.isArray(value)) {
      this.data = [];
      return;
    }
    const out: T[] = [];
    for (const v of value) {
      const c = coerceValue(this.coerce, this.customCoerce, v);
      if (c === null) {
        // WTForms: one value that cannot be coerced leaves no data
        this.data = [];
        return;
      }
      out.push(c);
    }
    this.data = out;
  }
  protected processFormdata(values: unknown[]): void {
    try {
      this.data = values.map((v) => this.coerce(String(v)));
    } catch {
      throw new Error('Invalid choice(s): one or more data inputs could not be coerced.');
    }
  }
  protected override preValidate(): void {
    if (this.processErrors.length > 0 || this.data.length === 0) return;
    const acceptable = this.choices.map(([v]) => this.coerce(v));
    const bad = [...new Set(this.data.filter((d) => !acceptable.includes(d)))].map(String);
    if (bad.length === 1) throw new ValidationError(`'${bad[0]}' is not a valid choice for this field.`);
    if (bad.length > 1)
      throw new ValidationError(`'${bad.join("', '")}' are not valid choices for this field.`);
  }
  render(attrs: Attrs = {}): Markup {
    const a = this.baseAttrs({ multiple: true, ...attrs }, BASE_ATTRS);
    const options = this.choices
      .map(
        ([v, l]) =>
          `<option ${htmlParams({ selected: this.data.includes(this.coerce(v)), value: v })}>${escapeHtml(l).toString()}</option>`,
      )
      .join('');
    return html(`<select ${htmlParams(a)}>${options}</select>`);
  }
}

/** One of a list of choices as radio buttons (WTForms renders a `<ul>` of inputs and labels). */
export class RadioField<T = string> extends SelectField<T> {
  override readonly type: string = 'RadioField';
  override render(attrs: Attrs = {}): Markup {
    const { id = this.id, ...rest } = attrs;
    const items = this.choices
      .map(([v, l], i) => {
        const itemId = `${String(id)}-${i}`;
        const inputAttrs = htmlParams({
          checked: this.isSelected(v),
          id: itemId,
          name: this.name,
          type: 'radio',
          value: v,
        });
        return `<li><input ${inputAttrs}> <label for="${escapeHtml(itemId).toString()}">${escapeHtml(l).toString()}</label></li>`;
      })
      .join('');
    return html(`<ul ${htmlParams({ id, ...rest })}>${items}</ul>`);
  }
}

/** An uploaded file (`data` is a `FileStorage`, or null when none was sent). */
export class FileField extends Field<FileStorage | null> {
  readonly type: string = 'FileField';
  protected processFormdata(values: unknown[]): void {
    const f = values.find((v) => v instanceof FileStorage && v.filename);
    this.data = (f as FileStorage | undefined) ?? null;
  }
  override value(): string {
    return '';
  }
  render(attrs: Attrs = {}): Markup {
    const a = this.baseAttrs(attrs, ['required', 'disabled', 'accept']);
    return html(`<input ${htmlParams({ type: 'file', ...a })}>`);
  }
}

/** Several uploaded files. */
export class MultipleFileField extends Field<FileStorage[]> {
  readonly type: string = 'MultipleFileField';
  protected override emptyData(): FileStorage[] {
    return [];
  }
  protected processFormdata(values: unknown[]): void {
    this.data = values.filter((v): v is FileStorage => v instanceof FileStorage && Boolean(v.filename));
  }
  render(attrs: Attrs = {}): Markup {
    const a = this.baseAttrs({ multiple: true, ...attrs }, ['required', 'disabled', 'accept']);
    return html(`<input ${htmlParams({ type: 'file', ...a })}>`);
  }
}

/** A submit button: `data` is true for the button that was pressed. */
export class SubmitField extends BooleanField {
  override readonly type: string = 'SubmitField';
  override render(attrs: Attrs = {}): Markup {
    return input(this, 'submit', attrs, BASE_ATTRS, this.label.text);
  }
}

/** The CSRF token (added to every form while CSRF is on): hidden, and checked against the session. */
export class CSRFTokenField extends HiddenField {
  override readonly type: string = 'CSRFTokenField';
  /** The token the page gets: a fresh signed one, never what was submitted. */
  current: () => string = () => '';
  override value(): string {
    return this.current();
  }
  override populateObj(): void {}
}
