/**
 * `Message`: one email (Flask-Mail's `Message`). Headers are checked when the message is built, so a subject
 * or an address carrying a line break (header injection through a form field) is refused, never sent.
 */

/**
 * An address: `'ann@example.com'`, `'Ann <ann@example.com>'`, a name and address pair, or Flask-Mail's
 * `(name, address)` tuple as `['Ann', 'ann@example.com']`.
 */
export type Address = string | { name: string; address: string } | readonly [name: string, address: string];

/** An address as nodemailer takes it: a string, or `{ name, address }` (a tuple is not a list of two). */
export function normalizeAddress(a: Address): string | { name: string; address: string } {
  if (typeof a === 'string') return a;
  if (Array.isArray(a)) {
    const [name, address] = a as readonly unknown[];
    if (a.length !== 2 || typeof name !== 'string' || typeof address !== 'string') {
      throw new TypeError(`An address tuple is [name, address], got ${JSON.stringify(a)}.`);
    }
    return { name, address };
  }
  return a as { name: string; address: string };
}

/** A file attached to a message. */
export interface Attachment {
  filename: string;
  contentType: string;
  data: string | Uint8Array;
  /** `'attachment'` (default) or `'inline'` (then `cid` names it for `<img src="cid:...">`). */
  disposition?: 'attachment' | 'inline';
  cid?: string;
  headers?: Record<string, string>;
}

/** What a message is made of (every field is also a property to set later). */
export interface MessageInit {
  subject?: string;
  recipients?: Address[];
  /** The plain-text body. */
  body?: string | null;
  /** The HTML body (a multipart/alternative message when `body` is set too). */
  html?: string | null;
  /** Default: `MAIL_DEFAULT_SENDER`. */
  sender?: Address | null;
  cc?: Address[];
  bcc?: Address[];
  replyTo?: Address | null;
  date?: Date | null;
  attachments?: Attachment[];
  /** Extra headers (`X-Campaign: ...`). */
  extraHeaders?: Record<string, string>;
}

/** A line break or NUL where a header value is built: refused (Flask-Mail's `BadHeaderError`). */
export class BadHeaderError extends Error {
  override name = 'BadHeaderError';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters in headers is the point
const BAD_HEADER = /[\r\n\x00]/;

function checkHeader(what: string, value: string): void {
  if (BAD_HEADER.test(value))
    throw new BadHeaderError(`${what} must not contain line breaks: ${JSON.stringify(value)}`);
}

function addressText(a: Address): string {
  const n = normalizeAddress(a);
  return typeof n === 'string' ? n : `${n.name} <${n.address}>`;
}

/** One email. */
export class Message {
  subject: string;
  recipients: Address[];
  body: string | null;
  html: string | null;
  sender: Address | null;
  cc: Address[];
  bcc: Address[];
  replyTo: Address | null;
  date: Date | null;
  attachments: Attachment[];
  extraHeaders: Record<string, string>;

  constructor(init: MessageInit = {}) {
    this.subject = init.subject ?? '';
    this.recipients = [...(init.recipients ?? [])];
    this.body = init.body ?? null;
    this.html = init.html ?? null;
    this.sender = init.sender ?? null;
    this.cc = [...(init.cc ?? [])];
    this.bcc = [...(init.bcc ?? [])];
    this.replyTo = init.replyTo ?? null;
    this.date = init.date ?? null;
    this.attachments = [...(init.attachments ?? [])];
    this.extraHeaders = { ...(init.extraHeaders ?? {}) };
  }

  /** Adds a `To` recipient. */
  addRecipient(address: Address): void {
    this.recipients.push(address);
  }

  /** Attaches a file (Flask-Mail's `attach(filename, content_type, data, disposition, headers)`). */
  attach(
    filename: string,
    contentType: string,
    data: string | Uint8Array,
    disposition: 'attachment' | 'inline' = 'attachment',
    headers?: Record<string, string>,
  ): void {
    this.attachments.push({ filename, contentType, data, disposition, ...(headers ? { headers } : {}) });
  }

  /** Everyone the message goes to (To, Cc and Bcc), as the SMTP envelope lists them. */
  get sendTo(): string[] {
    return [...this.recipients, ...this.cc, ...this.bcc].map((a) => {
      const n = normalizeAddress(a);
      return typeof n === 'string' ? n : n.address;
    });
  }

  /** @internal throws BadHeaderError for a header value with a line break; a clear error without recipients. */
  validate(defaultSender: Address | null): string | { name: string; address: string } {
    const sender = this.sender ?? defaultSender;
    if (sender === null) throw new Error('The message has no sender: set sender or MAIL_DEFAULT_SENDER.');
    if (this.sendTo.length === 0) throw new Error('The message has no recipients.');
    checkHeader('The subject', this.subject);
    for (const a of [
      sender,
      ...this.recipients,
      ...this.cc,
      ...this.bcc,
      ...(this.replyTo ? [this.replyTo] : []),
    ]) {
      checkHeader('An address', addressText(a));
    }
    for (const [name, value] of Object.entries(this.extraHeaders)) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name))
        throw new BadHeaderError(`Invalid header name ${JSON.stringify(name)}`);
      checkHeader(`The header ${name}`, value);
    }
    for (const att of this.attachments) checkHeader('An attachment filename', att.filename);
    return normalizeAddress(sender);
  }
}
