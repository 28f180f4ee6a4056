import { randomUUID } from 'node:crypto';
import { open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import type { NoticeLocale } from './notice-contracts.js';
import {
  deleteTestRecipientRow,
  findTestRecipientRows,
  insertTestRecipient,
  updateTestRecipientRow,
  type TestRecipientRow,
} from './test-recipient-repo.js';

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

export const testRecipientContext = (id: string) => `notice-test-recipient:${id}`;

function sealed(keys: OrganizationKeys, id: string, input: TestRecipientInput): Buffer {
  const { name, email, phone, webhookUrl } = input;
  return seal(
    keys.data(keys.dataVersion),
    JSON.stringify({ name, email, phone, webhookUrl }),
    testRecipientContext(id),
  );
}

function opened(keys: OrganizationKeys, row: TestRecipientRow): TestRecipient {
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
  const rows = await findTestRecipientRows(tx);
  return rows.map((r) => opened(keys, r));
}

export async function addTestRecipient(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  input: TestRecipientInput,
): Promise<TestRecipient> {
  const id = randomUUID();
  await insertTestRecipient(tx, {
    id,
    organizationId,
    personal: sealed(keys, id, input),
    keyVersion: keys.dataVersion,
    locale: input.locale,
  });
  return { id, ...input };
}

export async function updateTestRecipient(
  tx: Sql,
  keys: OrganizationKeys,
  id: string,
  input: TestRecipientInput,
): Promise<TestRecipient | undefined> {
  const updated = await updateTestRecipientRow(tx, {
    id,
    personal: sealed(keys, id, input),
    keyVersion: keys.dataVersion,
    locale: input.locale,
  });
  return updated ? { id, ...input } : undefined;
}

export async function deleteTestRecipient(tx: Sql, id: string): Promise<boolean> {
  return deleteTestRecipientRow(tx, id);
}
