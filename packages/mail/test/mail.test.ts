import { Phial } from 'phial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type TestSmtp } from '../../../test-support/smtp.js';
import { BadHeaderError, Mail, Message, renderMime } from '../src/index.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

function makeApp(config: Record<string, unknown> = {}) {
  const app = new Phial(import.meta.url, { staticFolder: null, templateFolder: null });
  app.config.fromMapping({
    MAIL_SERVER: '127.0.0.1',
    MAIL_PORT: smtp.port,
    MAIL_USE_TLS: true,
    MAIL_USERNAME: 'mailer',
    MAIL_PASSWORD: 's3cret',
    MAIL_DEFAULT_SENDER: 'Phial <noreply@phial.test>',
    ...config,
  });
  const mail = new Mail(app, { transport: { tls: { ca: smtp.cert, servername: 'localhost' } } });
  return { app, mail };
}

function header(raw: string, name: string): string | undefined {
  const m = raw.match(new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'mi'));
  return m?.[1]?.replace(/\r\n[ \t]/g, ' ');
}

describe('sending through a real SMTP server', () => {
  it('uses STARTTLS and AUTH and delivers the exact MIME message', async () => {
    const { app, mail } = makeApp();
    const before = smtp.received.length;
    const msg = new Message({
      subject: 'Hello ✓',
      recipients: ['ann@example.com'],
      cc: ['cc@example.com'],
      bcc: ['hidden@example.com'],
      replyTo: 'help@phial.test',
      body: 'Plain text',
      html: '<p>HTML <b>body</b></p>',
      extraHeaders: { 'X-Campaign': 'welcome' },
    });
    msg.attach('report.csv', 'text/csv', 'a,b\n1,2\n');
    await app.appContext(() => mail.send(msg));
    const got = smtp.received[before];
    expect(got).toBeDefined();
    if (got === undefined) return;
    expect(got.secure).toBe(true);
    expect(got.user).toBe('mailer');
    expect(got.from).toBe('noreply@phial.test');
    expect(got.to).toEqual(['ann@example.com', 'cc@example.com', 'hidden@example.com']);
    const raw = got.raw;
    expect(header(raw, 'From')).toBe('Phial <noreply@phial.test>');
    expect(header(raw, 'To')).toBe('ann@example.com');
    expect(header(raw, 'Cc')).toBe('cc@example.com');
    expect(header(raw, 'Bcc')).toBeUndefined();
    expect(header(raw, 'Reply-To')).toBe('help@phial.test');
    expect(header(raw, 'Subject')).toBe('=?UTF-8?Q?Hello_=E2=9C=93?=');
    expect(header(raw, 'X-Campaign')).toBe('welcome');
    expect(header(raw, 'MIME-Version')).toBe('1.0');
    expect(header(raw, 'Content-Type')).toMatch(/^multipart\/mixed; boundary=/);
    expect(raw).toMatch(/Content-Type: multipart\/alternative;\r\n boundary=/);
    expect(raw).toMatch(
      /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nPlain text/,
    );
    expect(raw).toMatch(
      /Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>HTML <b>body<\/b><\/p>/,
    );
    expect(raw).toMatch(
      /Content-Type: text\/csv; name=report.csv\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=report.csv/,
    );
    expect(raw).toContain(Buffer.from('a,b\n1,2\n').toString('base64'));
  });

  it("takes Flask-Mail's (name, address) tuples, in the config and in a message, and sendMessage builds one", async () => {
    const { app, mail } = makeApp({ MAIL_DEFAULT_SENDER: ['Site Team', 'noreply@phial.test'] });
    const before = smtp.received.length;
    await app.appContext(() =>
      mail.sendMessage({
        subject: 'Hi',
        recipients: [['Ann Lee', 'ann@example.com'], 'bob@example.com'],
        body: 'x',
      }),
    );
    const got = smtp.received[before];
    expect(got?.from).toBe('noreply@phial.test');
    expect(got?.to).toEqual(['ann@example.com', 'bob@example.com']);
    expect(header(got?.raw ?? '', 'From')).toBe('Site Team <noreply@phial.test>');
    expect(header(got?.raw ?? '', 'To')).toBe('Ann Lee <ann@example.com>, bob@example.com');
    const bad = new Message({
      subject: 's',
      recipients: ['a@example.com'],
      body: 'b',
      sender: ['only-one'] as never,
    });
    await expect(app.appContext(() => mail.send(bad))).rejects.toThrow(
      'An address tuple is [name, address], got ["only-one"].',
    );
  });

  it('speaks implicit TLS with MAIL_USE_SSL', async () => {
    const tlsServer = await startSmtp({ secure: true });
    try {
      const app = new Phial(import.meta.url, { staticFolder: null, templateFolder: null });
      app.config.fromMapping({
        MAIL_SERVER: '127.0.0.1',
        MAIL_PORT: tlsServer.port,
        MAIL_USE_SSL: true,
        MAIL_USERNAME: 'mailer',
        MAIL_PASSWORD: 's3cret',
        MAIL_DEFAULT_SENDER: 'a@phial.test',
      });
      const mail = new Mail(app, { transport: { tls: { ca: tlsServer.cert, servername: 'localhost' } } });
      await app.appContext(() =>
        mail.send(new Message({ subject: 'ssl', recipients: ['b@example.com'], body: 'x' })),
      );
      expect(tlsServer.received[0]?.secure).toBe(true);
      expect(tlsServer.received[0]?.user).toBe('mailer');
    } finally {
      await tlsServer.close();
    }
  });

  it('refuses wrong credentials with the server error', async () => {
    const { app, mail } = makeApp({ MAIL_PASSWORD: 'nope' });
    const msg = new Message({ subject: 's', recipients: ['a@example.com'], body: 'x' });
    await expect(app.appContext(() => mail.send(msg))).rejects.toThrow(/Invalid username or password|535/);
  });

  it('sends many messages over one connection', async () => {
    const { app, mail } = makeApp();
    const before = smtp.received.length;
    await app.appContext(() =>
      mail.connect(async (conn) => {
        for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) {
          await conn.send(new Message({ subject: `to ${to}`, recipients: [to], body: 'bulk' }));
        }
      }),
    );
    const got = smtp.received.slice(before);
    expect(got.map((r) => r.to[0])).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    expect(new Set(got.map((r) => r.session)).size).toBe(1);
  });
});

