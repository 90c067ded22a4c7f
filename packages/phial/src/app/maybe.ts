/**
 * Helpers for values that may or may not be promises. The request pipeline stays synchronous while
 * every hook and view is, so a plain request costs no microtask hops.
 */

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** True for a thenable. */
export function isPromiseLike<T = unknown>(v: unknown): v is PromiseLike<T> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<T>).then === 'function'
  );
}

/** `f(v)` now, or after `v` settles. */
export function chain<T, U>(
  v: MaybePromise<T> | PromiseLike<T>,
  f: (value: T) => MaybePromise<U>,
): MaybePromise<U> {
  if (isPromiseLike<T>(v)) return Promise.resolve(v).then(f);
  return f(v as T);
}

/** Runs `fn`; a throw or a rejection goes to `onError`. */
export function attempt<T>(
  fn: () => MaybePromise<T>,
  onError: (error: unknown) => MaybePromise<T>,
): MaybePromise<T> {
  let v: MaybePromise<T>;
  try {
    v = fn();
  } catch (e) {
    return onError(e);
  }
  if (isPromiseLike<T>(v)) return Promise.resolve(v).then(undefined, onError);
  return v;
}
