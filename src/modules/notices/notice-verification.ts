import { randomInt } from 'node:crypto';
import { deriveKey, hmac, open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import { brandOf, type OrganizationBrand } from '../accounts/index.js';
import type { Channel } from './notice-contracts.js';
import {
  findVerificationLocation,
  insertVerifications,
  markVerificationChecked,
  type VerificationInsert,
} from './verification-repo.js';

/**
 * Proof against phishing: every notice carries a code its recipient can check on the public
 * /verify page. A code is 12 characters of Crockford's base32 (60 bits), written K7QF-2M9X-D4TA:
 * no I, L, O or U, read case-insensitively with O as 0 and I or L as 1. Only a keyed hash of it is
 * stored, under a key derived from the master key (global: /verify does not know the
 * organization); a code checked after the master key was replaced is found under the previous
 * keys too.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 12;

export function newVerificationCode(): string {
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += CODE_ALPHABET[randomInt(32)];
  return format(raw);
}

const format = (raw: string) => `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;

/**
 * The canonical form (XXXX-XXXX-XXXX) of a code as a person typed it: any case, spaces and
 * dashes anywhere, O for 0, I or L for 1. Undefined when it cannot be a code.
 */
export function normalizeVerificationCode(input: string): string | undefined {
  const raw = input
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—_.]/gu, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (raw.length !== CODE_LENGTH) return undefined;
  for (const ch of raw) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return format(raw);
}

/** The keys a code's index is computed under: the current master key's first, then the replaced ones'. */
export function verificationKeys(secrets: { masterKey: Buffer; previousMasterKeys?: readonly Buffer[] }) {
  return [secrets.masterKey, ...(secrets.previousMasterKeys ?? [])].map((k) =>
    deriveKey(k, 'notice-verification-code'),
  );
}

/** The stored form of a canonical code. */
export const verificationIndex = (key: Buffer, canonicalCode: string) =>
  hmac(key, `notice-verification:${canonicalCode}`);

const sealContext = (codeIndex: string) => `notice-verification:${codeIndex}`;

export interface VerificationRecord {
  organizationId: string;
  deliveryId: string;
  /** As newVerificationCode made it (any typed form is accepted). */
  code: string;
  channel: Channel;
  /** The notice's subject as this recipient received it. */
  subject: string;
  /** The subject's language (a Czech subject on an Arabic /verify page is marked as Czech). */
  subjectLocale: string;
  sentAt: Date;
  /** maskRecipient(channel, address). */
  maskedRecipient: string;
}

/**
 * Records a delivery's code so /verify confirms it. Idempotent: a repeat for the same code (a
 * retried fan-out) keeps the first record. Runs in the organization's transaction.
 */
export async function recordVerification(
  tx: Sql,
  keys: { index: Buffer; organization: OrganizationKeys },
  record: VerificationRecord,
): Promise<void> {
  await recordVerifications(tx, keys, [record]);
}

/**
 * recordVerification for a batch of one organization's deliveries, in one INSERT (the delivery
 * engine records a claimed batch's codes at once).
 */
export async function recordVerifications(
  tx: Sql,
  keys: { index: Buffer; organization: OrganizationKeys },
  records: readonly VerificationRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const version = keys.organization.dataVersion;
  const rows = records.map((record) => {
    const code = normalizeVerificationCode(record.code);
    if (!code) throw new Error('recordVerification: the code is not a verification code');
    const codeIndex = verificationIndex(keys.index, code);
    const sealed = seal(
      keys.organization.data(version),
      JSON.stringify({
        subject: record.subject,
        subjectLocale: record.subjectLocale,
        maskedRecipient: record.maskedRecipient,
      }),
      sealContext(codeIndex),
    );
    const row: VerificationInsert = {
      code_index: codeIndex,
      organization_id: record.organizationId,
      delivery_id: record.deliveryId,
      channel: record.channel,
      sealed: `\\x${sealed.toString('hex')}`,
      sent_at: record.sentAt.toISOString(),
    };
    return row;
  });
  await insertVerifications(tx, rows, version);
}

/**
 * recordVerification with its keys: `const record = verificationRecorder(config.secrets, keyring)`
 * then `await record(tx, {...})` inside the organization's transaction.
 */
