import type { Sql } from '../../platform/db.js';

/** The organization's webhook signing secret (notice_webhook_secrets), as sealed. */
export async function upsertWebhookSecret(
  tx: Sql,
  secret: { organizationId: string; sealed: Buffer; keyVersion: number; createdBy: string | null },
): Promise<{ created_at: Date }> {
  return (
    await tx.query<{ created_at: Date }>(
      `INSERT INTO notice_webhook_secrets (organization_id, secret, key_version, created_by)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id) DO UPDATE SET secret = EXCLUDED.secret, key_version = EXCLUDED.key_version,
         created_by = EXCLUDED.created_by, created_at = now()
       RETURNING created_at`,
      [secret.organizationId, secret.sealed, secret.keyVersion, secret.createdBy],
    )
  )[0]!;
}

/** When the transaction's organization created its secret (RLS shows its row only). */
export async function findWebhookSecretCreatedAt(tx: Sql): Promise<{ created_at: Date } | undefined> {
  return (await tx.query<{ created_at: Date }>('SELECT created_at FROM notice_webhook_secrets'))[0];
}

export async function findWebhookSecret(
  tx: Sql,
  organizationId: string,
): Promise<{ secret: Uint8Array; key_version: number } | undefined> {
  return (
    await tx.query<{ secret: Uint8Array; key_version: number }>(
      'SELECT secret, key_version FROM notice_webhook_secrets WHERE organization_id = $1',
      [organizationId],
    )
  )[0];
}
