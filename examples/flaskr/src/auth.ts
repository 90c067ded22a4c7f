/**
 * The `auth` blueprint (Flask tutorial's `auth.py`): register, log in, log out, the `beforeAppRequest`
 * hook that loads the logged-in user into `g.user`, and the `loginRequired` view wrapper.
 */
import {
  Blueprint,
  flash,
  g,
  type Request,
  redirect,
  renderTemplate,
  session,
  urlFor,
  type ViewFunction,
} from 'phial';
import { checkPasswordHash, generatePasswordHash, getDb, IntegrityError, type User } from './db.js';

// Types for `g.user` and `session.get('userId')` everywhere in the app.
declare module 'phial' {
  interface AppGlobals {
    /** The logged-in user, or null (set for every request by `loadLoggedInUser`). */
    user: User | null;
  }
  interface SessionData {
    userId?: number;
  }
}

export const bp = new Blueprint('auth', import.meta.url, { urlPrefix: '/auth' });

/** The submitted `username` and `password` fields ('' when missing). */
function credentials(req: Request): { username: string; password: string } {
  return { username: req.form.get('username') ?? '', password: req.form.get('password') ?? '' };
}

bp.route('/register', { methods: ['GET', 'POST'] }, async function register(req) {
  if (req.method === 'POST') {
    const { username, password } = credentials(req);
    let error: string | null = null;
    if (!username) error = 'Username is required.';
    else if (!password) error = 'Password is required.';

    if (error === null) {
      try {
        getDb().insertUser(username, await generatePasswordHash(password));
        return redirect(urlFor('auth.login'));
      } catch (e) {
        if (!(e instanceof IntegrityError)) throw e;
        error = `User ${username} is already registered.`;
      }
    }
    flash(error);
  }
  return renderTemplate('auth/register.html');
});

bp.route('/login', { methods: ['GET', 'POST'] }, async function login(req) {
  if (req.method === 'POST') {
    const { username, password } = credentials(req);
    const user = getDb().getUserByName(username);
    let error: string | null = null;
    if (user === undefined) error = 'Incorrect username.';
    else if (!(await checkPasswordHash(user.password, password))) error = 'Incorrect password.';

    if (user !== undefined && error === null) {
      session.clear();
      session.set('userId', user.id);
      return redirect(urlFor('index'));
    }
    flash(error ?? 'Login failed.');
  }
  return renderTemplate('auth/login.html');
});

/** Runs before every request of the app (not only this blueprint's): who is logged in? */
bp.beforeAppRequest(function loadLoggedInUser() {
  const userId = session.get('userId');
  g.user = userId === undefined ? null : (getDb().getUser(userId) ?? null);
});

bp.route('/logout', function logout() {
  session.clear();
  return redirect(urlFor('index'));
});

/**
 * Wraps a view so that anonymous users are sent to the login page (Flask's `@login_required`
 * decorator). The wrapper keeps the view's name, which is its endpoint (what `functools.wraps` does).
 */
export function loginRequired<P>(view: ViewFunction<P>): ViewFunction<P> {
  const wrapped: ViewFunction<P> = (req) => {
    if (g.user === null) return redirect(urlFor('auth.login'));
    return view(req);
  };
  Object.defineProperty(wrapped, 'name', { value: view.name });
  return wrapped;
}
