import { checkPasswordHash, type Phial, templateRendered } from 'phial';
import { describe, expect, it } from 'vitest';
import { getDb } from '../src/db.js';
import { setup } from './fixtures.js';

describe('register', () => {
  it('creates a user and redirects to the login page', async () => {
    const { app, client } = await setup();
    expect((await client.get('/auth/register')).status).toBe(200);
    const res = await client.post('/auth/register', {
      form: { username: 'a', email: 'a@example.com', password: 'a' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/auth/login');
    const user = await app.appContext(() => getDb().getUserByName('a'));
    expect(user).toBeDefined();
    // stored hashed, and the hash checks
    expect(user?.password).toMatch(/^scrypt:32768:8:1\$/);
    expect(await checkPasswordHash(user?.password ?? '', 'a')).toBe(true);
    expect(await checkPasswordHash(user?.password ?? '', 'b')).toBe(false);
  });

  it.each([
    ['', '', 'Username is required.'],
    ['a', '', 'Password is required.'],
    ['test', 'test', 'User test is already registered.'],
  ])('validates input (%j, %j)', async (username, password, message) => {
    const { client } = await setup();
    const res = await client.post('/auth/register', { form: { username, email: 'x@example.com', password } });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<div class="flash">${message}</div>`);
    // the form keeps what was typed
    expect(res.text).toContain(
      `id="username" maxlength="64" name="username" required type="text" value="${username}"`,
    );
  });

  it('escapes the username in the error message', async () => {
    const { app, client } = await setup();
    await app.appContext(() => getDb().insertUser('<b>x</b>', 'scrypt:1:1:1$x$00'));
    const res = await client.post('/auth/register', {
      form: { username: '<b>x</b>', email: 'x@example.com', password: 'p' },
    });
    expect(res.text).toContain('User &lt;b&gt;x&lt;/b&gt; is already registered.');
    expect(res.text).not.toContain('<b>x</b>');
  });
});

/** Records the context of each rendered template (Flask's `captured_templates` recipe). */
function captureTemplates(app: Phial): { name: unknown; context: Record<string, unknown> }[] {
  const recorded: { name: unknown; context: Record<string, unknown> }[] = [];
  templateRendered.connect((_sender, { template, context }) => {
    recorded.push({ name: (template as { name?: unknown }).name, context });
  }, app);
  return recorded;
}

describe('login', () => {
  it('stores the user id in the session and loads g.user', async () => {
    const { app, client, auth } = await setup();
    expect((await client.get('/auth/login')).status).toBe(200);
    const res = await auth.login();
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    const cookie = res.headers.get('Set-Cookie') ?? '';
    expect(cookie).toMatch(/^session=[\w.-]+;/);
    expect(cookie).toContain('HttpOnly');

    const templates = captureTemplates(app);
    const page = await client.get('/');
    expect(page.status).toBe(200);
    expect(templates).toHaveLength(1);
    expect(templates[0]?.name).toBe('blog/index.html');
    const user = templates[0]?.context.current_user as {
      id: number;
      username: string;
      isAuthenticated: boolean;
    };
    expect(user.isAuthenticated).toBe(true);
    expect(user.username).toBe('test');
    // Flask-Login's session key: a Flask app sharing the session cookie sees the same user
    expect(await client.sessionTransaction((session) => session.get('_user_id' as never))).toBe('1');
  });

  it.each([
    ['a', 'test', 'Incorrect username.'],
    ['test', 'a', 'Incorrect password.'],
  ])('validates input (%j, %j)', async (username, password, message) => {
    const { client, auth } = await setup();
    const res = await auth.login(username, password);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<div class="flash">${message}</div>`);
    expect(await client.sessionTransaction((session) => session.has('_user_id' as never))).toBe(false);
  });

  it('shows a flashed message once', async () => {
    const { client, auth } = await setup();
    await auth.login('test', 'wrong');
    const next = await client.get('/auth/login');
    expect(next.text).not.toContain('class="flash"');
  });
});

describe('logout', () => {
  it('clears the session', async () => {
    const { client, auth } = await setup();
    await auth.login();
    expect(await client.sessionTransaction((session) => session.get('_user_id' as never))).toBe('1');
    const res = await auth.logout();
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    expect(await client.sessionTransaction((session) => session.has('_user_id' as never))).toBe(false);
    const page = await client.get('/');
    expect(page.text).toContain('Log In');
    expect(page.text).not.toContain('Log Out');
  });
});
