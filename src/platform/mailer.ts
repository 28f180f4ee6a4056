import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface OutgoingMail {
  from: string | { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers?: Record<string, string>;
  /** The whole message as composed (and signed) by its sender: sent as it is, from `from`. */
  raw?: Buffer;
}

/** The address of a mailbox written "Name <address>" or bare. */
export const mailAddress = (mailbox: string) => /<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** SMTP reply codes from 500 up are permanent: retrying cannot help. */
export class PermanentMailError extends Error {}

export function smtpMailer(url: string): Mailer {
  const pooled = new URL(url);
  pooled.searchParams.set('pool', 'true');
  const transport: Transporter = nodemailer.createTransport(pooled.toString());
  return {
    async send(mail) {
      try {
        if (mail.raw) {
          const from = typeof mail.from === 'string' ? mailAddress(mail.from) : mail.from.address;
          await transport.sendMail({ envelope: { from, to: [mail.to] }, raw: mail.raw });
        } else {
          await transport.sendMail({ ...mail, messageId: mail.messageId });
        }
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw new PermanentMailError((error as Error).message);
        throw error;
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Development without CANDOR_SMTP_URL: a real SMTP server inside the process
 * that keeps every message as an .eml file in <dataDir>/mail, so invitation
 * and reset links can be opened on a machine with no mail set up.
 */
export async function startDevMailbox(
  dataDir: string,
  onMessage: (file: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const dir = path.join(dataDir, 'mail');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        try {
          const file = saveMessage(dir, Buffer.concat(chunks));
          onMessage(file);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Writes one message into the mailbox under a name of its own: the time, then its Message-ID
 * (made safe for a file name), created exclusively, so two messages in one millisecond, or the
 * same message twice, never overwrite each other. Returns the file's path.
 */
export function saveMessage(dir: string, message: Buffer): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const id = messageIdOf(message) ?? randomUUID();
  const base = `${stamp}-${id.replace(/[^\w.@+-]/g, '_').slice(0, 150)}`;
  for (let copy = 1; ; copy++) {
    const file = path.join(dir, `${base}${copy === 1 ? '' : `-${copy}`}.eml`);
    try {
      writeFileSync(file, message, { flag: 'wx', mode: 0o600 });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The Message-ID of a message's header (unfolded), without its angle brackets. */
function messageIdOf(message: Buffer): string | undefined {
  const end = message.indexOf('\r\n\r\n');
  const header = message.subarray(0, end < 0 ? message.length : end).toString('latin1');
  const match = /^message-id:\s*<?([^\r\n<>]+?)>?\s*$/im.exec(header.replace(/\r\n[ \t]+/g, ' '));
  return match?.[1]?.trim() || undefined;
}
