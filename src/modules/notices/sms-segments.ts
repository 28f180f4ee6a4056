/**
 * SMS segments and what a send will cost. A message in the GSM 03.38 alphabet is GSM-7 (160
 * characters alone, 153 per part when concatenated; a character of the extension table takes two
 * septets and is never split between parts); one character outside it (Czech ř, č, ě, any Arabic)
 * makes the whole message UCS-2: 70 UTF-16 code units alone, 67 per part, a surrogate pair (an
 * emoji) counting two and never split.
 */

import type { SmsPricing } from '../../config.js';

export type { SmsPricing };
export { parseSmsPrices } from '../../config.js';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units left in the last segment before another is needed. */
  remaining: number;
}

export const SMS_LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

export function smsEncoding(text: string): SmsEncoding {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return 'ucs2';
  return 'gsm7';
}

/** The size of each character in its encoding's units, in order. */
function unitsOf(text: string, encoding: SmsEncoding): number[] {
  const sizes: number[] = [];
  for (const ch of text) sizes.push(encoding === 'gsm7' ? (extension.has(ch) ? 2 : 1) : ch.length);
  return sizes;
}

/**
 * What a reader must be able to copy whole: a verification code (K7QF-2M9X-D4TA, the alphabet of
 * notice-verification.ts) or a link. A segment boundary is never put inside one that fits a part.
 */
const UNBREAKABLE = [
  /(?<![0-9A-Za-z])[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){2}(?![0-9A-Za-z])/g,
  /\b(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'’”»]/g,
];

/** The [start, end) character (code point) ranges of the codes and links in the text. */
function unbreakableRanges(text: string): Map<number, number> {
  const charAt = new Map<number, number>();
  let index = 0;
  let offset = 0;
  for (const ch of text) {
    charAt.set(offset, index++);
    offset += ch.length;
  }
  charAt.set(offset, index);
  const ranges = new Map<number, number>();
  for (const pattern of UNBREAKABLE) {
    for (const match of text.matchAll(pattern)) {
      const start = charAt.get(match.index);
      const end = charAt.get(match.index + match[0].length);
      if (start !== undefined && end !== undefined) ranges.set(start, Math.max(end, ranges.get(start) ?? 0));
    }
  }
  return ranges;
}

/**
 * The text as the parts of a concatenated SMS: filled greedily, never splitting an escape pair or
 * a surrogate pair, and with the boundary moved before a verification code or a link that would
 * otherwise straddle it (a phone that shows the parts apart must not cut the code in two). The
 * provider concatenates with its own header; these are the parts the preview shows and counts.
 */
export function splitSegments(text: string): string[] {
  const encoding = smsEncoding(text);
  const chars = [...text];
  const sizes = unitsOf(text, encoding);
  const units = sizes.reduce((a, b) => a + b, 0);
  const limits = SMS_LIMITS[encoding];
  if (units === 0) return [];
  if (units <= limits.single) return [text];
  const ranges = unbreakableRanges(text);
  const parts: string[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    const end = ranges.get(i);
    let needed = sizes[i]!;
    if (end !== undefined) {
      const whole = sizes.slice(i, end).reduce((a, b) => a + b, 0);
      if (whole <= limits.part) needed = whole;
    }
    if (used > 0 && used + needed > limits.part) {
      parts.push(chars.slice(start, i).join(''));
      start = i;
      used = 0;
    }
    used += sizes[i]!;
  }
  parts.push(chars.slice(start).join(''));
  return parts;
}

export function countSegments(text: string): SmsSegments {
  const encoding = smsEncoding(text);
  const units = unitsOf(text, encoding).reduce((a, b) => a + b, 0);
  const limits = SMS_LIMITS[encoding];
  const parts = splitSegments(text);
  if (parts.length <= 1) return { encoding, units, segments: parts.length, remaining: limits.single - units };
  const last = unitsOf(parts.at(-1)!, encoding).reduce((a, b) => a + b, 0);
  return { encoding, units, segments: parts.length, remaining: limits.part - last };
}

/** The price of one segment to this E.164 number, or undefined when no prefix and no default fits. */
export function segmentPrice(pricing: SmsPricing, to: string): number | undefined {
  for (let length = Math.min(7, to.length); length >= 2; length--) {
    const price = pricing.byPrefix.get(to.slice(0, length));
    if (price !== undefined) return price;
  }
  return pricing.default;
}

export interface SmsEstimate {
  currency: string;
  messages: number;
  segments: number;
  /** Messages that needed UCS-2. */
  ucs2: number;
  /** Total in millionths of the currency, and as a decimal string. */
  costMicros: number;
  cost: string;
  /** Messages to numbers no configured price covers (not in the cost). */
  unpriced: number;
}

/**
 * What sending these SMS will cost: each message's segments times its number's price per
 * segment. Drafting calls it with the rendered SMS of each recipient of a send's audience before
 * the send is requested.
 */
export function estimateSms(
  messages: Iterable<{ to: string; body: string }>,
  pricing: SmsPricing,
): SmsEstimate {
  const estimate = {
    currency: pricing.currency,
    messages: 0,
    segments: 0,
    ucs2: 0,
    costMicros: 0,
    unpriced: 0,
  };
  for (const { to, body } of messages) {
    const counted = countSegments(body);
    estimate.messages += 1;
    estimate.segments += counted.segments;
    if (counted.encoding === 'ucs2') estimate.ucs2 += 1;
    const price = segmentPrice(pricing, to);
    if (price === undefined) estimate.unpriced += 1;
    else estimate.costMicros += price * counted.segments;
  }
  return { ...estimate, cost: formatMicros(estimate.costMicros) };
}

export function formatMicros(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction.length < 2 ? `${whole}.${fraction.padEnd(2, '0')}` : `${whole}.${fraction}`;
}
