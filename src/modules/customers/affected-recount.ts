import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import type { AuditActor } from '../audit/index.js';
import { DATA_CATEGORIES, findIncident, onIncidentChanged, recordEvent } from '../incidents/index.js';
import {
  affectedCategories,
  affectedCounts,
  setIncidentCategories,
  touchIncident,
  writeCountedAffected,
  type AffectedCounts,
} from './affected-repo.js';

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
 * After the affected customers of an incident changed: the counts go into its jurisdictions, the
 * data categories they had exposed join the incident's own (a card number exposed starts the card
 * brands' clock, whoever marked it), a timeline event (counts and categories only, audited)
 * records it, and its clocks are recomputed. Categories are only ever added: what was exposed
 * stays a fact of the incident when a customer is later removed from the list.
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
  const before = (await findIncident(tx, incidentId))!;
  const exposed = new Set([...before.data_categories, ...(await affectedCategories(tx, incidentId))]);
  const added = DATA_CATEGORIES.filter((c) => exposed.has(c) && !before.data_categories.includes(c));
  if (added.length) {
    await setIncidentCategories(
      tx,
      incidentId,
      DATA_CATEGORIES.filter((c) => exposed.has(c)),
    );
  } else {
    await touchIncident(tx, incidentId);
  }
  const categories: Record<string, string[]> = added.length ? { dataCategoriesAdded: added } : {};
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId,
    incidentId,
    actor,
    kind,
    data: { ...details, ...categories, total: counts.total, byJurisdiction: counts.byJurisdiction },
    auditData: { ...details, ...categories, total: counts.total },
  });
  const incident = (await findIncident(tx, incidentId))!;
  const changed = added.length ? ['jurisdictions', 'dataCategories'] : ['jurisdictions'];
  await onIncidentChanged({ tx, deps, incident, actor, changed });
  return counts;
}
