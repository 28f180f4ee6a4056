import type { Sql } from '../../platform/db.js';

/**
 * auth_follow_ups: what a failed sign-in or a password-reset request leaves for after the
 * response, one row per request whether or not the address has an account (auth-follow-ups.ts).
 */

export type FollowUpKind = 'sign_in_failed' | 'password_reset';

export interface FollowUpRow<D = unknown> {
  id: string;
  kind: FollowUpKind;
  data: D;
}

/** One more follow-up, in the caller's transaction (the one that counts the request). */
export async function insertFollowUp(tx: Sql, kind: FollowUpKind, data: object): Promise<void> {
  await tx.query('INSERT INTO auth_follow_ups (kind, data) VALUES ($1, $2)', [kind, JSON.stringify(data)]);
}

/** The oldest waiting follow-ups, not yet taken. */
export async function findWaitingFollowUps(tx: Sql, limit: number): Promise<FollowUpRow[]> {
  return tx.query<FollowUpRow>(
    'SELECT id, kind, data FROM auth_follow_ups ORDER BY created_at, id LIMIT $1',
    [limit],
  );
}

/**
 * Takes a follow-up in the transaction that does its work: false when another process took it
 * first (its delete waits for that one's transaction, then finds nothing).
 */
export async function takeFollowUp(tx: Sql, id: string): Promise<boolean> {
  return (await tx.query('DELETE FROM auth_follow_ups WHERE id = $1 RETURNING id', [id])).length > 0;
}
