/**
 * What a user object needs for login (Flask-Login's `UserMixin` protocol), and the anonymous user that stands
 * in when nobody is logged in. `isAuthenticated` is a literal type, so `if (currentUser.isAuthenticated)`
 * narrows `currentUser` to the app's user type.
 */

/** The properties `@phial/login` reads on a user. */
export interface LoginUser {
  readonly isAuthenticated: true;
  /** An inactive user cannot log in (unless `force`). */
  readonly isActive: boolean;
  readonly isAnonymous: false;
  /** The id stored in the session and the remember cookie (a string, as Flask-Login stores it). */
  getId(): string;
}

/** Gives a class with an `id` the `LoginUser` members (Flask-Login's `UserMixin`). */
export class UserMixin implements LoginUser {
  declare id: unknown;
  get isAuthenticated(): true {
    return true;
  }
  get isActive(): boolean {
    return true;
  }
  get isAnonymous(): false {
    return false;
  }
  getId(): string {
    if (this.id === undefined || this.id === null)
      throw new Error('UserMixin needs an `id` (or override getId()).');
    return String(this.id);
  }
  // snake_case for templates written for Flask-Login
  get is_authenticated(): true {
    return true;
  }
  get is_active(): boolean {
    return this.isActive;
  }
  get is_anonymous(): false {
    return false;
  }
  get_id(): string {
    return this.getId();
  }
}

/** Nobody logged in (Flask-Login's `AnonymousUserMixin`). */
export class AnonymousUser {
  readonly isAuthenticated = false as const;
  readonly isActive = false;
  readonly isAnonymous = true as const;
  readonly is_authenticated = false;
  readonly is_active = false;
  readonly is_anonymous = true;
  getId(): null {
    return null;
  }
  get_id(): null {
    return null;
  }
}

/**
 * The app's user type, for `currentUser`'s type: augment it once in the app
 * (`declare module '@phial/login' { interface LoginUserTypes { user: User } }`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the app through declaration merging
export interface LoginUserTypes {}

/** The logged-in user's type (the augmented one, else `LoginUser`). */
export type AppUser = LoginUserTypes extends { user: infer U extends LoginUser } ? U : LoginUser;
