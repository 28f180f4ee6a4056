import type { Sql } from '../../platform/db.js';
import type { Channel } from './notice-contracts.js';

/** A verification code's record as written: its keyed hash, where it lives, and what /verify shows, sealed. */
export interface VerificationInsert {
  code_index: string;
  organization_id: string;
  delivery_id: string;
  channel: Channel;
  /** The sealed subject and masked recipient, as bytea hex (\x…). */
  sealed: string;
  sent_at: string;
}

/** Records of one organization's deliveries in one statement; a code already recorded keeps its first record. */
export async function insertVerifications(
  tx: Sql,
  rows: readonly VerificationInsert[],
  keyVersion: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO notice_verifications
       (code_index, organization_id, delivery_id, channel, sealed, key_version, sent_at)
     SELECT r.code_index, r.organization_id, r.delivery_id, r.channel, r.sealed::bytea, $2, r.sent_at
     FROM json_to_recordset($1::json)
       AS r(code_index text, organization_id uuid, delivery_id uuid, channel text, sealed text, sent_at timestamptz)
     ON CONFLICT (code_index) DO NOTHING`,
    [JSON.stringify(rows), keyVersion],
  );
}

/** Where a code's record lives, across organizations (the named SECURITY DEFINER look-up). */
export async function findVerificationLocation(
  tx: Sql,
  codeIndex: string,
): Promise<{ organization_id: string; id: string } | undefined> {
  return (
    await tx.query<{ organization_id: string; id: string }>(
      'SELECT * FROM candor_find_notice_verification($1)',
      [codeIndex],
    )
  )[0];
}

export interface CheckedVerificationRow {
  organization: string;
  brand_color: string | null;
  logo_public_id: string | null;
  delivery_id: string;
  channel: Channel;
  sealed: Uint8Array;
  key_version: number;
  sent_at: Date;
}

/** Counts a check of a code's record and returns it with its organization's name; in the organization's transaction. */
export async function markVerificationChecked(
  tx: Sql,
  codeIndex: string,
): Promise<CheckedVerificationRow | undefined> {
  return (
    await tx.query<CheckedVerificationRow>(
      `UPDATE notice_verifications v SET checked_count = v.checked_count + 1, last_checked_at = now()
       FROM organizations o WHERE o.id = v.organization_id AND v.code_index = $1
       RETURNING o.name AS organization, o.brand_color, o.logo_public_id, v.delivery_id, v.channel, v.sealed, v.key_version, v.sent_at`,
      [codeIndex],
    )
  )[0];
}
