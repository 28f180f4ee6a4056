import { randomUUID } from 'node:crypto';
import { open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import type { NoticeLocale } from './notice-contracts.js';

/**
 * The organization's test recipients: who an exercise's notices reach instead of customers, and
 * who a rehearsal send reaches. Name and addresses are sealed under the organization's data key
 * (bound to the row's id), never in clear; the language is clear.
 */
export interface TestRecipient {
  id: string;
  name: string;
  locale: NoticeLocale;
  email?: string;
  phone?: string;
  webhookUrl?: string;
}

export type TestRecipientInput = Omit<TestRecipient, 'id'>;

interface Row {
  id: string;
  personal: Buffer | Uint8Array;
  key_version: number;
  locale: NoticeLocale;
}

export const testRecipientContext = (id: string) => `notice-test-recipient:${id}`;

function sealed(keys: OrganizationKeys, id: string, input: TestRecipientInput): Buffer {
  const { name, email, phone, webhookUrl } = input;
  return seal(
    keys.data(keys.dataVersion),
    JSON.stringify({ name, email, phone, webhookUrl }),
    testRecipientContext(id),
  );
}

function opened(keys: OrganizationKeys, row: Row): TestRecipient {
  const personal = JSON.parse(
    open(keys.data(row.key_version), Buffer.from(row.personal), testRecipientContext(row.id)).toString(
      'utf8',
    ),
  ) as Omit<TestRecipientInput, 'locale'>;
  return {
    id: row.id,
    name: personal.name,
    locale: row.locale,
    ...(personal.email ? { email: personal.email } : {}),
    ...(personal.phone ? { phone: personal.phone } : {}),
    ...(personal.webhookUrl ? { webhookUrl: personal.webhookUrl } : {}),
  };
}

/** Every test recipient of the caller's organization, decrypted (for sending and for the admins' list). */
export async function listTestRecipients(tx: Sql, keys: OrganizationKeys): Promise<TestRecipient[]> {
  const rows = await tx.query<Row>(
    'SELECT id, personal, key_version, locale FROM notice_test_recipients ORDER BY created_at, id',
  );
  return rows.map((r) => opened(keys, r));
}

export async function addTestRecipient(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  input: TestRecipientInput,
): Promise<TestRecipient> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO notice_test_recipients (id, organization_id, personal, key_version, locale)
     VALUES ($1, $2, $3, $4, $5)`,
    [id, organizationId, sealed(keys, id, input), keys.dataVersion, input.locale],
  );
  return { id, ...input };
}

export async function updateTestRecipient(
  tx: Sql,
  keys: OrganizationKeys,
  id: string,
  input: TestRecipientInput,
): Promise<TestRecipient | undefined> {
  const rows = await tx.query(
    'UPDATE notice_test_recipients SET personal = $2, key_version = $3, locale = $4 WHERE id = $1 RETURNING id',
    [id, sealed(keys, id, input), keys.dataVersion, input.locale],
  );
  return rows.length ? { id, ...input } : undefined;
}

export async function deleteTestRecipient(tx: Sql, id: string): Promise<boolean> {
  return (await tx.query('DELETE FROM notice_test_recipients WHERE id = $1 RETURNING id', [id])).length === 1;
}
