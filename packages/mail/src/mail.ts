/**
 * `Mail`: Flask-Mail's role on nodemailer. SMTP settings come from the app's config (`MAIL_SERVER`,
 * `MAIL_PORT`, `MAIL_USE_TLS` for STARTTLS, `MAIL_USE_SSL` for implicit TLS, `MAIL_USERNAME`,
 * `MAIL_PASSWORD`, `MAIL_DEFAULT_SENDER`, `MAIL_MAX_EMAILS`), read when a message is sent, so one `Mail` serves
 * every app of a factory. `MAIL_SUPPRESS_SEND` (on when TESTING) records instead of sending.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mailer from 'nodemailer/lib/mailer/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { currentApp, type Phial, Signal } from 'phial';
import { type Address, Message, type MessageInit, normalizeAddress } from './message.js';

/** Sent for every message `send` handles, delivered or suppressed (Flask-Mail's `email_dispatched`). */
export const emailDispatched = new Signal<Phial, { message: Message }>(
  'email-dispatched',
  'An email was dispatched.',
);

/** Options of `new Mail(app?, options)`. */
export interface MailOptions {
  /** Passed to nodemailer's SMTP transport as they are (e.g. `{ tls: { ca } }` for a private CA). */
  transport?: SMTPTransport.Options;
}

/** Messages captured by `mail.recordMessages()` until `stop()` (or the end of a `using` block). */
export interface Outbox extends Disposable {
  readonly messages: Message[];
  stop(): void;
}

/** One SMTP connection for many messages (Flask-Mail's `with mail.connect() as conn`). */
export interface MailConnection {
  send(message: Message): Promise<void>;
  close(): void;
}

interface MailConfig {
  server: string;
  port: number;
  useTls: boolean;
  useSsl: boolean;
  username: string | null;
  password: string | null;
  defaultSender: Address | null;
  maxEmails: number | null;
  suppress: boolean;
}

function readConfig(app: Phial): MailConfig {
  const c = app.config;
  const suppress = c.MAIL_SUPPRESS_SEND;
  return {
    server: (c.MAIL_SERVER as string | undefined) ?? 'localhost',
    port: Number(c.MAIL_PORT ?? 25),
    useTls: Boolean(c.MAIL_USE_TLS),
    useSsl: Boolean(c.MAIL_USE_SSL),
    username: (c.MAIL_USERNAME as string | null | undefined) ?? null,
    password: (c.MAIL_PASSWORD as string | null | undefined) ?? null,
    defaultSender: (c.MAIL_DEFAULT_SENDER as Address | null | undefined) ?? null,
    maxEmails: (c.MAIL_MAX_EMAILS as number | null | undefined) ?? null,
    suppress: suppress === undefined || suppress === null ? app.testing : Boolean(suppress),
  };
}

/** The nodemailer form of a message (after its headers were checked). */
export function toMailOptions(message: Message, sender: Address): Mailer.Options {
  return {
    from: normalizeAddress(sender),
    to: message.recipients.map(normalizeAddress),
    cc: message.cc.map(normalizeAddress),
    bcc: message.bcc.map(normalizeAddress),
    ...(message.replyTo ? { replyTo: normalizeAddress(message.replyTo) } : {}),
    subject: message.subject,
    ...(message.body !== null ? { text: message.body } : {}),
    ...(message.html !== null ? { html: message.html } : {}),
    ...(message.date ? { date: message.date } : {}),
    headers: message.extraHeaders,
    attachments: message.attachments.map((a) => ({
      filename: a.filename,
      content: typeof a.data === 'string' ? a.data : Buffer.from(a.data),
      contentType: a.contentType,
      contentDisposition: a.disposition ?? 'attachment',
      ...(a.cid ? { cid: a.cid } : {}),
      ...(a.headers ? { headers: a.headers } : {}),
    })),
  };
}

/** The message as the MIME text an SMTP server receives (for tests and logs). */
export function renderMime(message: Message, defaultSender: Address | null = null): Promise<string> {
  const sender = message.validate(defaultSender);
  return new Promise((resolve, reject) => {
    new MailComposer(toMailOptions(message, sender))
      .compile()
      .build((err, buf) => (err ? reject(err) : resolve(buf.toString('utf8'))));
  });
}

/** The mail extension. */
export class Mail {
  readonly options: MailOptions;
  private outboxes = new Set<Message[]>();

  constructor(app?: Phial | null, options: MailOptions = {}) {
    this.options = options;
    if (app) this.initApp(app);
  }

  /** Registers the extension (`app.extensions.mail`); settings are read at send time. */
  initApp(app: Phial): void {
    app.extensions.mail = this;
  }

  private transport(config: MailConfig, pooled: boolean): Transporter {
    const options: SMTPTransport.Options & { pool?: boolean; maxConnections?: number; maxMessages?: number } =
      {
        host: config.server,
        port: config.port,
        secure: config.useSsl,
        requireTLS: config.useTls,
        ignoreTLS: !config.useTls && !config.useSsl,
        ...(config.username !== null ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
        ...(pooled
          ? { pool: true, maxConnections: 1, maxMessages: config.maxEmails ?? Number.POSITIVE_INFINITY }
          : {}),
        ...this.options.transport,
      };
    return nodemailer.createTransport(options);
  }

  private dispatch(app: Phial, message: Message): void {
    for (const box of this.outboxes) box.push(message);
    emailDispatched.send(app, { message });
  }

  /** Builds the message and sends it (Flask-Mail's `send_message(subject=..., recipients=...)`). */
  sendMessage(init: MessageInit, app: Phial = currentApp): Promise<void> {
    return this.send(new Message(init), app);
  }

  /** Sends one message over a connection of its own (or records it when sending is suppressed). */
  async send(message: Message, app: Phial = currentApp): Promise<void> {
    const config = readConfig(app);
    const sender = message.validate(config.defaultSender);
    if (!config.suppress) {
      const transport = this.transport(config, false);
      try {
        await transport.sendMail(toMailOptions(message, sender));
      } finally {
        transport.close();
      }
    }
    this.dispatch(app, message);
  }

  /**
   * One connection for many messages (bulk sending); reconnects after `MAIL_MAX_EMAILS` messages.
   * `await mail.connect(async (conn) => { for (const m of messages) await conn.send(m); })`.
   */
  async connect<T>(fn: (conn: MailConnection) => Promise<T>, app: Phial = currentApp): Promise<T> {
    const config = readConfig(app);
    const transport = config.suppress ? null : this.transport(config, true);
    const conn: MailConnection = {
      send: async (message) => {
        const sender = message.validate(config.defaultSender);
        if (transport) await transport.sendMail(toMailOptions(message, sender));
        this.dispatch(app, message);
      },
      close: () => transport?.close(),
    };
    try {
      return await fn(conn);
    } finally {
      conn.close();
    }
  }

  /** Captures every message dispatched from now on (Flask-Mail's `record_messages`); works with `using`. */
  recordMessages(): Outbox {
    const messages: Message[] = [];
    this.outboxes.add(messages);
    const stop = () => {
      this.outboxes.delete(messages);
    };
    return { messages, stop, [Symbol.dispose]: stop };
  }
}

export { Message };