describe('header injection', () => {
  it.each([
    [
      'subject',
      new Message({ subject: 'Hi\r\nBcc: victim@example.com', recipients: ['a@example.com'], body: 'x' }),
    ],
    [
      'recipient',
      new Message({ subject: 'Hi', recipients: ['a@example.com\nBcc: victim@example.com'], body: 'x' }),
    ],
    [
      'sender',
      new Message({
        subject: 'Hi',
        sender: 'x@example.com\r\nBcc: v@example.com',
        recipients: ['a@example.com'],
        body: 'x',
      }),
    ],
    [
      'reply-to',
      new Message({
        subject: 'Hi',
        replyTo: 'r@example.com\nX: y',
        recipients: ['a@example.com'],
        body: 'x',
      }),
    ],
    [
      'extra header',
      new Message({
        subject: 'Hi',
        recipients: ['a@example.com'],
        body: 'x',
        extraHeaders: { 'X-A': 'v\r\nBcc: z@example.com' },
      }),
    ],
  ])('is impossible through the %s', async (_what, msg) => {
    const { app, mail } = makeApp();
    const before = smtp.received.length;
    await expect(app.appContext(() => mail.send(msg))).rejects.toThrow(BadHeaderError);
    expect(smtp.received.length).toBe(before);
  });

  it('a message needs a sender and recipients', async () => {
    const { app, mail } = makeApp({ MAIL_DEFAULT_SENDER: null });
    await expect(
      app.appContext(() => mail.send(new Message({ recipients: ['a@example.com'] }))),
    ).rejects.toThrow('no sender');
    await expect(app.appContext(() => mail.send(new Message({ sender: 'a@example.com' })))).rejects.toThrow(
      'no recipients',
    );
  });
});

describe('testing', () => {
  it('suppresses sending when TESTING and records the outbox', async () => {
    const { app, mail } = makeApp({ TESTING: true });
    const before = smtp.received.length;
    const outbox = mail.recordMessages();
    await app.appContext(() =>
      mail.send(new Message({ subject: 'Reset', recipients: ['ann@example.com'], body: 'link' })),
    );
    outbox.stop();
    await app.appContext(() =>
      mail.send(new Message({ subject: 'after', recipients: ['ann@example.com'], body: 'x' })),
    );
    expect(smtp.received.length).toBe(before);
    expect(outbox.messages.map((m) => m.subject)).toEqual(['Reset']);
    const mime = await renderMime(outbox.messages[0] as Message, 'noreply@phial.test');
    expect(mime).toMatch(/^Subject: Reset$/m);
  });

  it('MAIL_SUPPRESS_SEND=false sends even when testing', async () => {
    const { app, mail } = makeApp({ TESTING: true, MAIL_SUPPRESS_SEND: false });
    const before = smtp.received.length;
    await app.appContext(() =>
      mail.send(new Message({ subject: 'real', recipients: ['a@example.com'], body: 'x' })),
    );
    expect(smtp.received.length).toBe(before + 1);
  });
});
