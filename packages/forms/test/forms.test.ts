import { Phial, renderTemplateString, URLSafeTimedSerializer } from 'phial';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  BooleanField,
  CSRFProtect,
  DateField,
  DateTimeLocalField,
  DecimalField,
  dataRequired,
  EmailField,
  email,
  equalTo,
  type Field,
  FileField,
  FloatField,
  Form,
  fileAllowed,
  fileSize,
  IntegerField,
  length,
  MonthField,
  noneOf,
  numberRange,
  optional,
  PasswordField,
  RadioField,
  regexp,
  SearchField,
  SelectField,
  SelectMultipleField,
  StopValidation,
  StringField,
  SubmitField,
  schema,
  TelField,
  TextAreaField,
  TimeField,
  url,
  ValidationError,
  type Validator,
} from '../src/index.js';

class SignupForm extends Form {
  name = new StringField('Your name', [dataRequired(), length({ min: 2, max: 20 })]);
  email = new EmailField('Email', [dataRequired(), email()]);
  age = new IntegerField('Age', [optional(), numberRange({ min: 13, max: 130 })]);
  password = new PasswordField('Password', [dataRequired(), length({ min: 8 })]);
  confirm = new PasswordField('Repeat password', [equalTo('password')]);
  plan = new SelectField('Plan', [], {
    choices: [
      ['free', 'Free'],
      ['pro', 'Pro <b>'],
    ],
  });
  terms = new BooleanField('I agree', [dataRequired()]);
  submit = new SubmitField('Sign up');

  validate_name(field: StringField) {
    if (field.data === 'admin') throw new ValidationError('That name is reserved.');
  }
}

const VALID = {
  name: 'Ann',
  email: 'ann@example.com',
  age: '30',
  password: 'correct horse',
  confirm: 'correct horse',
  plan: 'pro',
  terms: 'y',
};

interface Result {
  ok: boolean;
  data?: Record<string, unknown>;
  errors?: Record<string, string[]>;
  submitted?: boolean;
}
const body = (r: { json: unknown }) => r.json as Result;

function makeApp(csrf = false) {
  const app = new Phial(import.meta.url, { staticFolder: null, templateFolder: null });
  app.config.SECRET_KEY = 'forms secret';
  app.config.WTF_CSRF_ENABLED = csrf;
  app.route('/signup', { methods: ['GET', 'POST'] }, async function signup() {
    const form = new SignupForm();
    if (await form.validateOnSubmit()) return { ok: true, data: form.data };
    return { ok: false, errors: form.errors, submitted: form.isSubmitted() };
  });
  return app;
}

