/**
 * What a bounce report says about one recipient: a delivery status notification (RFC 3464,
 * multipart/report; report-type=delivery-status) or an abuse complaint (RFC 5965 ARF,
 * report-type=feedback-report). The MIME structure (nested multiparts, transfer encodings,
 * charsets, malformed input) is postal-mime's; only the report's own field blocks are read here.
 */
import PostalMime, { type Address } from 'postal-mime';

export interface BounceReport {
  type: 'delivery-status' | 'feedback-report';
  /** The envelope sender the report was addressed to (our VERP address), from its To header. */
  to: string | undefined;
  recipients: ReportedRecipient[];
}

export interface ReportedRecipient {
  /** failed, delayed, delivered, relayed, expanded; 'complaint' for a feedback report. */
  action: string;
  /** The enhanced status code, e.g. 5.1.1; undefined for a complaint. */
  status: string | undefined;
  /** The address the report names (Original-Recipient, else Final-Recipient; ARF Original-Rcpt-To); not trusted, see bounce-service. */
  recipient: string | undefined;
  diagnostic: string | undefined;
}

const MAX_REPORT_BYTES = 1_000_000;

/**
 * Tighter than postal-mime's defaults, for mail from anyone: a report is a few parts deep, and a
 * message/rfc822 part (the returned message) is evidence, never parsed.
 */
const LIMITS = {
  maxNestingDepth: 16,
  maxPartCount: 200,
  maxHeadersSize: 256 * 1024,
  maxRfc822NestingDepth: 0,
} as const;

/**
 * The RFC 822-style field blocks of a report part (RFC 3464 §2.1, RFC 5965 §3.1), separated by
 * blank lines, folded lines unfolded; the first instance of a field counts.
 */
function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
    }
    if (fields.size) blocks.push(fields);
  }
  return blocks;
}

/** "rfc822; someone@example.com" → someone@example.com */
const addressOf = (field: string | undefined) => {
  if (!field) return undefined;
  const value = field.includes(';') ? field.slice(field.indexOf(';') + 1) : field;
  return value.trim().replace(/^<|>$/g, '') || undefined;
};

const firstAddress = (list: Address[] | undefined) =>
  list?.flatMap((a) => (a.group ? a.group : [a])).find((m) => m.address)?.address || undefined;

const utf8 = new TextDecoder('utf-8');
const textOf = (content: ArrayBuffer | Uint8Array | string) =>
  typeof content === 'string' ? content : utf8.decode(content);

/**
 * Reads a bounce report; undefined when the message is not one (an auto-reply, spam to the bounce
 * address, a report over 1 MB, a message the MIME parser refuses).
 */
export async function parseBounce(raw: Buffer | string): Promise<BounceReport | undefined> {
  if (Buffer.byteLength(raw) > MAX_REPORT_BYTES) return undefined;
  let email;
  try {
    email = await PostalMime.parse(raw, LIMITS);
  } catch {
    return undefined;
  }
  const to = firstAddress(email.to);
  const parts = email.attachments;
  const dsn = parts.find((p) => /^message\/(global-)?delivery-status$/.test(p.mimeType));
  if (dsn) {
    const blocks = fieldBlocks(textOf(dsn.content));
    // The first block describes the message; every later one a recipient.
    const recipients = blocks
      .slice(1)
      .filter((b) => b.has('status') || b.has('action'))
      .map((b) => ({
        action: (b.get('action') ?? '').toLowerCase(),
        status: (b.get('status') ?? '').match(/\b([245]\.\d{1,3}\.\d{1,3})\b/)?.[1],
        // The address as Candor gave it when the report says so (forwarding may change the final one).
        recipient: addressOf(b.get('original-recipient') ?? b.get('final-recipient')),
        diagnostic: b.get('diagnostic-code')?.slice(0, 500),
      }));
    return { type: 'delivery-status', to, recipients };
  }
  const feedback = parts.find((p) => p.mimeType === 'message/feedback-report');
  if (feedback) {
    const fields = fieldBlocks(textOf(feedback.content))[0] ?? new Map<string, string>();
    return {
      type: 'feedback-report',
      to,
      recipients: [
        {
          action: 'complaint',
          status: undefined,
          recipient: addressOf(fields.get('original-rcpt-to')),
          diagnostic: fields.get('feedback-type'),
        },
      ],
    };
  }
  return undefined;
}

/** The kind of event a reported status is: 5.x.x a hard bounce, 4.x.x a soft one (noted only). */
export function bounceKind(
  status: string | undefined,
  action: string,
): 'hard' | 'soft' | 'complaint' | undefined {
  if (action === 'complaint') return 'complaint';
  if (status?.startsWith('5.') || (!status && action === 'failed')) return 'hard';
  if (status?.startsWith('4.') || action === 'delayed') return 'soft';
  return undefined;
}
