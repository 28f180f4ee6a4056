import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import type { AuditActor } from '../audit/index.js';
import { recordEvent, onIncidentChanged, findIncident } from '../incidents/index.js';
import { affectedCounts, touchIncident, writeCountedAffected, type AffectedCounts } from './affected-repo.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface RecountDeps {
  config: Pick<Config, 'secrets'>;
}

/** Who makes a change: the organization it is made in, and the actor the audit names. */
export interface Caller {
  organizationId: string;
  actor: AuditActor;
}

/**
 * After the affected customers of an incident changed: the counts go into its jurisdictions, a
 * timeline event (counts only, audited) records it, and its clocks are recomputed.
 */
export async function recountAffected(
  tx: Sql,
  deps: RecountDeps,
  caller: Caller,
  incidentId: string,
  kind: 'affected_customers_marked' | 'affected_customers_removed',
  details: Record<string, string | number | null>,
): Promise<AffectedCounts> {
  const { organizationId, actor } = caller;
  const counts = await affectedCounts(tx, incidentId);
  await writeCountedAffected(tx, organizationId, incidentId, counts);
  await touchIncident(tx, incidentId);
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
