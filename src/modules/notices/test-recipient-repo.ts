import type { Sql } from '../../platform/db.js';
import type { NoticeLocale } from './notice-contracts.js';

/** A test recipient as stored: name and addresses sealed (notice-test-recipients.ts opens them), the language clear. */
export interface TestRecipientRow {
  id: string;
  personal: Buffer | Uint8Array;
  key_version: number;
  locale: NoticeLocale;
}

export function findTestRecipientRows(tx: Sql): Promise<TestRecipientRow[]> {
  return tx.query<TestRecipientRow>(
    'SELECT id, personal, key_version, locale FROM notice_test_recipients ORDER BY created_at, id',
  );
}

export async function insertTestRecipient(
  tx: Sql,
  row: { id: string; organizationId: string; personal: Buffer; keyVersion: number; locale: NoticeLocale },
): Promise<void> {
  await tx.query(
    `INSERT INTO notice_test_recipients (id, organization_id, personal, key_version, locale)
     VALUES ($1, $2, $3, $4, $5)`,
    [row.id, row.organizationId, row.personal, row.keyVersion, row.locale],
  );
}

/** False when there is no such test recipient (in the caller's organization). */
export async function updateTestRecipientRow(
  tx: Sql,
  row: { id: string; personal: Buffer; keyVersion: number; locale: NoticeLocale },
): Promise<boolean> {
  const rows = await tx.query(
    'UPDATE notice_test_recipients SET personal = $2, key_version = $3, locale = $4 WHERE id = $1 RETURNING id',
    [row.id, row.personal, row.keyVersion, row.locale],
  );
  return rows.length > 0;
}

export async function deleteTestRecipientRow(tx: Sql, id: string): Promise<boolean> {
  return (await tx.query('DELETE FROM notice_test_recipients WHERE id = $1 RETURNING id', [id])).length === 1;
}
