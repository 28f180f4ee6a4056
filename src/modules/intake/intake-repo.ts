import type { Sql } from '../../platform/db.js';

export interface SeenAlert {
  incident_id: string;
  action: 'opened' | 'appended';
  number: number;
}

/** Serializes, until the transaction ends, every intake of one (lock, key) pair. */
export async function lockAlertKey(tx: Sql, lock: number, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lock, key]);
}

/** What an alert already received did (a retried delivery carries the same key). */
export async function findSeenAlert(tx: Sql, alertKey: string): Promise<SeenAlert | undefined> {
  const seen = await tx.query<SeenAlert>(
    `SELECT a.incident_id, a.action, i.number FROM intake_alerts a JOIN incidents i ON i.id = a.incident_id
       WHERE a.alert_key = $1`,
    [alertKey],
  );
  return seen[0];
}

export async function insertSeenAlert(
  tx: Sql,
  organizationId: string,
  alertKey: string,
  incidentId: string,
  action: 'opened' | 'appended',
): Promise<void> {
  await tx.query(
    'INSERT INTO intake_alerts (organization_id, alert_key, incident_id, action) VALUES ($1, $2, $3, $4)',
    [organizationId, alertKey, incidentId, action],
  );
}

/** The newest incident still open with this dedupe key. */
export async function findOpenIncidentByDedupeKey(
  tx: Sql,
  dedupeKey: string,
): Promise<{ id: string; number: number } | undefined> {
  const open = await tx.query<{ id: string; number: number }>(
    `SELECT id, number FROM incidents WHERE dedupe_key = $1 AND state NOT IN ('closed', 'reviewed')
     ORDER BY created_at DESC LIMIT 1`,
    [dedupeKey],
  );
  return open[0];
}

/** Whether an incident opened by an alert starts its plan at once (the organization's setting). */
export async function intakeStartsPlan(tx: Sql): Promise<boolean> {
  return (await tx.query<{ intake_starts_plan: boolean }>('SELECT intake_starts_plan FROM organizations'))[0]!
    .intake_starts_plan;
}

/** The organization's sealed webhook secret; undefined for an unknown organization, null while it has none. */
export async function findWebhookSecret(tx: Sql): Promise<Buffer | null | undefined> {
  const rows = await tx.query<{ intake_webhook_secret: Buffer | null }>(
    'SELECT intake_webhook_secret FROM organizations',
  );
  return rows[0]?.intake_webhook_secret;
}

export async function saveWebhookSecret(tx: Sql, sealed: Buffer): Promise<void> {
  await tx.query('UPDATE organizations SET intake_webhook_secret = $1', [sealed]);
}
