/**
 * `currentUser`: the logged-in user of the current request as a global, like Flask-Login's `current_user`.
 * A proxy: each property read looks up the current request's user (loading it on the first read, as Flask-Login
 * does), so one import serves every request.
 */
import { getCurrentUser } from './manager.js';
import type { AnonymousUser, AppUser } from './user.js';

/** The current request's user, or the anonymous user. Narrow with `if (currentUser.isAuthenticated)`. */
export const currentUser: AppUser | AnonymousUser = new Proxy({} as AppUser | AnonymousUser, {
  get(_target, prop) {
    const user = getCurrentUser() as unknown as Record<PropertyKey, unknown>;
    const value = Reflect.get(user, prop, user);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(user) : value;
  },
  has(_target, prop) {
    return prop in (getCurrentUser() as object);
  },
  ownKeys() {
    return Reflect.ownKeys(getCurrentUser() as object);
  },
  getOwnPropertyDescriptor(_target, prop) {
    const d = Reflect.getOwnPropertyDescriptor(getCurrentUser() as object, prop);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
  getPrototypeOf() {
    return Reflect.getPrototypeOf(getCurrentUser() as object);
  },
});
