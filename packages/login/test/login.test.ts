import {
  Blueprint,
  makeResponse,
  type Phial,
  Phial as PhialApp,
  type Request,
  renderTemplateString,
} from 'phial';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  currentUser,
  decodeRememberCookie,
  encodeRememberCookie,
  freshLoginRequired,
  isSafeRedirect,
  LoginManager,
  type LoginUser,
  loginRequired,
  loginUser,
  logoutUser,
  safeNextUrl,
  UserMixin,
  userLoggedIn,
  userLoggedOut,
} from '../src/index.js';

class User extends UserMixin {
  constructor(
    override id: number,
    readonly name: string,
    readonly active = true,
  ) {
    super();
  }
  override get isActive(): boolean {
    return this.active;
  }
}

function makeApp(configure?: (app: Phial, login: LoginManager) => void) {
  const app = new PhialApp(import.meta.url, { staticFolder: null, templateFolder: null });
  app.config.SECRET_KEY = 'test secret';
  app.config.TESTING = true;
  const users = new Map<string, User>([
    ['1', new User(1, 'ann')],
    ['2', new User(2, 'bob', false)],
  ]);
  const login = new LoginManager(app, { loginView: 'login' });
  login.userLoader((id) => users.get(id) ?? null);
  app.route('/login', { methods: ['GET', 'POST'] }, function login(req) {
    if (req.method === 'POST') {
      const user = users.get(String(req.form.get('id')));
      if (user === undefined) return 'no such user';
      const ok = loginUser(user, { remember: req.form.get('remember') === '1' });
      return ok ? `logged in; next=${safeNextUrl('/home')}` : 'inactive';
    }
    return 'login page';
  });
  app.get('/logout', function logout() {
    logoutUser();
    return 'bye';
  });
  app.get(
    '/private',
    loginRequired(function priv() {
      return `hello ${currentUser.isAuthenticated ? (currentUser as unknown as User).name : '?'}`;
    }),
  );
  app.get(
    '/settings',
    freshLoginRequired(function settings() {
      return 'settings';
    }),
  );
  app.get('/whoami', () =>
    renderTemplateString('{{ current_user.is_authenticated }} {{ current_user.name }}'),
  );
  configure?.(app, login);
  return { app, users, login };
}

describe('loginRequired and the login flow', () => {
  it('redirects anonymous users to the login view with next and a flashed message', async () => {
    const { app } = makeApp();
    const client = app.testClient();
    const r = await client.get('/private?x=1');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/login?next=%2Fprivate%3Fx%3D1');
    const page = await client.get('/login');
    expect(page.text).toBe('login page');
  });

  it('lets a logged-in user through, and logout ends it', async () => {
    const { app } = makeApp();
    const client = app.testClient();
    expect((await client.post('/login', { form: { id: '1' } })).text).toBe('logged in; next=/home');
    expect((await client.get('/private')).text).toBe('hello ann');
    expect((await client.get('/whoami')).text).toBe('True ann');
    expect((await client.get('/logout')).text).toBe('bye');
    expect((await client.get('/private')).status).toBe(302);
    expect((await client.get('/whoami')).text).toBe('False ');
  });

  it('refuses to log in an inactive user', async () => {
    const { app } = makeApp();
    const client = app.testClient();
    expect((await client.post('/login', { form: { id: '2' } })).text).toBe('inactive');
    expect((await client.get('/private')).status).toBe(302);
  });

  it('follows next only to paths on this site', async () => {
    const { app } = makeApp();
    const client = app.testClient();
    const next = async (n: string) =>
      (await client.post(`/login?next=${encodeURIComponent(n)}`, { form: { id: '1' } })).text;
    expect(await next('/private?x=1')).toBe('logged in; next=/private?x=1');
    for (const evil of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/\r\nSet-Cookie: x=1',
      ' /x',
    ]) {
      expect(await next(evil)).toBe('logged in; next=/home');
    }
    expect(isSafeRedirect('/\t/evil.example')).toBe(false);
  });

  it('answers 401 without a login view, and through a custom unauthorized handler', async () => {
    const { app } = makeApp((_app, login) => {
      login.loginView = null;
    });
    expect((await app.testClient().get('/private')).status).toBe(401);
    const custom = makeApp((_app, login) => {
      login.unauthorizedHandler(() => ({ error: 'login first' }));
    });
    const r = await custom.app.testClient().get('/private');
    expect(r.json).toEqual({ error: 'login first' });
  });

  it('guards every view of a blueprint', async () => {
    const { app } = makeApp((a) => {
      const admin = new Blueprint('admin', import.meta.url, { urlPrefix: '/admin' });
      loginRequired(admin);
      admin.get('/', function index() {
        return 'admin home';
      });
      a.registerBlueprint(admin);
    });
    const client = app.testClient();
    expect((await client.get('/admin/')).status).toBe(302);
    expect((await client.options('/admin/')).status).toBe(200);
    await client.post('/login', { form: { id: '1' } });
    expect((await client.get('/admin/')).text).toBe('admin home');
  });

  it('keeps the endpoint name of a wrapped view', async () => {
    const { app } = makeApp();
    expect(await app.testRequestContext('/', {}, () => app.urlFor('priv'))).toBe('/private');
  });

  it('sends the login signals', async () => {
    const { app } = makeApp();
    const seen: string[] = [];
    const off1 = userLoggedIn.connect((_app, { user }) => seen.push(`in:${user.getId()}`));
    const off2 = userLoggedOut.connect((_app, { user }) => seen.push(`out:${user.getId()}`));
    const client = app.testClient();
    await client.post('/login', { form: { id: '1' } });
    await client.get('/logout');
    off1();
    off2();
    expect(seen).toEqual(['in:1', 'out:1']);
  });
});

