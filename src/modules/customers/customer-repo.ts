import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { hmac, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import { openCustomerRecord, sealCustomerRecord } from '../keys/index.js';

/** The personal part of a customer: sealed at rest as one record, shown only by a reveal. */
export interface PersonalFields {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: PostalAddress | null;
  /** Custom attributes marked personal. */
  attributes: Record<string, string>;
  /** Where notices by webhook go (a business customer's own endpoint): absolute https. */
  webhookUrl?: string | null;
}

export interface PostalAddress {
  lines: string[];
  locality: string;
  postalCode: string;
  region: string;
  country: string;
}

/** What may be shown without a reveal: used for counting and segments. */
export interface CustomerSummary {
  id: string;
  externalId: string;
  language: string | null;
  timeZone: string | null;
  country: string | null;
  region: string | null;
  tags: string[];
  attributes: Record<string, string>;
  consent: { email: boolean; sms: boolean; webhook: boolean };
  createdAt: Date;
  updatedAt: Date;
}

export type CustomerInput = Omit<CustomerSummary, 'id' | 'createdAt' | 'updatedAt'> & {
  personal: PersonalFields;
};

/** Lower case; the domain in its ASCII (punycode) form, so one address has one index. */
export function normalizeEmail(raw: string): string | undefined {
  const value = raw.trim().normalize('NFC');
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1 || /\s/.test(value)) return undefined;
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  if (!domain || !domain.includes('.')) return undefined;
  return `${value.slice(0, at).toLowerCase()}@${domain}`;
}

/** E.164: "+", country code and number; spaces, dots, dashes and brackets dropped, any Unicode digits read. */
export function normalizePhone(raw: string): string | undefined {
  const digits = raw
    .trim()
    .replace(/[\s.\-()/]/gu, '')
    .replace(/\p{Nd}/gu, (d) => {
      // Unicode decimal digits come in contiguous runs of ten, zero to nine.
      const code = d.codePointAt(0)!;
      let start = code;
      while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
      return String((code - start) % 10);
    });
  return /^\+[1-9][0-9]{6,14}$/.test(digits) ? digits : undefined;
}

export const MAX_WEBHOOK_URL = 2048;

/** An absolute https URL without credentials, at most 2048 characters, in its parsed (ASCII) form. */
export function normalizeWebhookUrl(raw: string): string | undefined {
  const value = raw.trim();
  if (!value || value.length > MAX_WEBHOOK_URL || /\s/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || !url.hostname || url.username || url.password) return undefined;
  return url.href.length <= MAX_WEBHOOK_URL ? url.href : undefined;
}

/** The record as sealed; without a webhook URL it is what it was before customers had one. */
export const personalRecord = (p: PersonalFields) =>
  JSON.stringify({
    name: p.name,
    email: p.email,
    phone: p.phone,
    address: p.address,
    attributes: p.attributes,
    ...(p.webhookUrl ? { webhookUrl: p.webhookUrl } : {}),
  });

export const emailIndex = (keys: OrganizationKeys, email: string) => hmac(keys.index, `email:${email}`);
export const phoneIndex = (keys: OrganizationKeys, phone: string) => hmac(keys.index, `phone:${phone}`);

interface CustomerRow {
  id: string;
  external_id: string;
  personal: Buffer | Uint8Array;
  key_version: number;
  language: string | null;
  time_zone: string | null;
  country: string | null;
  region: string | null;
  tags: string[];
  attributes: Record<string, string>;
  consent_email: boolean;
  consent_sms: boolean;
  consent_webhook: boolean;
  created_at: Date;
  updated_at: Date;
}

const SUMMARY_COLUMNS = `id, external_id, language, time_zone, country, region, tags, attributes,
  consent_email, consent_sms, consent_webhook, created_at, updated_at`;

function toSummary(row: Omit<CustomerRow, 'personal' | 'key_version'>): CustomerSummary {
  return {
    id: row.id,
    externalId: row.external_id,
    language: row.language,
    timeZone: row.time_zone,
    country: row.country,
    region: row.region,
    tags: row.tags,
    attributes: row.attributes,
    consent: { email: row.consent_email, sms: row.consent_sms, webhook: row.consent_webhook },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Creates the customer with this external id, or replaces every field of the one that has it. */
export async function upsertCustomer(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  input: CustomerInput,
): Promise<{ customer: CustomerSummary; created: boolean }> {
  const existing = (
    await tx.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1 FOR UPDATE', [
      input.externalId,
    ])
  )[0];
  const id = existing?.id ?? randomUUID();
  const p = input.personal;
  const personal = sealCustomerRecord(keys, id, personalRecord(p));
  const rows = await tx.query<CustomerRow & { inserted: boolean }>(
    `INSERT INTO customers (id, organization_id, external_id, personal, key_version, email_index, phone_index,
       language, time_zone, country, region, tags, attributes, consent_email, consent_sms, consent_webhook,
       has_webhook)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (organization_id, external_id) DO UPDATE SET
       personal = EXCLUDED.personal, key_version = EXCLUDED.key_version, email_index = EXCLUDED.email_index,
       phone_index = EXCLUDED.phone_index, language = EXCLUDED.language, time_zone = EXCLUDED.time_zone,
       country = EXCLUDED.country, region = EXCLUDED.region, tags = EXCLUDED.tags,
       attributes = EXCLUDED.attributes, consent_email = EXCLUDED.consent_email,
       consent_sms = EXCLUDED.consent_sms, consent_webhook = EXCLUDED.consent_webhook,
       has_webhook = EXCLUDED.has_webhook, updated_at = now()
     RETURNING ${SUMMARY_COLUMNS}, (xmax = 0) AS inserted`,
    [
      id,
      organizationId,
      input.externalId,
      personal,
      keys.dataVersion,
      p.email ? emailIndex(keys, p.email) : null,
      p.phone ? phoneIndex(keys, p.phone) : null,
      input.language,
      input.timeZone,
      input.country,
      input.region,
      input.tags,
      JSON.stringify(input.attributes),
      input.consent.email,
      input.consent.sms,
      input.consent.webhook,
      !!p.webhookUrl,
    ],
  );
  const row = rows[0]!;
  return { customer: toSummary(row), created: !existing };
}

