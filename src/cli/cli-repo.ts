import type { Database, Sql } from '../platform/db.js';

/* The SQL the command line runs itself. */

export async function organizationExists(tx: Sql, organizationId: string): Promise<boolean> {
  const found = await tx.query('SELECT 1 FROM organizations WHERE id = $1', [organizationId]);
  return found.length > 0;
}

/** Every organization's audit events, in chain order (`candor audit export`). */
export async function listAuditEvents(db: Database): Promise<Record<string, unknown>[]> {
  return db.query<Record<string, unknown>>(
    `SELECT organization_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id, request_id,
                data, prev_hash, hash
         FROM audit_events ORDER BY organization_id, seq`,
  );
}
