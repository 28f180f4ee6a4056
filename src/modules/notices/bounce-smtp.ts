import type { AddressInfo } from 'node:net';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../platform/logger.js';
import { bounceKind, parseBounce } from './bounce-parse.js';
import { applyReport, type BounceDeps, type BounceOutcome, type InboundReport } from './bounce-service.js';
import { parseVerp } from './verp.js';

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

const MAX_SIZE = 1_000_000;

/** What a report does to its delivery, from its recipients' kinds: the gravest wins. */
function reportKind(kinds: readonly (string | undefined)[]): InboundReport['kind'] | undefined {
  if (kinds.includes('hard')) return 'hard';
  if (kinds.includes('complaint')) return 'complaint';
  if (kinds.includes('soft')) return 'soft';
  return undefined;
}

/**
 * Reads one message addressed to our VERP addresses: a DSN to bounces+<id>.<mac>@… fails
 * (5.x.x) or notes (4.x.x) its delivery, an ARF complaint suppresses optional mail, any message
 * to unsubscribe+<id>.<mac>@… (the mailto: of List-Unsubscribe) unsubscribes from optional mail.
 * Each acts on the delivery's own recipient only (bounce-service.ts): the message's From and
 * the recipients a report lists are never acted on, only compared. One outcome per VERP address;
 * 'ignored' for a message to a bounce address that is no report (an auto-reply, spam).
 */
export async function handleInbound(
  deps: BounceDeps,
  rcptTo: readonly string[],
  raw: Buffer,
  remoteAddress?: string,
): Promise<(BounceOutcome | 'ignored')[]> {
  const outcomes: (BounceOutcome | 'ignored')[] = [];
  let parsed: Awaited<ReturnType<typeof parseBounce>> | null = null;
  for (const address of rcptTo) {
    const verp = parseVerp(address);
    if (!verp) continue;
    const base = { names: { verp }, source: 'dsn' as const, remoteAddress, raw };
    if (verp.kind === 'unsubscribe') {
      outcomes.push(
        await applyReport(deps, { ...base, kind: 'unsubscribe', recipients: [], source: 'unsubscribe' }),
      );
      continue;
    }
    parsed ??= (await parseBounce(raw)) ?? undefined;
    const kinds = parsed?.recipients.map((r) => bounceKind(r.status, r.action)) ?? [];
    const kind = reportKind(kinds);
    if (!parsed || !kind) {
      outcomes.push('ignored');
      continue;
    }
    const status = parsed.recipients.find((r, i) => kinds[i] === kind)?.status;
    outcomes.push(
      await applyReport(deps, {
        ...base,
        kind,
        ...(status ? { status } : {}),
        recipients: parsed.recipients.map((r) => r.recipient),
      }),
    );
  }
  return outcomes;
}

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

/**
 * The inbound SMTP listener for bounces (CANDOR_BOUNCE_SMTP_PORT; the bounce domain's MX points
 * here, directly or through a relay). It takes mail only for bounces+ and unsubscribe+ addresses
 * of the bounce domain, up to 1 MB, at most CANDOR_REPORTS_PER_MINUTE messages a minute from one
 * client address (more get 421: a mail server tries again later), and never logs an address.
 */
export async function startBounceListener(
  deps: BounceDeps & {
    logger: Logger;
    host: string;
    port: number;
    bounceDomain: string;
    reportsPerMinute: number;
  },
): Promise<BounceListener> {
  const domain = deps.bounceDomain.toLowerCase();
  const limiter = new RateLimiterMemory({ points: deps.reportsPerMinute, duration: 60 });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: MAX_SIZE,
    banner: 'Candor bounces',
    onMailFrom(_address, session, callback) {
      limiter.consume(session.remoteAddress || 'unknown').then(
        () => callback(),
        () => callback(smtpError('4.7.0 Too many reports from this address; try again later', 421)),
      );
    },
    onRcptTo(address, _session, callback) {
      const ours =
        parseVerp(address.address) !== undefined && address.address.toLowerCase().endsWith(`@${domain}`);
      if (ours) return callback();
      callback(smtpError('5.1.1 No such mailbox here', 550));
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
          callback(smtpError('5.3.4 Message too big', 552));
          return;
        }
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        handleInbound(deps, rcpt, Buffer.concat(chunks), session.remoteAddress).then(
          (outcomes) => {
            deps.logger.info({ bounces: outcomes }, 'bounce message processed');
            callback();
          },
          (error: unknown) => {
            deps.logger.error({ err: error }, 'bounce message failed');
            callback(smtpError('4.3.0 Try again later', 451));
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
