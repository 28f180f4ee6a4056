/**
 * What a bounce report says about one recipient: a delivery status notification (RFC 3464,
 * multipart/report; report-type=delivery-status) or an abuse complaint (RFC 5965 ARF,
 * report-type=feedback-report).
 */
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

/** RFC 822-style header fields in blocks separated by blank lines (folded lines unfolded). */
export function parseFieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
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

const MAX_REPORT_BYTES = 1_000_000;

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

/** A message's header fields and body (the header section ends at the first empty line). */
function splitMessage(text: string): MimePart {
  const normalized = text.replace(/\r\n/g, '\n');
  const end = normalized.search(/\n\n|^\n/);
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const body = end < 0 ? '' : normalized.slice(end).replace(/^\n\n?/, '');
  return { headers: parseFieldBlocks(head)[0] ?? new Map(), body };
}

/** A parameter of a structured header, e.g. boundary of Content-Type. */
function parameter(header: string | undefined, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

/** The direct children of a multipart body (RFC 2046): reports keep their parts at the top level. */
function childParts(part: MimePart): MimePart[] {
  const boundary = parameter(part.headers.get('content-type'), 'boundary');
  if (!boundary) return [];
  const delimiter = `\n--${boundary}`;
  const pieces = `\n${part.body}`.split(delimiter).slice(1);
  const out: MimePart[] = [];
  for (const piece of pieces) {
    if (piece.startsWith('--')) break;
    out.push(splitMessage(piece.replace(/^[ \t]*\n/, '')));
  }
  return out;
}

const contentType = (part: MimePart) =>
  (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();

/**
 * Reads a bounce report; undefined when the message is not one (an auto-reply, spam to the bounce
 * address, a report over 1 MB).
 */
export async function parseBounce(raw: Buffer | string): Promise<BounceReport | undefined> {
  if (Buffer.byteLength(raw) > MAX_REPORT_BYTES) return undefined;
  const message = splitMessage(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
  const to = /<?([^\s<>,;"]+@[^\s<>,;"]+)>?/.exec(message.headers.get('to') ?? '')?.[1];
  if (contentType(message) !== 'multipart/report') return undefined;
  const parts = childParts(message);
  const dsn = parts.find((p) => /^message\/(global-)?delivery-status$/.test(contentType(p)));
  if (dsn) {
    const blocks = parseFieldBlocks(decodeBody(dsn));
    // The first block describes the message; every later one a recipient.
    const recipients = blocks
      .slice(1)
      .filter((b) => b.has('status') || b.has('action'))
      .map((b) => ({
        action: (b.get('action') ?? '').toLowerCase(),
        status: /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(b.get('status') ?? '')?.[1],
        // The address as Candor gave it when the report says so (forwarding may change the final one).
        recipient: addressOf(b.get('original-recipient') ?? b.get('final-recipient')),
        diagnostic: b.get('diagnostic-code')?.slice(0, 500),
      }));
    return { type: 'delivery-status', to, recipients };
  }
  const feedback = parts.find((p) => contentType(p) === 'message/feedback-report');
  if (feedback) {
    const fields = parseFieldBlocks(decodeBody(feedback))[0] ?? new Map<string, string>();
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