describe('validation', () => {
  it('is false on GET and true for a valid submission, with typed data', async () => {
    const client = makeApp().testClient();
    expect((await client.get('/signup')).json).toEqual({ ok: false, errors: {}, submitted: false });
    const r = await client.post('/signup', { form: VALID });
    expect(body(r)).toEqual({
      ok: true,
      data: {
        name: 'Ann',
        email: 'ann@example.com',
        age: 30,
        password: 'correct horse',
        confirm: 'correct horse',
        plan: 'pro',
        terms: true,
        submit: false,
      },
    });
  });

  it("reports WTForms' messages per field", async () => {
    const client = makeApp().testClient();
    const r = await client.post('/signup', {
      form: {
        name: 'A',
        email: 'not-an-email',
        age: 'abc',
        password: 'short',
        confirm: 'other',
        plan: 'gold',
      },
    });
    expect(body(r).errors).toEqual({
      name: ['Field must be between 2 and 20 characters long.'],
      email: ['Invalid email address.'],
      age: ['Not a valid integer value.', 'Number must be between 13 and 130.'],
      password: ['Field must be at least 8 characters long.'],
      confirm: ['Field must be equal to password.'],
      plan: ['Not a valid choice.'],
      terms: ['This field is required.'],
    });
    const r2 = await client.post('/signup', { form: { ...VALID, name: 'admin', age: '7' } });
    expect(body(r2).errors).toEqual({
      name: ['That name is reserved.'],
      age: ['Number must be between 13 and 130.'],
    });
    const r3 = await client.post('/signup', { form: { ...VALID, age: '' } });
    expect(body(r3).ok).toBe(true);
  });

  it('types form.data from the fields', () => {
    expectTypeOf<SignupForm['data']>().toEqualTypeOf<{
      name: string | null;
      email: string | null;
      age: number | null;
      password: string | null;
      confirm: string | null;
      plan: string | null;
      terms: boolean;
      submit: boolean;
    }>();
  });

  it('validators: url, regexp, noneOf, dates, decimals, Standard Schema', async () => {
    class Misc extends Form {
      site = new StringField('Site', [url()]);
      code = new StringField('Code', [regexp(/^[A-Z]{3}$/)]);
      nick = new StringField('Nick', [noneOf(['root', 'admin'])]);
      born = new DateField('Born');
      price = new DecimalField('Price');
      tag = new StringField('Tag', [schema(z.string().trim().toLowerCase().min(2, 'Too short'))]);
    }
    const app = makeApp();
    const check = (formdata: Record<string, string>) =>
      app.testRequestContext('/', { method: 'POST' }, async () => {
        const form = new Misc({ formdata });
        const ok = await form.validate();
        return { ok, errors: form.errors, data: form.data };
      });
    const good = await check({
      site: 'https://phial.dev/x',
      code: 'ABC',
      nick: 'ann',
      born: '2000-02-29',
      price: '19.99',
      tag: '  WEB ',
    });
    expect(good.ok).toBe(true);
    expect(good.data.born?.toISOString()).toBe('2000-02-29T00:00:00.000Z');
    expect(good.data.price).toBe('19.99');
    expect(good.data.tag).toBe('web');
    const bad = await check({
      site: 'javascript:alert(1)',
      code: 'abc',
      nick: 'root',
      born: '2001-02-29',
      price: '1e5',
      tag: 'x',
    });
    expect(bad.errors).toEqual({
      site: ['Invalid URL.'],
      code: ['Invalid input.'],
      nick: ["Invalid value, can't be any of: root, admin."],
      born: ['Not a valid date value.'],
      price: ['Not a valid decimal value.'],
      tag: ['Too short'],
    });
  });

  it("WTForms' other HTML5 fields: float, time, datetime-local, month, tel, search (outputs of WTForms 3.0)", async () => {
    class More extends Form {
      f = new FloatField('F');
      t = new TimeField('T');
      dt = new DateTimeLocalField('DT');
      m = new MonthField('M');
      tel = new TelField('Tel');
      s = new SearchField('S');
    }
    const app = makeApp();
    const check = (formdata: Record<string, string>) =>
      app.testRequestContext('/', { method: 'POST' }, async () => {
        const form = new More({ formdata });
        const ok = await form.validate();
        return {
          ok,
          errors: form.errors,
          data: form.data,
          html: [form.f, form.t, form.dt, form.m, form.tel, form.s].map((x) => String(x.render())),
        };
      });
    const good = await check({
      f: '1.5',
      t: '13:45',
      dt: '2026-12-05T06:30',
      m: '2026-12',
      tel: '+1 555',
      s: 'q',
    });
    expect(good.ok).toBe(true);
    expect(good.data.f).toBe(1.5);
    expect(good.data.t).toBe('13:45');
    expect(good.data.dt?.toISOString()).toBe('2026-12-05T06:30:00.000Z');
    expect(good.data.m?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect([good.data.tel, good.data.s]).toEqual(['+1 555', 'q']);
    expect(good.html).toEqual([
      '<input id="f" name="f" type="text" value="1.5">',
      '<input id="t" name="t" type="time" value="13:45">',
      '<input id="dt" name="dt" type="datetime-local" value="2026-12-05T06:30">',
      '<input id="m" name="m" type="month" value="2026-12">',
      '<input id="tel" name="tel" type="tel" value="+1 555">',
      '<input id="s" name="s" type="search" value="q">',
    ]);
    const bad = await check({ f: 'x', t: '25:00', dt: 'nope', m: '2026-13' });
    expect(bad.ok).toBe(false);
    expect(bad.errors).toEqual({
      f: ['Not a valid float value.'],
      t: ['Not a valid time value.'],
      dt: ['Not a valid datetime value.'],
      m: ['Not a valid date value.'],
    });
  });

  it('checks uploaded files by type and size', async () => {
    class Upload extends Form {
      avatar = new FileField('Avatar', [fileAllowed(['png', 'jpg']), fileSize(10)]);
    }
    const app = new Phial(import.meta.url, { staticFolder: null, templateFolder: null });
    app.config.WTF_CSRF_ENABLED = false;
    app.post('/upload', async () => {
      const form = new Upload();
      return (await form.validate()) ? { name: form.data.avatar?.filename } : { errors: form.errors };
    });
    const client = app.testClient();
    const send = (name: string, body: string) =>
      client.post('/upload', { files: { avatar: new File([body], name) } });
    expect((await send('me.png', 'tiny')).json).toEqual({ name: 'me.png' });
    expect((await send('me.exe', 'tiny')).json).toEqual({
      errors: { avatar: ['File does not have an approved extension: png, jpg'] },
    });
    expect((await send('me.png', 'far too large')).json).toEqual({
      errors: { avatar: ['File must be between 0 and 10 bytes.'] },
    });
  });

  it('fills an edit form from an object and copies the data back', async () => {
    class PostForm extends Form {
      title = new StringField('Title', [dataRequired()]);
      body = new TextAreaField('Body');
    }
    const app = makeApp();
    const post = { title: 'Old', body: 'Text', id: 7 };
    const html = await app.testRequestContext('/', {}, () =>
      renderTemplateString('{{ form.title }}|{{ form.body }}', { form: new PostForm({ obj: post }) }),
    );
    expect(html).toBe(
      '<input id="title" name="title" required type="text" value="Old">|<textarea id="body" name="body">\r\nText</textarea>',
    );
    await app.testRequestContext('/', { method: 'POST', form: { title: 'New', body: 'B' } }, async () => {
      const form = new PostForm({ obj: post });
      expect(await form.validate()).toBe(true);
      form.populateObj(post);
    });
    expect(post).toEqual({ title: 'New', body: 'B', id: 7 });
  });
});

describe('inline validators (validate_<name> methods), as in WTForms', () => {
  const taken = new Set(['ann']);
  async function findUser(name: string | null): Promise<boolean> {
    await new Promise((r) => setTimeout(r, 1));
    return name !== null && taken.has(name);
  }

  class AccountForm extends Form {
    username = new StringField('Username', [dataRequired()]);
    nickname = new StringField('Nickname');
    code = new StringField('Code', [length({ max: 3 })]);
    calls: string[] = [];

    async validate_username(field: StringField) {
      this.calls.push('username');
      if (await findUser(field.data)) throw new ValidationError('Name taken.');
    }
    validateNickname(field: StringField) {
      this.calls.push('nickname');
      if (field.data === 'root') throw new ValidationError('Reserved.');
    }
    async validate_code(field: StringField) {
      this.calls.push('code');
      await new Promise((r) => setTimeout(r, 1));
      if (field.data?.startsWith('x')) throw new StopValidation('No x codes.');
    }
  }

  async function check(formdata: Record<string, string>) {
    const app = makeApp();
    return app.testRequestContext('/', { method: 'POST' }, async () => {
      const form = new AccountForm({ formdata });
      const ok = await form.validate();
      return { ok, errors: form.errors, calls: form.calls };
    });
  }

  it('awaits async ones and records what they throw; sync ones too', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      expect(await check({ username: 'bob', nickname: 'b', code: 'abc' })).toEqual({
        ok: true,
        errors: {},
        calls: ['username', 'nickname', 'code'],
      });
      expect(await check({ username: 'ann', nickname: 'root', code: 'xy' })).toEqual({
        ok: false,
        errors: { username: ['Name taken.'], nickname: ['Reserved.'], code: ['No x codes.'] },
        calls: ['username', 'nickname', 'code'],
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it("run after the field's own validators, and not when one of them stopped the chain", async () => {
    // dataRequired stops: the inline username check does not run; length() does not stop: the inline one runs
    const r = await check({ username: '', nickname: '', code: 'xyzw' });
    expect(r.errors).toEqual({
      username: ['This field is required.'],
      code: ['Field cannot be longer than 3 characters.', 'No x codes.'],
    });
    expect(r.calls).toEqual(['nickname', 'code']);
  });

  it('a field named like a Form method (onSubmit) does not take that method as its validator', async () => {
    class Odd extends Form {
      onSubmit = new StringField('On submit');
    }
    const app = makeApp();
    const ok = await app.testRequestContext('/', { method: 'GET' }, () =>
      new Odd({ formdata: { onSubmit: 'x' } }).validate(),
    );
    expect(ok).toBe(true);
  });
});

describe("SelectField coerce (WTForms' coerce=int)", () => {
  const strictInt = (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new Error(`not an integer: ${v}`);
    return Number(v);
  };
  const SIZES = [
    ['1', 'Small'],
    ['2', 'Large'],
  ] as const;

  class SizeForm extends Form {
    size = new SelectField('Size', [], { choices: SIZES, coerce: strictInt });
    radio = new RadioField('Radio', [], { choices: SIZES, coerce: Number });
    many = new SelectMultipleField('Many', [], { choices: SIZES, coerce: strictInt });
    plain = new SelectField('Plain', [], { choices: ['a', 'b'] });
  }

  async function check(formdata: Record<string, string | string[]>) {
    const app = makeApp();
    return app.testRequestContext('/', { method: 'POST' }, async () => {
      const form = new SizeForm({ formdata });
      const ok = await form.validate();
      return { ok, errors: form.errors, data: form.data };
    });
  }

  it('coerces the submitted value, and the choices for the check', async () => {
    expect(await check({ size: '2', radio: '1', many: ['1', '2'], plain: 'b' })).toEqual({
      ok: true,
      errors: {},
      data: { size: 2, radio: 1, many: [1, 2], plain: 'b' },
    });
    expect((await check({ size: '3', radio: '9', many: ['9'], plain: 'c' })).errors).toEqual({
      size: ['Not a valid choice.'],
      radio: ['Not a valid choice.'],
      many: ["'9' is not a valid choice for this field."],
      plain: ['Not a valid choice.'],
    });
    expect((await check({ size: '1', radio: '1', many: ['1', '8', '9', '8'], plain: 'a' })).errors).toEqual({
      many: ["'8', '9' are not valid choices for this field."],
    });
  });

  it('a coerce that throws is "Invalid Choice: could not coerce."', async () => {
    const r = await check({ size: 'abc', radio: '1', many: ['1', 'x'], plain: 'a' });
    expect(r.errors).toEqual({
      size: ['Invalid Choice: could not coerce.'],
      many: ['Invalid choice(s): one or more data inputs could not be coerced.'],
    });
    expect(r.data.size).toBeNull();
    expect(r.data.many).toEqual([]);
  });

  it('types data from coerce', () => {
    expectTypeOf<SizeForm['data']>().toEqualTypeOf<{
      size: number | null;
      radio: number | null;
      many: number[];
      plain: string | null;
    }>();
    // validators do not change the type that coerce gives
    const f = new SelectField('x', [dataRequired()], { choices: ['1'], coerce: Number });
    expectTypeOf(f.data).toEqualTypeOf<number | null>();
    expectTypeOf(new SelectField('x', [dataRequired()]).data).toEqualTypeOf<string | null>();
  });

  it('renders the coerced default and object values as selected', async () => {
    const app = makeApp();
    const out = await app.testRequestContext('/', {}, () => {
      const form = new SizeForm({ obj: { size: 2, radio: '2', many: ['1'] } });
      return renderTemplateString('{{ form.size }}|{{ form.radio }}|{{ form.many }}|{{ form.size.data }}', {
        form,
      });
    });
    expect(out).toBe(
      [
        '<select id="size" name="size"><option value="1">Small</option><option selected value="2">Large</option></select>',
        '<ul id="radio"><li><input id="radio-0" name="radio" type="radio" value="1"> <label for="radio-0">Small</label></li><li><input checked id="radio-1" name="radio" type="radio" value="2"> <label for="radio-1">Large</label></li></ul>',
        '<select id="many" multiple name="many"><option selected value="1">Small</option><option value="2">Large</option></select>',
        '2',
      ].join('|'),
    );
  });

  it('a choice may coerce to null (WTForms: a yes/no/unknown select)', async () => {
    const yesNo = (v: string): boolean | null => {
      const out = ({ '': null, yes: true, no: false } as Record<string, boolean | null>)[v];
      if (out === undefined) throw new Error(`not yes/no: ${v}`);
      return out;
    };
    class F extends Form {
      answer = new SelectField('Answer', [], {
        choices: [
          ['', 'Unknown'],
          ['yes', 'Yes'],
          ['no', 'No'],
        ],
        coerce: yesNo,
      });
    }
    const app = makeApp();
    const run = (answer: string) =>
      app.testRequestContext('/', { method: 'POST' }, async () => {
        const form = new F({ formdata: { answer } });
        return { ok: await form.validate(), data: form.data.answer, errors: form.errors };
      });
    expect(await run('')).toEqual({ ok: true, data: null, errors: {} });
    expect(await run('no')).toEqual({ ok: true, data: false, errors: {} });
    expect(await run('maybe')).toEqual({
      ok: false,
      data: null,
      errors: { answer: ['Invalid Choice: could not coerce.'] },
    });
  });

  it('"Not a valid choice." does not stop the chain (a ValidationError, as in WTForms)', async () => {
    class F extends Form {
      pick = new SelectField('Pick', [regexp(/^z/)], { choices: ['a'] });
    }
    const app = makeApp();
    const errors = await app.testRequestContext('/', { method: 'POST' }, async () => {
      const form = new F({ formdata: { pick: 'c' } });
      await form.validate();
      return form.errors;
    });
    expect(errors).toEqual({ pick: ['Not a valid choice.', 'Invalid input.'] });
  });
});

describe('validator types', () => {
  it('gives a validator the data type of the field it is given to, and the form', () => {
    new StringField('Name', [
      (form, field) => {
        expectTypeOf(form).toEqualTypeOf<Form>();
        expectTypeOf(field).toEqualTypeOf<Field<string | null>>();
        expectTypeOf(field.data).toEqualTypeOf<string | null>();
      },
    ]);
    new IntegerField('Age', [
      (_form, field) => {
        expectTypeOf(field.data).toEqualTypeOf<number | null>();
      },
    ]);
    new BooleanField('Agree', [
      async (_form, field) => {
        expectTypeOf(field.data).toEqualTypeOf<boolean>();
      },
    ]);
    // without a field: unknown, never any
    expectTypeOf<Parameters<Validator>[1]['data']>().toEqualTypeOf<unknown>();
    expectTypeOf<Parameters<Validator>[0]>().toEqualTypeOf<Form>();
    expectTypeOf(dataRequired()).toEqualTypeOf<Validator>();

    const notNegative: Validator<number | null> = (_form, field) => {
      if ((field.data ?? 0) < 0) throw new ValidationError('Must not be negative.');
    };
    new IntegerField('Count', [dataRequired(), notNegative]);
    // @ts-expect-error a validator of numbers does not fit a text field
    new StringField('Name', [notNegative]);
  });

  it('types extra validators by field name', async () => {
    const app = makeApp();
    const errors = await app.testRequestContext('/', { method: 'POST' }, async () => {
      const form = new SignupForm({ formdata: VALID });
      await form.validate({
        age: [
          (_form, field) => {
            expectTypeOf(field.data).toEqualTypeOf<number | null>();
            if (field.data === 30) throw new ValidationError('Thirty.');
          },
        ],
      });
      return form.errors;
    });
    expect(errors).toEqual({ age: ['Thirty.'] });
  });
});

describe('rendering from Jinja templates, as Flask-WTF templates do', () => {
  it('labels, widgets with keyword arguments, errors, iteration, all autoescaped', async () => {
    const app = makeApp();
    const out = await app.testRequestContext(
      '/',
      { method: 'POST', form: { name: '"><script>x</script>', plan: 'pro' } },
      async () => {
        const form = new SignupForm();
        await form.validate();
        return renderTemplateString(
          [
            '{{ form.name.label }}',
            '{{ form.name(class_="input", placeholder="Ann <3", data_role="n") }}',
            '{% for e in form.email.errors %}<li>{{ e }}</li>{% endfor %}',
            '{{ form.plan }}',
            '{{ form.terms.label(class_="check") }} {{ form.terms }}',
            '{{ form.submit }}',
            '{% for field in form %}{{ field.name }},{% endfor %}',
            '{{ form.password.type }} {{ form.name.flags.required }}',
          ].join('\n'),
          { form },
        );
      },
    );
    expect(out.split('\n')).toEqual([
      '<label for="name">Your name</label>',
      '<input class="input" data-role="n" id="name" maxlength="20" minlength="2" name="name" placeholder="Ann &lt;3" required type="text" value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;">',
      '<li>This field is required.</li>',
      '<select id="plan" name="plan"><option value="free">Free</option><option selected value="pro">Pro &lt;b&gt;</option></select>',
      '<label class="check" for="terms">I agree</label> <input id="terms" name="terms" required type="checkbox" value="y">',
      '<input id="submit" name="submit" type="submit" value="Sign up">',
      'name,email,age,password,confirm,plan,terms,submit,',
      'PasswordField True',
    ]);
  });

  it('radio buttons', async () => {
    class Pick extends Form {
      size = new RadioField('Size', [], {
        choices: [
          ['s', 'Small'],
          ['l', 'Large'],
        ],
        default: 'l',
      });
    }
    const app = makeApp();
    const out = await app.testRequestContext('/', {}, () =>
      renderTemplateString('{{ form.size }}', { form: new Pick() }),
    );
    expect(out).toBe(
      '<ul id="size"><li><input id="size-0" name="size" type="radio" value="s"> <label for="size-0">Small</label></li><li><input checked id="size-1" name="size" type="radio" value="l"> <label for="size-1">Large</label></li></ul>',
    );
  });
});

describe('CSRF in forms', () => {
  it('renders csrf_token and hidden_tag, and a form needs the token back from the same session', async () => {
    const app = makeApp(true);
    app.get('/page', () => {
      const form = new SignupForm();
      return renderTemplateString('{{ form.csrf_token }}|{{ form.hidden_tag() }}|{{ csrf_token() }}', {
        form,
      });
    });
    new CSRFProtect(); // not bound: only per-form checks here
    app.templateGlobal('csrf_token', () =>
      ((new SignupForm() as unknown as Record<string, unknown>).csrf_token as { value(): string }).value(),
    );
    const client = app.testClient();
    const page = (await client.get('/page')).text;
    const [field, hidden, bare] = page.split('|');
    const token = /value="([^"]+)"/.exec(field as string)?.[1] as string;
    expect(field).toBe(`<input id="csrf_token" name="csrf_token" type="hidden" value="${token}">`);
    expect(hidden).toBe(field);
    expect(bare).toBe(token);

    const without = await client.post('/signup', { form: VALID });
    expect(body(without).errors).toEqual({ csrf_token: ['The CSRF token is missing.'] });
    const withToken = await client.post('/signup', { form: { ...VALID, csrf_token: token } });
    expect(body(withToken).ok).toBe(true);
    // another browser (another session) cannot use it
    const other = app.testClient();
    await other.get('/page');
    expect(body(await other.post('/signup', { form: { ...VALID, csrf_token: token } })).errors).toEqual({
      csrf_token: ['The CSRF tokens do not match.'],
    });
  });
});

describe('CSRFProtect', () => {
  function protectedApp() {
    const app = new Phial(import.meta.url, { staticFolder: null, templateFolder: null });
    app.config.SECRET_KEY = 'csrf secret';
    const csrf = new CSRFProtect(app);
    app.get('/form', () => renderTemplateString('{{ csrf_token() }}'));
    app.post('/transfer', () => 'moved');
    app.post(
      '/hook',
      csrf.exempt(function hook() {
        return 'webhook ok';
      }),
    );
    return { app, csrf };
  }

  async function tokenFor(client: ReturnType<Phial['testClient']>): Promise<string> {
    return (await client.get('/form')).text;
  }

  it('refuses an unsafe request without a valid token with a 400 that says why', async () => {
    const { app } = protectedApp();
    const client = app.testClient();
    const token = await tokenFor(client);
    const missing = await client.post('/transfer', { form: { amount: '1' } });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('The CSRF token is missing.');
    const tampered = await client.post('/transfer', { form: { csrf_token: `${token.slice(0, -2)}xx` } });
    expect(tampered.status).toBe(400);
    expect(tampered.text).toContain('The CSRF token is invalid.');
    expect((await client.post('/transfer', { form: { csrf_token: token } })).text).toBe('moved');
    // AJAX: the token in a header
    expect((await client.post('/transfer', { headers: { 'X-CSRFToken': token } })).text).toBe('moved');
    // safe methods and exempt views pass
    expect((await client.get('/form')).status).toBe(200);
    expect((await client.post('/hook')).text).toBe('webhook ok');
    // another session
    const other = app.testClient();
    await tokenFor(other);
    const foreign = await other.post('/transfer', { form: { csrf_token: token } });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('The CSRF tokens do not match.');
    // no session at all
    const fresh = app.testClient();
    expect((await fresh.post('/transfer', { form: { csrf_token: token } })).text).toContain(
      'The CSRF session token is missing.',
    );
  });

  it('refuses an expired token (WTF_CSRF_TIME_LIMIT)', async () => {
    const { app } = protectedApp();
    app.config.WTF_CSRF_TIME_LIMIT = 60;
    const client = app.testClient();
    const fresh = await tokenFor(client);
    const raw = new URLSafeTimedSerializer<string>('csrf secret', { salt: 'wtf-csrf-token' }).loads(fresh);
    const old = new URLSafeTimedSerializer<string>('csrf secret', { salt: 'wtf-csrf-token' }).dumps(
      raw,
      Math.floor(Date.now() / 1000) - 120,
    );
    const r = await client.post('/transfer', { form: { csrf_token: old } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('The CSRF token has expired.');
  });

  it('on HTTPS, refuses a cross-origin Referer or Origin', async () => {
    const { app } = protectedApp();
    const client = app.testClient();
    const token = (await client.get('https://localhost/form')).text;
    const post = (headers: Record<string, string>) =>
      client.post('https://localhost/transfer', { form: { csrf_token: token }, headers });
    const noRef = await post({});
    expect(noRef.status).toBe(400);
    expect(noRef.text).toContain('The referrer header is missing.');
    expect((await post({ Referer: 'https://evil.example/page' })).text).toContain(
      'The referrer does not match the host.',
    );
    expect(
      (await post({ Referer: 'https://localhost/form', Origin: 'https://evil.example' })).text,
    ).toContain('The origin does not match the host.');
    expect((await post({ Referer: 'http://localhost/form' })).status).toBe(400);
    expect((await post({ Referer: 'https://localhost/form', Origin: 'https://localhost' })).text).toBe(
      'moved',
    );
  });

  it('exempts a whole blueprint', async () => {
    const { Blueprint } = await import('phial');
    const { app, csrf } = protectedApp();
    const api = new Blueprint('api', import.meta.url, { urlPrefix: '/api' });
    api.post('/ping', () => 'pong');
    csrf.exempt(api);
    app.registerBlueprint(api);
    expect((await app.testClient().post('/api/ping')).text).toBe('pong');
  });
});