export async function listCustomers(
  tx: Sql,
  options: { limit: number; after?: string; tag?: string; country?: string },
): Promise<CustomerSummary[]> {
  const rows = await tx.query<CustomerRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM customers
     WHERE ($1::text IS NULL OR external_id > $1) AND ($2::text IS NULL OR $2 = ANY (tags))
       AND ($3::text IS NULL OR country = $3)
     ORDER BY external_id LIMIT $4`,
    [options.after ?? null, options.tag ?? null, options.country ?? null, options.limit],
  );
  return rows.map(toSummary);
}

export async function findCustomer(tx: Sql, id: string): Promise<CustomerSummary | undefined> {
  const row = (
    await tx.query<CustomerRow>(`SELECT ${SUMMARY_COLUMNS} FROM customers WHERE id = $1`, [id])
  )[0];
  return row && toSummary(row);
}

/** Exact look-up through the blind indexes: nothing is decrypted. */
export async function searchCustomers(
  tx: Sql,
  keys: OrganizationKeys,
  by: { email?: string; phone?: string },
): Promise<CustomerSummary[]> {
  const rows = await tx.query<CustomerRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM customers
     WHERE ($1::text IS NULL OR email_index = $1) AND ($2::text IS NULL OR phone_index = $2)
     ORDER BY external_id LIMIT 100`,
    [by.email ? emailIndex(keys, by.email) : null, by.phone ? phoneIndex(keys, by.phone) : null],
  );
  return rows.map(toSummary);
}

/** The customer's personal fields, decrypted: callers audit every use. */
export async function openPersonal(
  tx: Sql,
  keys: OrganizationKeys,
  id: string,
): Promise<{ customer: CustomerSummary; personal: Required<PersonalFields> } | undefined> {
  const row = (
    await tx.query<CustomerRow>(
      `SELECT ${SUMMARY_COLUMNS}, personal, key_version FROM customers WHERE id = $1`,
      [id],
    )
  )[0];
  if (!row) return undefined;
  const sealed = JSON.parse(openCustomerRecord(keys, row.id, row.personal, row.key_version)) as Omit<
    PersonalFields,
    'webhookUrl'
  > & { webhookUrl?: string };
  // Records sealed before customers had webhook endpoints have no such key.
  const personal = { ...sealed, webhookUrl: sealed.webhookUrl ?? null };
  return { customer: toSummary(row), personal };
}

/** Erases the customer: their row and everything that hangs on it. */
export async function deleteCustomer(tx: Sql, id: string): Promise<boolean> {
  return (await tx.query('DELETE FROM customers WHERE id = $1 RETURNING id', [id])).length === 1;
}

export async function addRevealNote(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  customerId: string,
  auditSeq: number,
  note: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO customer_reveal_notes (organization_id, customer_id, audit_seq, note, key_version)
     VALUES ($1, $2, $3, $4, $5)`,
    [
      organizationId,
      customerId,
      auditSeq,
      seal(keys.data(keys.dataVersion), note, `customer-reveal-note:${organizationId}:${auditSeq}`),
      keys.dataVersion,
    ],
  );
}

export async function countRevealNotes(tx: Sql, customerId: string): Promise<number> {
  const notes = await tx.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM customer_reveal_notes WHERE customer_id = $1',
    [customerId],
  );
  return notes[0]!.count;
}

/** The customer with this id (when `id` is given) or this external id; an id match comes first. */
export async function findCustomerIdBy(
  tx: Sql,
  id: string | null,
  idOrExternalId: string,
): Promise<string | undefined> {
  const rows = await tx.query<{ id: string }>(
    'SELECT id FROM customers WHERE ($1::uuid IS NOT NULL AND id = $1::uuid) OR external_id = $2 ORDER BY (id::text = $2) DESC LIMIT 1',
    [id, idOrExternalId],
  );
  return rows[0]?.id;
}
