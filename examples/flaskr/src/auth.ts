/**
 * The `auth` blueprint (Flask tutorial's `auth.py`) on `@phial/login` and `@phial/forms`: register, log in,
 * log out, and a password reset by mail (`@phial/mail`) with a signed link that expires and works once.
 */
import { currentUser, LoginManager, loginUser, logoutUser, safeNextUrl } from '@phial/login';
import { Mail, Message } from '@phial/mail';
import {
  BadSignature,
  Blueprint,
  checkPasswordHash,
  currentApp,
  flash,
  generatePasswordHash,
  type Phial,
  redirect,
  renderTemplate,
  URLSafeTimedSerializer,
  urlFor,
} from 'phial';
import { getDb, IntegrityError, type User } from './db.js';
import { LoginForm, RegisterForm, RequestResetForm, ResetPasswordForm } from './forms.js';

// `currentUser` is Flaskr's User once logged in
declare module '@phial/login' {
  interface LoginUserTypes {
    user: User;
  }
}

export const bp = new Blueprint('auth', import.meta.url, { urlPrefix: '/auth' });

/** The mail extension (settings from MAIL_* config; suppressed while TESTING). */
export const mail = new Mail();

/** Sets up Flask-Login's part: who is logged in, and where anonymous users go. */
export function initLogin(app: Phial): LoginManager {
  const login = new LoginManager(app, { loginView: 'auth.login' });
  login.userLoader((id) => getDb().getUser(id));
  return login;
}

bp.route('/register', { methods: ['GET', 'POST'] }, async function register() {
  const form = new RegisterForm();
  if (await form.validateOnSubmit()) {
    const { username, email, password } = form.data;
    try {
      await getDb().insertUser(username ?? '', await generatePasswordHash(password ?? ''), email);
      return redirect(urlFor('auth.login'));
    } catch (e) {
      if (!(e instanceof IntegrityError)) throw e;
      flash(`User ${username} is already registered.`);
    }
  }
  return renderTemplate('auth/register.html', { form });
});

bp.route('/login', { methods: ['GET', 'POST'] }, async function login() {
  const form = new LoginForm();
  if (await form.validateOnSubmit()) {
    const { username, password, remember } = form.data;
    const user = await getDb().getUserByName(username ?? '');
    if (user === undefined) flash('Incorrect username.');
    else if (!(await checkPasswordHash(user.password, password ?? ''))) flash('Incorrect password.');
    else {
      loginUser(user, { remember });
      // back where the login page was asked for, but never to another site
      return redirect(safeNextUrl(urlFor('index')));
    }
  }
  return renderTemplate('auth/login.html', { form });
});

bp.route('/logout', function logout() {
  logoutUser();
  return redirect(urlFor('index'));
});

// ----------------------------------------------------------------------------- password reset

const RESET_MAX_AGE = 3600;

function resetSerializer(): URLSafeTimedSerializer<{ id: number; p: string }> {
  return new URLSafeTimedSerializer(currentApp.config.SECRET_KEY as string, {
    salt: 'flaskr-password-reset',
  });
}

/**
 * A reset token: the user id and the tail of the current password hash, signed and timestamped. Once the
 * password changes the token no longer matches, so a link works once; after an hour it has expired.
 */
export function resetToken(user: User): string {
  return resetSerializer().dumps({ id: user.id, p: user.password.slice(-16) });
}

async function userForToken(token: string): Promise<User | undefined> {
  try {
    const { id, p } = resetSerializer().loads(token, { maxAge: RESET_MAX_AGE });
    const user = await getDb().getUser(id);
    return user !== undefined && user.password.slice(-16) === p ? user : undefined;
  } catch (e) {
    if (e instanceof BadSignature) return undefined;
    throw e;
  }
}

bp.route('/reset', { methods: ['GET', 'POST'] }, async function requestReset() {
  if (currentUser.isAuthenticated) return redirect(urlFor('index'));
  const form = new RequestResetForm();
  if (await form.validateOnSubmit()) {
    const user = await getDb().getUserByEmail(form.data.email ?? '');
    if (user?.email) {
      const link = urlFor('auth.reset', { token: resetToken(user), _external: true });
      await mail.send(
        new Message({
          subject: 'Reset your Flaskr password',
          recipients: [user.email],
          body: renderTemplate('auth/reset_email.txt', { user, link }),
          html: renderTemplate('auth/reset_email.html', { user, link }),
        }),
      );
    }
    // the same answer whether or not the address is known: no one learns who has an account
    flash('If that address is registered, a reset link is on its way.');
    return redirect(urlFor('auth.login'));
  }
  return renderTemplate('auth/request_reset.html', { form });
});

bp.route('/reset/<token>', { methods: ['GET', 'POST'] }, async function reset(req) {
  const user = await userForToken(req.params.token);
  if (user === undefined) {
    flash('That reset link is invalid or has expired.');
    return redirect(urlFor('auth.requestReset'));
  }
  const form = new ResetPasswordForm();
  if (await form.validateOnSubmit()) {
    await getDb().updatePassword(user.id, await generatePasswordHash(form.data.password ?? ''));
    flash('Your password has been reset. Please log in.');
    return redirect(urlFor('auth.login'));
  }
  return renderTemplate('auth/reset.html', { form });
});

/** The logged-in user (views behind `loginRequired` only). */
export function me(): User {
  if (!currentUser.isAuthenticated) throw new Error('me() needs a logged-in user (use loginRequired).');
  return currentUser;
}
