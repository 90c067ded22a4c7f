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
export declare function startSmtp(options?: { requireAuth?: boolean; secure?: boolean }): Promise<TestSmtp>;
//# sourceMappingURL=smtp.d.ts.map
