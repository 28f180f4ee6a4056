import type { Sql } from '../../platform/db.js';

/** An organization's e-mail settings for notices (email_settings); the DKIM private key as sealed. */
export interface EmailSettingsRow {
  organization_id: string;
  from_address: string;
  from_name: string | null;
  reply_to: string | null;
  domain: string;
  dkim_selector: string;
  dkim_private_key: Buffer | Uint8Array;
  dkim_public_key: Buffer | Uint8Array;
  key_version: number;
  updated_at: Date;
}

/** The settings of the transaction's organization (RLS shows its row only). */
export async function findEmailSettings(tx: Sql): Promise<EmailSettingsRow | undefined> {
  return (await tx.query<EmailSettingsRow>('SELECT * FROM email_settings'))[0];
}

export async function findEmailSettingsOf(
  tx: Sql,
  organizationId: string,
): Promise<EmailSettingsRow | undefined> {
  return (
    await tx.query<EmailSettingsRow>('SELECT * FROM email_settings WHERE organization_id = $1', [
      organizationId,
    ])
  )[0];
}

/** Locks the organization's settings row; whether there is one. */
export async function lockEmailSettings(tx: Sql, organizationId: string): Promise<boolean> {
  const rows = await tx.query<{ organization_id: string }>(
    'SELECT organization_id FROM email_settings WHERE organization_id = $1 FOR UPDATE',
    [organizationId],
  );
  return rows.length > 0;
}

export interface EmailSettingsFields {
  organizationId: string;
  fromAddress: string;
  fromName: string | null;
  replyTo: string | null;
  domain: string;
  selector: string;
}

/** Saves the settings with a new key pair (the private key sealed), replacing any. */
export async function upsertEmailSettingsWithKey(
  tx: Sql,
  fields: EmailSettingsFields,
  key: { sealedPrivateKey: Buffer; publicKey: Buffer; keyVersion: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO email_settings (organization_id, from_address, from_name, reply_to, domain, dkim_selector,
       dkim_private_key, dkim_public_key, key_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (organization_id) DO UPDATE SET from_address = $2, from_name = $3, reply_to = $4, domain = $5,
       dkim_selector = $6, dkim_private_key = $7, dkim_public_key = $8, key_version = $9, updated_at = now()`,
    [
      fields.organizationId,
      fields.fromAddress,
      fields.fromName,
      fields.replyTo,
      fields.domain,
      fields.selector,
      key.sealedPrivateKey,
      key.publicKey,
      key.keyVersion,
    ],
  );
}

/** Saves the settings, keeping the key pair. */
export async function updateEmailSettings(tx: Sql, fields: EmailSettingsFields): Promise<void> {
  await tx.query(
    `UPDATE email_settings SET from_address = $2, from_name = $3, reply_to = $4, domain = $5, dkim_selector = $6,
       updated_at = now()
     WHERE organization_id = $1`,
    [
      fields.organizationId,
      fields.fromAddress,
      fields.fromName,
      fields.replyTo,
      fields.domain,
      fields.selector,
    ],
  );
}