export function verificationRecorder(
  secrets: { masterKey: Buffer },
  keyring: OrganizationKeyring,
): (tx: Sql, record: VerificationRecord) => Promise<void> {
  const index = verificationKeys(secrets)[0]!;
  return async (tx, record) =>
    recordVerification(tx, { index, organization: await keyring.get(tx, record.organizationId) }, record);
}

/** recordVerifications with its keys; the records are one organization's. */
export function verificationsRecorder(
  secrets: { masterKey: Buffer },
  keyring: OrganizationKeyring,
): (tx: Sql, records: readonly VerificationRecord[]) => Promise<void> {
  const index = verificationKeys(secrets)[0]!;
  return async (tx, records) => {
    if (records.length === 0) return;
    const orgs = new Set(records.map((r) => r.organizationId));
    if (orgs.size !== 1) throw new Error('recordVerifications: the records are not of one organization');
    await recordVerifications(
      tx,
      { index, organization: await keyring.get(tx, records[0]!.organizationId) },
      records,
    );
  };
}

export interface VerifiedNotice {
  organization: string;
  /** How the page shows the organization: its name, brand colour and public logo. */
  brand: OrganizationBrand;
  subject: string;
  subjectLocale: string | null;
  sentAt: Date;
  channel: Channel;
  maskedRecipient: string;
}

/** Where a code's notice lives, across organizations (the named SECURITY DEFINER look-up). */
export async function locateVerification(
  tx: Sql,
  indexKeys: readonly Buffer[],
  canonicalCode: string,
): Promise<{ organizationId: string; codeIndex: string } | undefined> {
  for (const key of indexKeys) {
    const codeIndex = verificationIndex(key, canonicalCode);
    const row = await findVerificationLocation(tx, codeIndex);
    if (row) return { organizationId: row.organization_id, codeIndex: row.id };
  }
  return undefined;
}

/** The notice a located code belongs to, counted as checked once more; in the organization's transaction. */
export async function readVerification(
  tx: Sql,
  keys: OrganizationKeys,
  codeIndex: string,
): Promise<(VerifiedNotice & { deliveryId: string }) | undefined> {
  const row = await markVerificationChecked(tx, codeIndex);
  if (!row) return undefined;
  const shown = JSON.parse(
    open(keys.data(row.key_version), Buffer.from(row.sealed), sealContext(codeIndex)).toString(),
  ) as { subject: string; subjectLocale?: string; maskedRecipient: string };
  return {
    organization: row.organization,
    brand: brandOf(row),
    deliveryId: row.delivery_id,
    channel: row.channel,
    sentAt: new Date(row.sent_at),
    subject: shown.subject,
    // Records sealed before the language was kept have none: the page then marks none.
    subjectLocale: shown.subjectLocale ?? null,
    maskedRecipient: shown.maskedRecipient,
  };
}

const DOT = '•••';

/** ITU country calling codes of two digits (the rest are one digit, 1 and 7, or three). */
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

/**
 * An address partly masked for the /verify page: enough for its owner to recognise it, too
 * little to be of use to anyone else. "jana@example.cz" → "j•••@e•••.cz", "+420601234512" →
 * "+420 •••• ••12", "https://hooks.example.com/x" → "https://h•••.com/•••".
 */
export function maskRecipient(channel: Channel, address: string): string {
  switch (channel) {
    case 'email': {
      const at = address.lastIndexOf('@');
      const local = address.slice(0, at);
      const domain = address.slice(at + 1);
      const tld = domain.includes('.') ? domain.slice(domain.lastIndexOf('.')) : '';
      return `${[...local][0] ?? ''}${DOT}@${[...domain][0] ?? ''}${DOT}${tld}`;
    }
    case 'sms': {
      const digits = address.replace(/[^\d]/g, '');
      const cc = /^[17]/.test(digits) ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
      return `+${digits.slice(0, cc)} •••• ••${digits.slice(-2)}`;
    }
    case 'webhook': {
      try {
        const url = new URL(address);
        const host = url.hostname;
        const tld = host.includes('.') ? host.slice(host.lastIndexOf('.')) : '';
        return `${url.protocol}//${host[0] ?? ''}${DOT}${tld}/${DOT}`;
      } catch {
        return DOT;
      }
    }
  }
}