describe('the remember-me cookie', () => {
  it('is signed, HttpOnly, expiring, restores a non-fresh login, and is cleared on logout', async () => {
    const { app } = makeApp();
    const client = app.testClient();
    const r = await client.post('/login', { form: { id: '1', remember: '1' } });
    const setCookie = r.headers.getSetCookie().find((c) => c.startsWith('remember_token='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Max-Age=31536000/);
    const token = client.getCookie('remember_token')?.value as string;
    expect(token).toMatch(/^1\|\d+\|[0-9a-f]{128}$/);

    // a new browser with only the remember cookie
    const other = app.testClient();
    other.setCookie('remember_token', token);
    expect((await other.get('/private')).text).toBe('hello ann');
    // restored from a cookie: not fresh
    expect((await other.get('/settings')).status).toBe(401);
    expect((await client.get('/settings')).text).toBe('settings');

    const out = await other.get('/logout');
    expect(
      out.headers
        .getSetCookie()
        .some((c) => /^remember_token=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i.test(c)),
    ).toBe(true);
    expect(other.getCookie('remember_token')).toBeUndefined();
    expect((await other.get('/private')).status).toBe(302);
  });

  it('missing, corrupt, tampered, other-key or expired cookies are anonymous', async () => {
    const { app } = makeApp();
    const key = 'test secret';
    const now = Date.now() / 1000;
    const good = encodeRememberCookie('1', now + 60, key);
    const cases = [
      'garbage',
      '1|',
      '|||',
      `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`,
      good.replace(/^1\|/, '2|'),
      encodeRememberCookie('1', now + 60, 'another key'),
      encodeRememberCookie('1', now - 1, key),
      `${'x'.repeat(5000)}|1|2`,
    ];
    for (const value of cases) {
      const client = app.testClient();
      client.setCookie('remember_token', value);
      expect((await client.get('/private')).status, value.slice(0, 40)).toBe(302);
    }
    expect(decodeRememberCookie(good, [key])).toBe('1');
    const ok = app.testClient();
    ok.setCookie('remember_token', good);
    expect((await ok.get('/private')).status).toBe(200);
  });
});

describe('users that disappear, tokens, session protection', () => {
  it('a deleted user with a live session is anonymous', async () => {
    const { app, users } = makeApp();
    const client = app.testClient();
    await client.post('/login', { form: { id: '1' } });
    users.delete('1');
    expect((await client.get('/private')).status).toBe(302);
    expect((await client.get('/whoami')).text).toBe('False ');
  });

  it('requestLoader logs API clients in by token', async () => {
    const { app, users } = makeApp((_a, login) => {
      login.requestLoader((req) => {
        const auth = req.headers.get('authorization');
        return auth === 'Bearer ann-token' ? (users.get('1') as User) : null;
      });
    });
    const client = app.testClient();
    expect((await client.get('/private', { headers: { authorization: 'Bearer ann-token' } })).text).toBe(
      'hello ann',
    );
    expect((await client.get('/private', { headers: { authorization: 'Bearer nope' } })).status).toBe(302);
  });

  it("'basic' protection makes a session cookie replayed from another client non-fresh", async () => {
    const { app } = makeApp();
    const victim = app.testClient();
    await victim.post('/login', { form: { id: '1' } });
    const stolen = victim.getCookie('session')?.value as string;
    const thief = app.testClient();
    thief.setCookie('session', stolen);
    const headers = { 'user-agent': 'thief/1.0' };
    expect((await thief.get('/private', { headers })).text).toBe('hello ann');
    expect((await thief.get('/settings', { headers })).status).toBe(401);
    expect((await victim.get('/settings')).text).toBe('settings');
  });

  it("'strong' protection logs a replayed session out", async () => {
    const { app } = makeApp((_a, login) => {
      login.sessionProtection = 'strong';
    });
    const victim = app.testClient();
    await victim.post('/login', { form: { id: '1' }, headers: { 'user-agent': 'victim' } });
    const thief = app.testClient();
    thief.setCookie('session', victim.getCookie('session')?.value as string);
    expect((await thief.get('/private', { headers: { 'user-agent': 'thief' } })).status).toBe(302);
    expect((await victim.get('/private', { headers: { 'user-agent': 'victim' } })).text).toBe('hello ann');
  });
});

describe('the user is loaded whatever the order of hooks (Flask-Login loads it lazily)', () => {
  type Loader = (id: string) => User | null | Promise<User | null>;
  const ann = new User(1, 'ann');
  const sync: Loader = (id) => (id === '1' ? ann : null);
  const async: Loader = async (id) => {
    await new Promise((r) => setTimeout(r, 1));
    return id === '1' ? ann : null;
  };

  /** An app with a `last_seen`-style hook registered before or after the login manager. */
  function appWithHook(loader: Loader, hookFirst: boolean, initLater = false) {
    const app = new PhialApp(import.meta.url, { staticFolder: null, templateFolder: null });
    app.config.SECRET_KEY = 'test secret';
    app.config.TESTING = true;
    const seen: string[] = [];
    const hook = () => {
      seen.push(currentUser.isAuthenticated ? `hook:${currentUser.getId()}` : 'hook:anonymous');
    };
    if (hookFirst) app.beforeRequest(hook);
    const login = initLater ? new LoginManager() : new LoginManager(app);
    if (initLater) login.initApp(app);
    let loads = 0;
    login.userLoader((id) => {
      loads++;
      return loader(id);
    });
    if (!hookFirst) app.beforeRequest(hook);
    app.post('/login', () => {
      loginUser(ann);
      return 'ok';
    });
    app.get(
      '/view',
      loginRequired(() => `view:${currentUser.getId() ?? 'anonymous'}`),
    );
    app.get('/page', () => renderTemplateString('{{ current_user.name }}'));
    return { app, seen, loads: () => loads };
  }

  for (const [name, loader] of [
    ['sync', sync],
    ['async', async],
  ] as const) {
    for (const hookFirst of [true, false]) {
      it(`${name} loader, hook registered ${hookFirst ? 'before' : 'after'} the LoginManager`, async () => {
        const { app, seen, loads } = appWithHook(loader, hookFirst);
        const client = app.testClient();
        expect((await client.get('/view')).status).toBe(401);
        expect(seen).toEqual(['hook:anonymous']);
        await client.post('/login');
        seen.length = 0;
        const before = loads();
        expect((await client.get('/view')).text).toBe('view:1');
        expect((await client.get('/page')).text).toBe('ann');
        expect(seen).toEqual(['hook:1', 'hook:1']);
        // once per request, however many reads
        expect(loads() - before).toBe(2);
      });
    }
  }

  it('initApp called after the hooks were registered puts its hook first', async () => {
    const { app, seen } = appWithHook(async, true, true);
    const client = app.testClient();
    await client.post('/login');
    seen.length = 0;
    expect((await client.get('/view')).text).toBe('view:1');
    expect(seen).toEqual(['hook:1']);
  });

  it('a sync loader loads on the first read, even before every hook (urlValuePreprocessor)', async () => {
    const { app, loads } = appWithHook(sync, false);
    const early: string[] = [];
    app.urlValuePreprocessor(() => {
      early.push(String(currentUser.isAuthenticated));
    });
    const client = app.testClient();
    await client.post('/login');
    const before = loads();
    expect((await client.get('/view')).text).toBe('view:1');
    expect(early.at(-1)).toBe('true');
    expect(loads() - before).toBe(1);
  });

  it('an async loader read before it could finish throws instead of answering anonymous', async () => {
    const { app } = appWithHook(async, false);
    app.urlValuePreprocessor(() => {
      void currentUser.isAuthenticated;
    });
    const client = app.testClient();
    await client.post('/login');
    await expect(client.get('/view')).rejects.toThrow(/before its async user loader finished/);
  });

  it('a failing async loader ends in the error handler, which sees the anonymous user', async () => {
    const app = new PhialApp(import.meta.url, { staticFolder: null, templateFolder: null });
    app.config.SECRET_KEY = 'test secret';
    const login = new LoginManager(app);
    login.userLoader(async () => {
      throw new Error('database down');
    });
    app.post('/login', () => {
      loginUser(new User(1, 'ann'));
      return 'ok';
    });
    app.get('/view', () => 'view');
    app.errorHandler(Error, async () =>
      makeResponse(await renderTemplateString('error; user: {{ current_user.is_authenticated }}'), 500),
    );
    const client = app.testClient();
    await client.post('/login');
    const r = await client.get('/view');
    expect(r.text).toBe('error; user: False');
    expect(r.status).toBe(500);
  });
});

describe('types', () => {
  it('loginRequired and freshLoginRequired keep the request type the route gives the view', async () => {
    const { app } = makeApp();
    app.post(
      '/posts',
      { body: z.object({ body: z.string() }) },
      loginRequired(function createPost(req) {
        expectTypeOf(req.body.body).toEqualTypeOf<string>();
        return req.body.body;
      }),
    );
    app.get(
      '/users/<int:id>',
      loginRequired((req) => {
        expectTypeOf(req.params.id).toEqualTypeOf<number>();
        return { id: req.params.id };
      }),
    );
    app.get(
      '/search/<name>',
      { query: z.object({ q: z.string(), page: z.coerce.number() }) },
      freshLoginRequired(async (req) => {
        expectTypeOf(req.params.name).toEqualTypeOf<string>();
        expectTypeOf(req.query).toEqualTypeOf<{ q: string; page: number }>();
        return `${req.params.name}:${req.query.q}:${req.query.page}`;
      }),
    );
    // a view declared apart keeps its own type
    const show = loginRequired((req: Request<{ slug: string }>) => req.params.slug.length);
    expectTypeOf(show).toEqualTypeOf<(req: Request<{ slug: string }>) => number>();
    expectTypeOf(loginRequired(new Blueprint('b', import.meta.url))).toEqualTypeOf<Blueprint>();

    const client = app.testClient();
    await client.post('/login', { form: { id: '1' } });
    expect((await client.post('/posts', { json: { body: 'hi' } })).text).toBe('hi');
    expect((await client.get('/users/7')).json).toEqual({ id: 7 });
    expect((await client.get('/search/ann?q=x&page=2')).text).toBe('ann:x:2');
    expect(app.urlMap).toBeDefined();
  });

  it('narrows currentUser on isAuthenticated', () => {
    if (currentUser.isAuthenticated) {
      expectTypeOf(currentUser).toEqualTypeOf<LoginUser>();
    } else {
      expectTypeOf(currentUser.getId()).toEqualTypeOf<null>();
    }
  });
});
