import { describe, expect, it } from 'vitest';
import { getDb } from '../src/db.js';
import { setup } from './fixtures.js';

describe('index', () => {
  it('lists posts, with links for the logged-in author', async () => {
    const { client, auth } = await setup();
    let res = await client.get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('Log In');
    expect(res.text).toContain('Register');
    expect(res.text).toContain('<link rel="stylesheet" href="/static/style.css">');
    expect(res.text).not.toContain('href="/1/update"');

    await auth.login();
    res = await client.get('/');
    expect(res.text).toContain('Log Out');
    expect(res.text).toContain('<span>test</span>');
    expect(res.text).toContain('test title');
    expect(res.text).toContain('by test on 2018-01-01');
    expect(res.text).toContain('test\nbody');
    expect(res.text).toContain('href="/1/update"');
    expect(res.text).toContain('href="/create"');
  });
});

describe('login required', () => {
  it('brings the user back to the page that asked for the login, never off-site', async () => {
    const { client } = await setup();
    const login = (next: string) =>
      client.post(`/auth/login?next=${encodeURIComponent(next)}`, {
        form: { username: 'test', password: 'test' },
      });
    expect((await login('/create')).headers.get('Location')).toBe('/create');
    expect((await login('https://evil.example/')).headers.get('Location')).toBe('/');
    expect((await login('//evil.example/')).headers.get('Location')).toBe('/');
  });

  it.each(['/create', '/1/update', '/1/delete'])('POST %s redirects to the login page', async (path) => {
    const { client } = await setup();
    const res = await client.post(path);
    expect(res.status).toBe(302);
    // Flask-Login's redirect: the login page, and where to come back to
    expect(res.headers.get('Location')).toBe(`/auth/login?next=${encodeURIComponent(path)}`);
  });

  it('GET /create redirects too, and following it shows the form', async () => {
    const { client } = await setup();
    const res = await client.get('/create', { followRedirects: true });
    expect(res.history.map((r) => r.status)).toEqual([302]);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Log In</h1>');
  });
});

describe('author required', () => {
  it('forbids changing another user’s post', async () => {
    const { app, client, auth } = await setup();
    // change the post author to another user
    await app.appContext(() => getDb().updatePost(1, { authorId: 2 }));
    await auth.login();
    // the current user can't modify another user's post
    expect((await client.post('/1/update')).status).toBe(403);
    expect((await client.post('/1/delete')).status).toBe(403);
    // the current user doesn't see the edit link
    expect((await client.get('/')).text).not.toContain('href="/1/update"');
    expect((await app.appContext(() => getDb().getPost(1)))?.title).toBe('test title');
  });
});

describe('exists required', () => {
  it.each(['/2/update', '/2/delete'])('POST %s is a 404 naming the post', async (path) => {
    const { client, auth } = await setup();
    await auth.login();
    const res = await client.post(path);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Post id 2 doesn&#39;t exist.');
  });

  it('is a 404 for an id that is not a number', async () => {
    const { client, auth } = await setup();
    await auth.login();
    expect((await client.get('/abc/update')).status).toBe(404);
  });
});

describe('create', () => {
  it('adds a post and redirects to the index', async () => {
    const { app, client, auth } = await setup();
    await auth.login();
    expect((await client.get('/create')).status).toBe(200);
    const res = await client.post('/create', { form: { title: 'created', body: '' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    const posts = await app.appContext(() => getDb().listPosts());
    expect(posts).toHaveLength(2);
    expect(posts[0]).toMatchObject({ title: 'created', body: '', authorId: 1, username: 'test' });
  });
});

describe('update', () => {
  it('changes the post', async () => {
    const { app, client, auth } = await setup();
    await auth.login();
    const form = await client.get('/1/update');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<title>Edit "test title" - Flaskr</title>');
    expect(form.text).toContain('value="test title"');
    expect(form.text).toContain('action="/1/delete"');
    const res = await client.post('/1/update', { form: { title: 'updated', body: '' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    const post = await app.appContext(() => getDb().getPost(1));
    expect(post?.title).toBe('updated');
    expect(post?.body).toBe('');
  });
});

describe('create and update validate', () => {
  it.each(['/create', '/1/update'])('%s needs a title', async (path) => {
    const { app, client, auth } = await setup();
    await auth.login();
    const res = await client.post(path, { form: { title: '', body: 'kept' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div class="flash">Title is required.</div>');
    expect(res.text).toContain('<textarea id="body" name="body">\r\nkept</textarea>');
    expect(await app.appContext(() => getDb().countPosts())).toBe(1);
  });

  it('escapes what users write', async () => {
    const { client, auth } = await setup();
    await auth.login();
    await client.post('/create', { form: { title: '<script>x</script>', body: 'a & b' } });
    const page = await client.get('/');
    expect(page.text).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page.text).toContain('a &amp; b');
    expect(page.text).not.toContain('<script>');
  });
});

describe('delete', () => {
  it('removes the post', async () => {
    const { app, client, auth } = await setup();
    await auth.login();
    const res = await client.post('/1/delete');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    expect(await app.appContext(() => getDb().getPost(1))).toBeUndefined();
  });

  it('only answers POST', async () => {
    const { client, auth } = await setup();
    await auth.login();
    const res = await client.get('/1/delete');
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS, POST');
  });
});
