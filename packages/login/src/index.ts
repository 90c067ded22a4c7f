/**
 * `@phial/login`: Flask-Login's role for Phial. `LoginManager` with `userLoader`/`requestLoader`, `loginUser`,
 * `logoutUser`, `currentUser` (`current_user` in templates), `loginRequired`/`freshLoginRequired` for views
 * and blueprints, a signed expiring remember-me cookie and session protection.
 */
export { decodeRememberCookie, encodeRememberCookie } from './cookie.js';
export { currentUser } from './current-user.js';
export type {
  LoginManagerOptions,
  RequestLoader,
  SessionProtection,
  UnauthorizedHandler,
  UserLoader,
} from './manager.js';
export {
  confirmLogin,
  getCurrentUser,
  getLoginManager,
  isSafeRedirect,
  LoginManager,
  loginFresh,
  loginUrl,
  loginUser,
  logoutUser,
  safeNextUrl,
  sessionIdentifier,
  sessionProtected,
  userLoadedFromCookie,
  userLoadedFromRequest,
  userLoggedIn,
  userLoggedOut,
  userLoginConfirmed,
  userNeedsRefresh,
  userUnauthorized,
} from './manager.js';
export { freshLoginRequired, loginRequired } from './protect.js';
export type { AppUser, LoginUser, LoginUserTypes } from './user.js';
export { AnonymousUser, UserMixin } from './user.js';
