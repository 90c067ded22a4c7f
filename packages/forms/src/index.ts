/**
 * `@phial/forms`: Flask-WTF's role for Phial. Form classes with typed fields and WTForms' validators, rendering
 * from Jinja templates the way Flask-WTF templates expect, and CSRF protection per form or app-wide.
 */
export { CSRFError, CSRFProtect, csrfFieldName, generateCsrf, validateCsrf } from './csrf.js';
export type { Choice, ChoiceFieldOptions, FieldOptions, FormData } from './fields.js';
export {
  BooleanField,
  CSRFTokenField,
  DateField,
  DateTimeLocalField,
  DecimalField,
  EmailField,
  Field,
  FileField,
  FloatField,
  HiddenField,
  IntegerField,
  Label,
  MonthField,
  MultipleFileField,
  PasswordField,
  RadioField,
  SearchField,
  SelectField,
  SelectMultipleField,
  StringField,
  SubmitField,
  TelField,
  TextAreaField,
  TimeField,
  URLField,
} from './fields.js';
export type { ExtraValidators, FormDataOf, FormOptions } from './form.js';
export { Form } from './form.js';
export type { Attrs } from './html.js';
export { htmlParams } from './html.js';
export type { Validator } from './validators.js';
export {
  anyOf,
  dataRequired,
  email,
  equalTo,
  fileAllowed,
  fileRequired,
  fileSize,
  inputRequired,
  length,
  noneOf,
  numberRange,
  optional,
  regexp,
  StopValidation,
  schema,
  url,
  ValidationError,
} from './validators.js';
