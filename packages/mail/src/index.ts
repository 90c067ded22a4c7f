/**
 * `@phial/mail`: Flask-Mail's role for Phial on nodemailer: `Mail`, `Message`, `mail.send`, bulk sending over one
 * connection, and `mail.recordMessages()` for tests.
 */
export type { MailConnection, MailOptions, Outbox } from './mail.js';
export { emailDispatched, Mail, renderMime, toMailOptions } from './mail.js';
export type { Address, Attachment, MessageInit } from './message.js';
export { BadHeaderError, Message } from './message.js';
