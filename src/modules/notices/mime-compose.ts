/**
 * A notice's e-mail as MIME (RFC 5322, 2045–2047): a multipart/alternative of the text and the
 * HTML part, composed in one pass. The channel used nodemailer's MailComposer, whose streams cost
 * more per message than signing it; with its DKIM it made the engine 1.4 × slower end to end
 * (docs/BENCHMARKS.md, "Notices"). The encoders are still nodemailer's (encoded words,
 * quoted-printable).
 */
import { randomUUID } from 'node:crypto';
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

export interface NoticeMime {
  from: { name?: string; address: string };
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With its angle brackets. */
  messageId: string;
  date?: Date;
  /** Further fields, e.g. Content-Language, List-Unsubscribe. */
  headers?: Record<string, string>;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 §3.3 date-time, in UTC. */
export function mailDate(d: Date): string {
  return (
    `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/** A header value on one logical line: no CR or LF can start another field. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

/** About the share of characters that are not ASCII (each adds one or more UTF-8 bytes). */
const nonAsciiShare = (value: string) =>
  (Buffer.byteLength(value, 'utf8') - value.length) / Math.max(1, value.length);

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join('\r\n');
}

/** Unstructured text (Subject): encoded words where it is not ASCII, B when mostly not. */
function unstructured(value: string): string {
  const line = oneLine(value);
  const share = nonAsciiShare(line);
  return share === 0 ? line : encodeWords(line, share > 0.3 ? 'B' : 'Q', 52);
}

/**
 * Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a From name shown by a mail
 * client they can make the sender read backwards ("moc.knab" as "bank.com"), so they are dropped.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** A mailbox with its display name (quoted, or as B encoded words), without bidi controls. */
function mailbox(name: string | undefined, address: string): string {
  const addr = oneLine(address);
  const phrase = oneLine((name ?? '').replace(BIDI_CONTROLS, ''));
  if (!phrase) return addr;
  const shown =
    nonAsciiShare(phrase) > 0 ? encodeWord(phrase, 'B', 52) : `"${phrase.replace(/["\\]/g, '\\$&')}"`;
  return `${shown} <${addr}>`;
}

/**
 * A body part: 7bit for ASCII lines of at most 76 characters, quoted-printable for nearly ASCII
 * text, else base64 (Czech, Arabic).
 */
function bodyPart(type: 'text/plain' | 'text/html', content: string): string {
  const text = content.replace(/\r?\n/g, '\r\n');
  const share = nonAsciiShare(text);
  let encoding: string;
  let body: string;
  if (share === 0 && !/[^\r\n]{77}/.test(text)) {
    encoding = '7bit';
    body = text;
  } else if (share < 0.05) {
    encoding = 'quoted-printable';
    body = qpWrap(qpEncode(text), 76);
  } else {
    encoding = 'base64';
    body = base64Lines(text);
  }
  return (
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n` +
    `${encoding === 'quoted-printable' ? body.replace(/\r?\n/g, '\r\n') : body}\r\n`
  );
}

/** The whole message, CRLF line ends, ready to sign and send. */
export function composeNotice(mail: NoticeMime): Buffer {
  const boundary = `--_candor_${randomUUID()}`;
  const fields: [string, string][] = [
    ['From', mailbox(mail.from.name, mail.from.address)],
    ...(mail.replyTo ? ([['Reply-To', mailbox(undefined, mail.replyTo)]] as [string, string][]) : []),
    ['To', mailbox(undefined, mail.to)],
    ['Subject', unstructured(mail.subject)],
    ['Date', mailDate(mail.date ?? new Date())],
    ['Message-ID', oneLine(mail.messageId)],
    ['MIME-Version', '1.0'],
    ...Object.entries(mail.headers ?? {}).map(([k, v]): [string, string] => [k, oneLine(v)]),
    ['Content-Type', `multipart/alternative; boundary="${boundary}"`],
  ];
  const head = fields.map(([k, v]) => foldLines(`${k}: ${v}`, 76).replace(/\r?\n/g, '\r\n')).join('\r\n');
  return Buffer.from(
    `${head}\r\n\r\n` +
      `--${boundary}\r\n${bodyPart('text/plain', mail.text)}` +
      `--${boundary}\r\n${bodyPart('text/html', mail.html)}` +
      `--${boundary}--\r\n`,
    'utf8',
  );
}
