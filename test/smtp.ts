import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

/**
 * A real SMTP server in the test process. `reject` makes it answer the next
 * messages with the given reply code, to exercise retries and failures.
 */
export async function startTestSmtp() {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  let rejections: { code: number; count: number } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (rejections && rejections.count > 0) {
          rejections.count--;
          const error = new Error(
            rejections.code >= 500 ? 'Mailbox unavailable' : 'Try again later',
          ) as Error & {
            responseCode: number;
          };
          error.responseCode = rejections.code;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString();
        void simpleParser(raw).then((parsed) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            parsed,
          });
          waiters.splice(0).forEach((w) => w());
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    reject(code: number, count: number) {
      rejections = { code, count };
    },
    /** Resolves with the first message to this address, waiting for it if needed. */
    async waitFor(to: string, timeoutMs = 15_000): Promise<ReceivedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => m.to.includes(to.toLowerCase()));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No e-mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtp = Awaited<ReturnType<typeof startTestSmtp>>;

/** The link of a given path in a message's text part. */
export function linkIn(mail: ReceivedMail, pathname: string): string {
  const match = new RegExp(`https?://\\S+${pathname}#token=[\\w-]+`).exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`No ${pathname} link in the e-mail`);
  return match[0];
}
