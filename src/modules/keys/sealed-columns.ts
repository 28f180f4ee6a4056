import { customerRecordContext } from './vault.js';

/**
 * Every column sealed under an organization's data key, for the re-encryption job. A feature
 * that seals a column with `keys.data(keys.dataVersion)` registers it here: the table (with
 * organization_id and an integer key_version), the columns that find one row, an order the
 * job pages by (an index that starts with organization_id, so each batch is an index range),
 * and the associated data each ciphertext was sealed with. A column missing here keeps its old
 * key version, which is then never destroyed: `candor keys status` shows it as rows remaining.
 * A new table here also goes, by a migration, into candor_destroy_data_key_versions' list (which
 * checks again that nothing is left under a version before destroying it) and, when candor_app
 * may not update its sealed columns yet, gets that grant (migrations/20261208090000_login_role_keys.sql).
 */
export interface SealedColumn {
  table: string;
  /** bytea columns sealed under data key `key_version`; null values are skipped. */
  columns: readonly string[];
  /** Columns that identify one row (with organization_id): its primary key. */
  key: readonly string[];
  /** The order of the batches: unique with organization_id, ideally indexed. */
  order: readonly string[];
  /** The `context` (AES-GCM associated data) the column was sealed with. */
  context(row: Record<string, unknown>, column: string): string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    // customer-repo.ts: the personal record, bound to the customer's id.
    table: 'customers',
    columns: ['personal'],
    key: ['id'],
    order: ['external_id'],
    context: (row) => customerRecordContext(String(row.id)),
  },
  {
    // customer-repo.ts addRevealNote: the free-text reason of a reveal.
    table: 'customer_reveal_notes',
    columns: ['note'],
    key: ['audit_seq'],
    order: ['audit_seq'],
    context: (row) => `customer-reveal-note:${String(row.organization_id)}:${String(row.audit_seq)}`,
  },
  {
    // customer-import.ts: one batch's rejected rows.
    table: 'import_errors',
    columns: ['report'],
    key: ['import_id', 'batch'],
    order: ['import_id', 'batch'],
    context: (row) => `import-errors:${String(row.import_id)}:${String(row.batch)}`,
  },
  {
    // notices/notice-verification.ts: what /verify shows of a notice (subject, masked recipient).
    table: 'notice_verifications',
    columns: ['sealed'],
    key: ['code_index'],
    order: ['code_index'],
    context: (row) => `notice-verification:${String(row.code_index)}`,
  },
  {
    // notices/channel-webhook.ts: the organization's webhook signing secret.
    table: 'notice_webhook_secrets',
    columns: ['secret'],
    key: ['id'],
    order: ['id'],
    context: (row) => `notice-webhook-secret:${String(row.organization_id)}`,
  },
  {
    // notices/notice-test-recipients.ts: a test recipient's name and addresses.
    table: 'notice_test_recipients',
    columns: ['personal'],
    key: ['id'],
    order: ['id'],
    context: (row) => `notice-test-recipient:${String(row.id)}`,
  },
  {
    // notices/inbound-report-repo.ts: a bounce or complaint held for review, as received.
    table: 'inbound_reports',
    columns: ['raw'],
    key: ['id'],
    order: ['id'],
    context: (row) => `inbound-report:${String(row.organization_id)}:${String(row.id)}`,
  },
  {
    // notices/email-settings.ts: the organization's DKIM private key.
    table: 'email_settings',
    columns: ['dkim_private_key'],
    key: ['organization_id'],
    order: ['organization_id'],
    context: (row) => `email-dkim:${String(row.organization_id)}`,
  },
];
