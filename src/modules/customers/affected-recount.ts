import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import { requestActor } from '../audit/index.js';
import { recordEvent, onIncidentChanged, findIncident } from '../incidents/index.js';
import { affectedCounts, writeCountedAffected, type AffectedCounts } from './affected-repo.js';
import { authOf } from '../access/index.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface RecountDeps {
  config: Pick<Config, 'secrets'>;
}

/**
 * After the affected customers of an incident changed: the counts go into its jurisdictions, a
 * timeline event (counts only, audited) records it, and its clocks are recomputed.
 */
export async function recountAffected(
  tx: Sql,
  deps: RecountDeps,
  request: FastifyRequest,
  incidentId: string,
  kind: 'affected_customers_marked' | 'affected_customers_removed',
  details: Record<string, string | number | null>,
): Promise<AffectedCounts> {
  const organizationId = authOf(request).organizationId;
  const counts = await affectedCounts(tx, incidentId);
  await writeCountedAffected(tx, organizationId, incidentId, counts);
  await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [incidentId]);
  const actor = requestActor(request);
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId,
    incidentId,
    actor,
    kind,
    data: { ...details, total: counts.total, byJurisdiction: counts.byJurisdiction },
    auditData: { ...details, total: counts.total },
  });
  const incident = (await findIncident(tx, incidentId))!;
  await onIncidentChanged({ tx, deps, incident, actor, changed: ['jurisdictions'] });
  return counts;
}
