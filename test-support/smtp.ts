/** A real SMTP server in the test process (the `smtp-server` package): STARTTLS on a self-signed cert, AUTH. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** What the server received for one message. */
export interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
  /** The connection it arrived on (bulk sending reuses one). */
  session: string;
}

export interface TestSmtp {
  port: number;
  received: Received[];
  /** The self-signed certificate, for the client's `tls.ca`. */
  cert: string;
  close(): Promise<void>;
}

/**
 * Starts a server on a free 127.0.0.1 port that requires AUTH (user `mailer`, password `s3cret`) over TLS:
 * STARTTLS, or implicit TLS with `secure`.
 */
export async function startSmtp(
  options: { requireAuth?: boolean; secure?: boolean } = {},
): Promise<TestSmtp> {
  const dir = mkdtempSync(join(tmpdir(), 'phial-smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '2',
    ].concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
    { cwd: dir, stdio: 'ignore' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const received: Received[] = [];
  const requireAuth = options.requireAuth ?? true;
  const server = new SMTPServer({
    key,
    cert,
    secure: options.secure ?? false,
    authOptional: !requireAuth,
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'mailer' && auth.password === 's3cret') cb(null, { user: 'mailer' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
          session: session.id,
        });
        cb();
      });
    },
    logger: false,
    disabledCommands: [],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    cert,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
