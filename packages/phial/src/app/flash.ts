/**
 * Message flashing (Flask's `flash` / `get_flashed_messages`): a message stored in the session during one
 * request and shown (once) by the next. Messages live in the session key `_flashes` as `[category, message]`
 * pairs, the format Flask uses, so both read each other's flashes.
 */
import { requireRequestContext } from './context.js';
import { messageFlashed } from './signals.js';

/** A flashed message: text, or safe HTML (anything with `__html__`, e.g. `Markup`). */
export type FlashMessage = string | { __html__(): string };

/** Options of {@link getFlashedMessages}. */
export interface GetFlashedMessagesOptions {
  /** Return `[category, message]` pairs instead of messages. */
  withCategories?: boolean;
  /** Only messages whose category is listed. */
  categoryFilter?: Iterable<string>;
}

/** Stored pair: Flask writes a tuple `(category, message)`. */
type Flash = [category: string, message: FlashMessage];

function isFlashList(v: unknown): v is Flash[] {
  return Array.isArray(v);
}

/**
 * Stores a message for the next request that calls {@link getFlashedMessages}. Needs SECRET_KEY
 * (the session); sends the `messageFlashed` signal.
 */
export function flash(message: FlashMessage, category = 'message'): void {
  const ctx = requireRequestContext();
  const session = ctx.getSession();
  const stored = session.get('_flashes');
  const flashes: Flash[] = isFlashList(stored) ? stored : [];
  flashes.push([category, message]);
  session.set('_flashes', flashes); // set again so the session is marked modified
  if (messageFlashed.hasReceivers) {
    messageFlashed.send(ctx.app, {
      message: typeof message === 'string' ? message : message.__html__(),
      category,
    });
  }
}

function loadFlashes(): Flash[] {
  const ctx = requireRequestContext();
  const loaded = ctx.flashes;
  if (isFlashList(loaded)) return loaded;
  const session = ctx.getSession();
  let flashes: Flash[] = [];
  // Reading `_flashes` removes it, so each message shows once; NullSession has none to pop.
  if (session.has('_flashes')) {
    const stored = session.pop('_flashes');
    if (isFlashList(stored)) {
      flashes = stored.filter(
        (f): f is Flash => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string',
      );
    }
  }
  ctx.flashes = flashes;
  return flashes;
}

/**
 * The messages flashed so far (by earlier requests, and this one before the first call), removed from
 * the session. Repeated calls in one request return the same messages.
 */
export function getFlashedMessages(
  options?: GetFlashedMessagesOptions & { withCategories?: false },
): FlashMessage[];
export function getFlashedMessages(
  options: GetFlashedMessagesOptions & { withCategories: true },
): [category: string, message: FlashMessage][];
export function getFlashedMessages(
  options?: GetFlashedMessagesOptions,
): FlashMessage[] | [string, FlashMessage][];
export function getFlashedMessages(
  options: GetFlashedMessagesOptions = {},
): FlashMessage[] | [string, FlashMessage][] {
  let flashes = loadFlashes();
  if (options.categoryFilter !== undefined) {
    const allowed = new Set(options.categoryFilter);
    if (allowed.size > 0) flashes = flashes.filter((f) => allowed.has(f[0]));
  }
  if (options.withCategories) return flashes.map((f): [string, FlashMessage] => [f[0], f[1]]);
  return flashes.map((f) => f[1]);
}
