/**
 * The `auth` blueprint (Flask tutorial's `auth.py`) on `@phial/login`: register, log in, log out. The
 * `LoginManager` loads the logged-in user for every request (`currentUser`, `current_user` in templates);
 * `loginRequired` sends anonymous users to the login page and back.
 */
import { currentUser, LoginManager, loginUser, logoutUser, safeNextUrl } from '@phial/login';
import {
  Blueprint,
  checkPasswordHash,
  flash,
  generatePasswordHash,
  type Phial,
  type Request,
  redirect,
  renderTemplate,
  urlFor,
} from 'phial';
import { getDb, IntegrityError, type User } from './db.js';

// `currentUser` is Flaskr's User once logged in
declare module '@phial/login' {
  interface LoginUserTypes {
    user: User;
  }
}

export const bp = new Blueprint('auth', import.meta.url, { urlPrefix: '/auth' });

/** Sets up Flask-Login's part: who is logged in, and where anonymous users go. */
export function initLogin(app: Phial): LoginManager {
  const login = new LoginManager(app, { loginView: 'auth.login' });
  login.userLoader((id) => getDb().getUser(id));
  return login;
}

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
        await getDb().insertUser(username, await generatePasswordHash(password));
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
    const user = await getDb().getUserByName(username);
    let error: string | null = null;
    if (user === undefined) error = 'Incorrect username.';
    else if (!(await checkPasswordHash(user.password, password))) error = 'Incorrect password.';

    if (user !== undefined && error === null) {
      loginUser(user, { remember: req.form.get('remember') === 'on' });
      // back where the login page was asked for, but never to another site
      return redirect(safeNextUrl(urlFor('index')));
    }
    flash(error ?? 'Login failed.');
  }
  return renderTemplate('auth/login.html');
});

bp.route('/logout', function logout() {
  logoutUser();
  return redirect(urlFor('index'));
});

/** The logged-in user (views behind `loginRequired` only). */
export function me(): User {
  if (!currentUser.isAuthenticated) throw new Error('me() needs a logged-in user (use loginRequired).');
  return currentUser;
}
