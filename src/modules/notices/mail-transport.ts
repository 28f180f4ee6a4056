/**
 * The notice e-mail channel's SMTP connections: nodemailer's pooled SMTP transport. Since 10.1 it
 * pipelines (RFC 2920: MAIL FROM, RCPT TO and DATA in one write where the relay offers
 * PIPELINING), so the channel no longer needs a client of its own (docs/BENCHMARKS.md,
 * "Notices"). It is handed messages Candor composed and DKIM-signed, each with its own envelope.
 */
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type Mail from 'nodemailer/lib/mailer';

export interface MailTransportOptions {
  /** smtp://[user:pass@]host[:port][?ignoreTLS=true|requireTLS=true|tls.rejectUnauthorized=false|name=host] */
  url: string;
  maxConnections: number;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** An idle connection is closed (QUIT) after this long. */
  idleTimeoutMs?: number;
}

export interface MailTransport {
  /**
   * Sends one composed message (CRLF line ends) to one recipient; resolves with the server's
   * final reply (e.g. "250 2.0.0 Ok: queued as …"), rejects with nodemailer's error (`responseCode`,
   * `response`, `code`: ECONNECTION, ETIMEDOUT, ETLS, EAUTH, EENVELOPE, EMESSAGE).
   */
  send(envelope: { from: string; to: string }, message: Buffer): Promise<{ response: string }>;
  close(): Promise<void>;
}

/** An address that can go into MAIL FROM or RCPT TO as it is. */
const sendable = (address: string) =>
  address.length > 2 && address.length <= 320 && !/[\s<>]/.test(address) && address.includes('@');

/**
 * One pool of `maxConnections` connections, each sending any number of messages (an idle one is
 * closed after 30 s), TLS and credentials as the URL says (the same form as the platform's mail).
 */
export function createMailTransport(options: MailTransportOptions): MailTransport {
  // The URL's settings (TLS, credentials, EHLO name), then ours: a query cannot turn the pool off.
  const transport = nodemailer.createTransport({
    ...(parseConnectionUrl(options.url) as Record<string, unknown>),
    pool: true,
    maxConnections: options.maxConnections,
    maxMessages: Infinity,
    connectionTimeout: options.connectionTimeoutMs ?? 30_000,
    greetingTimeout: options.greetingTimeoutMs ?? 30_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    idleTimeout: options.idleTimeoutMs ?? 30_000,
    logger: false,
    // A raw message is all it is given: no file or URL is ever read for one.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(envelope, message) {
      // nodemailer would read a malformed address as the first address it can find in it: a
      // message goes to the address Candor holds, or nowhere.
      if (!sendable(envelope.from) || !sendable(envelope.to))
        throw Object.assign(new Error('the envelope holds an address that cannot be sent to'), {
          code: 'EENVELOPE',
        });
      const mail: Mail.Options = { envelope: { from: envelope.from, to: [envelope.to] }, raw: message };
      const info = (await transport.sendMail(mail)) as { response: string };
      return { response: info.response };
    },
    async close() {
      transport.close();
    },
  };
}
