/**
 * The notification engine's shared vocabulary and the seams between its parts: drafting and
 * approval (notice-*), the delivery engine (delivery-*), and the channels (channel-*). Each part
 * implements its side; none reaches into another's tables except through these functions.
 */
import type { DataCategory } from '../incidents/incident-model.js';

/** The required parts of a notice, in the order a customer reads them. */
export const NOTICE_PARTS = [
  'acknowledgement',
  'apology',
  'what_happened',
  'your_data',
  'what_we_did',
  'what_you_should_do',
  'where_to_get_help',
  'how_to_verify',
] as const;
export type NoticePart = (typeof NOTICE_PARTS)[number];

export const NOTICE_LOCALES = ['en', 'cs', 'ar'] as const;
export type NoticeLocale = (typeof NOTICE_LOCALES)[number];

export const CHANNELS = ['email', 'sms', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * A mandatory breach notice goes to every affected customer on the channels they have, consent
 * or not, and never carries List-Unsubscribe; an optional update respects channel consent and
 * carries List-Unsubscribe.
 */
export type NoticeKind = 'mandatory' | 'optional';

/** Who one rendered message is for: a customer of the vault, or one of the organization's test recipients. */
export interface NoticeRecipient {
  /** null for a test recipient (exercise sends). */
  customerId: string | null;
  name: string | null;
  locale: NoticeLocale;
  /** IANA zone for dates; empty (or unknown) when the customer has none: the organization's is used. */
  timeZone: string;
  /** The categories of this customer's data the incident affected. */
  categories: DataCategory[];
  /** The notice's proof against phishing, e.g. K7QF-2M9X-D4TA (see notice-verification). */
  verificationCode: string;
}

export interface RenderedNotice {
  locale: NoticeLocale;
  direction: 'ltr' | 'rtl';
  subject: string;
  text: string;
  /** A whole HTML document with dir and lang on <html>. */
  html: string;
  /** The SMS body (short form). */
  sms: string;
  /** The webhook event's JSON body (without signature headers). */
  webhook: Record<string, unknown>;
}

/** One message to hand to a channel. Addresses are decrypted just before sending, never stored in clear. */
export interface OutgoingNotice {
  deliveryId: string;
  organizationId: string;
  channel: Channel;
  kind: NoticeKind;
  /** Email: address; SMS: E.164 number; webhook: https URL. */
  to: string;
  /** Stable per (notice version, customer, channel): a repeat after a crash carries the same one. */
  messageId: string;
  rendered: RenderedNotice;
}

/** What a channel says about one attempt. */
export type ChannelResult =
  | { outcome: 'accepted'; providerId?: string }
  | { outcome: 'temporary'; error: string }
  | { outcome: 'permanent'; error: string; suppress: boolean };

export interface ChannelSender {
  readonly channel: Channel;
  send(message: OutgoingNotice): Promise<ChannelResult>;
  close(): Promise<void>;
}
