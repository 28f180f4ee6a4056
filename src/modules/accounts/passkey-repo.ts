import type { Sql } from '../../platform/db.js';

/** webauthn_credentials: a user's passkeys. */

export interface PasskeyRow {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

export interface StoredCredential {
  id: string;
  credential_id: string;
  public_key: Buffer;
  counter: number;
  transports: string[];
}

export async function listPasskeys(tx: Sql, userId: string): Promise<PasskeyRow[]> {
  return tx.query<PasskeyRow>(
    'SELECT id, name, created_at, last_used_at FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
}

/** What a new registration must not repeat. */
export async function listCredentialIds(
  tx: Sql,
  userId: string,
): Promise<{ credential_id: string; transports: string[] }[]> {
  return tx.query<{ credential_id: string; transports: string[] }>(
    'SELECT credential_id, transports FROM webauthn_credentials WHERE user_id = $1',
    [userId],
  );
}

export async function insertPasskey(
  tx: Sql,
  passkey: {
    organizationId: string;
    userId: string;
    credentialId: string;
    publicKey: Buffer;
    counter: number;
    transports: string[];
    name: string;
  },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO webauthn_credentials (organization_id, user_id, credential_id, public_key, counter, transports, name)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      passkey.organizationId,
      passkey.userId,
      passkey.credentialId,
      passkey.publicKey,
      passkey.counter,
      passkey.transports,
      passkey.name,
    ],
  );
  return rows[0]!.id;
}

/** False when the user has no passkey of that id. */
export async function deletePasskey(tx: Sql, id: string, userId: string): Promise<boolean> {
  const rows = await tx.query(
    'DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 RETURNING id',
    [id, userId],
  );
  return rows.length > 0;
}

export async function deletePasskeysOf(tx: Sql, userId: string): Promise<void> {
  await tx.query('DELETE FROM webauthn_credentials WHERE user_id = $1', [userId]);
}

/** Where a credential lives, across organizations (a passkey sign-in names no organization). */
export async function locatePasskey(
  tx: Sql,
  credentialId: string,
): Promise<{ organization_id: string; user_id: string } | undefined> {
  return (
    await tx.query<{ organization_id: string; user_id: string }>(
      'SELECT * FROM candor_find_webauthn_credential($1)',
      [credentialId],
    )
  )[0];
}

export async function findCredential(tx: Sql, credentialId: string): Promise<StoredCredential | undefined> {
  const rows = await tx.query<StoredCredential>(
    'SELECT id, credential_id, public_key, counter, transports FROM webauthn_credentials WHERE credential_id = $1',
    [credentialId],
  );
  return rows[0];
}

export async function markPasskeyUsed(tx: Sql, id: string, counter: number): Promise<void> {
  await tx.query('UPDATE webauthn_credentials SET counter = $2, last_used_at = now() WHERE id = $1', [
    id,
    counter,
  ]);
}
