import { Phial, renderTemplateString, URLSafeTimedSerializer } from 'phial';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  BooleanField,
  CSRFProtect,
  DateField,
  DecimalField,
  dataRequired,
  EmailField,
  email,
  equalTo,
  FileField,
  Form,
  fileAllowed,
  fileSize,
  IntegerField,
  length,
  noneOf,
  numberRange,
  optional,
  PasswordField,
  RadioField,
  regexp,
  SelectField,
  StringField,
  SubmitField,
  schema,
  TextAreaField,
  url,
  ValidationError,
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
