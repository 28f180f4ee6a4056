import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../platform/logger.js';
import { bounceKind, parseBounce } from './bounce-dsn.js';
import { applyBounce, type BounceDeps, type BounceOutcome } from './bounce-service.js';
import { parseVerp } from './channel-email.js';

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

const MAX_SIZE = 1_000_000;

/** The address in the From header of a message's header section. */
function senderOf(raw: Buffer): string | undefined {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  return /^From:[^\r\n]*?<?([^\s<>,;"]+@[^\s<>,;"]+)>?/im.exec(head)?.[1];
}

/**
 * Reads one message addressed to our VERP addresses: a DSN to bounces+<id>@… fails (5.x.x) or
 * notes (4.x.x) its delivery, an ARF complaint suppresses, any message to unsubscribe+<id>@…
 * (the mailto: of List-Unsubscribe) unsubscribes. Returns what was done per recipient address.
 */
export async function handleInbound(
  deps: BounceDeps,
  rcptTo: readonly string[],
  raw: Buffer,
): Promise<BounceOutcome[]> {
  const outcomes: BounceOutcome[] = [];
  let report: Awaited<ReturnType<typeof parseBounce>> | null = null;
  for (const address of rcptTo) {
    const verp = parseVerp(address);
    if (!verp) continue;
    if (verp.kind === 'unsubscribe') {
      outcomes.push(
        await applyBounce(deps, {
          deliveryId: verp.deliveryId,
          kind: 'unsubscribe',
          // The sender counts only when the delivery has no customer to name the address.
          reportedRecipient: senderOf(raw),
          source: 'unsubscribe',
        }),
      );
      continue;
    }
    report ??= (await parseBounce(raw)) ?? undefined;
    if (!report) continue;
    for (const r of report.recipients) {
      const kind = bounceKind(r.status, r.action);
      if (!kind) continue;
      outcomes.push(
        await applyBounce(deps, {
          deliveryId: verp.deliveryId,
          kind,
          status: r.status,
          reportedRecipient: r.recipient,
          source: 'dsn',
        }),
      );
    }
  }
  return outcomes;
}

/**
 * The inbound SMTP listener for bounces (CANDOR_BOUNCE_SMTP_PORT; the bounce domain's MX points
 * here, directly or through a relay). It takes mail only for bounces+<delivery id>@ and
 * unsubscribe+<delivery id>@ the bounce domain, up to 1 MB, and never logs an address.
 */
export async function startBounceListener(
  deps: BounceDeps & { logger: Logger; host: string; port: number; bounceDomain: string },
): Promise<BounceListener> {
  const domain = deps.bounceDomain.toLowerCase();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: MAX_SIZE,
    banner: 'Candor bounces',
    onRcptTo(address, _session, callback) {
      const ours =
        parseVerp(address.address) !== undefined && address.address.toLowerCase().endsWith(`@${domain}`);
      if (ours) return callback();
      callback(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_SIZE) chunks.push(c);
      });
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > MAX_SIZE) {
          callback(Object.assign(new Error('5.3.4 Message too big'), { responseCode: 552 }));
          return;
        }
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        handleInbound(deps, rcpt, Buffer.concat(chunks)).then(
          (outcomes) => {
            deps.logger.info({ bounces: outcomes }, 'bounce message processed');
            callback();
          },
          (error: unknown) => {
            deps.logger.error({ err: error }, 'bounce message failed');
            callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  server.on('error', (error) => deps.logger.error({ err: error }, 'bounce listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
