import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit } from '../audit/index.js';
import { findIncident, type DataCategory } from '../incidents/index.js';
import { readMarkFile, type FileMarkResult } from './affected-file.js';
import { recountAffected, type Caller } from './affected-recount.js';
import {
  affectedCounts,
  listAffected,
  markByList,
  markBySegment,
  searchAffected,
  unmarkCustomers,
  type AffectedCounts,
  type AffectedCustomer,
  type AffectedFilter,
  type AffectedListRow,
  type MarkResult,
  type Segment,
} from './affected-repo.js';
import { exportCustomer, type CustomerExport } from './customer-export.js';
import { normalizeEmail, normalizePhone } from './customer-repo.js';
import type { CustomerDeps } from './customer-service.js';
import type { RevealReason } from './customer-model.js';

/*
 * Affected customers of an incident: marked by a list, a file, a segment of clear fields or
 * everyone, and removed; after every change the counts replace the jurisdictions' estimates
 * (affected-recount.ts). Each function runs in the caller's transaction, on an incident the
 * caller can see.
 */

async function visibleIncident(tx: Sql, id: string) {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

type Counted<T> = T & { counts: AffectedCounts };

/** After a marking: counts into the jurisdictions, a timeline event (counts only), clocks recomputed. */
async function afterMark(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  incidentId: string,
  source: 'file' | 'segment' | 'all',
  result: MarkResult,
): Promise<Counted<MarkResult>> {
  const counts = await recountAffected(tx, deps, caller, incidentId, 'affected_customers_marked', {
    source,
    added: result.added,
    updated: result.updated,
    unmatched: result.unmatched.length,
  });
  return { ...result, counts };
}

/** Marks the customers of a list, by external id or e-mail. */
export async function markListed(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  incidentId: string,
  rows: AffectedListRow[],
): Promise<Counted<MarkResult>> {
  await visibleIncident(tx, incidentId);
  const keys = await deps.keyring.get(tx, caller.organizationId);
  const result = await markByList(tx, keys, caller.organizationId, incidentId, rows);
  return afterMark(tx, deps, caller, incidentId, 'file', result);
}

/** Marks every customer of a segment of clear fields or, with source 'all', everyone. */
export async function markSegment(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  incidentId: string,
  segment: Segment,
  categories: DataCategory[],
  source: 'segment' | 'all',
): Promise<Counted<MarkResult>> {
  await visibleIncident(tx, incidentId);
  const result = await markBySegment(tx, caller.organizationId, incidentId, segment, categories, source);
  return afterMark(tx, deps, caller, incidentId, source, result);
}

/**
 * Marks the customers a file names, a chunk at a time, all in the caller's one transaction: a file
 * that fails midway (an unreadable encoding, a dropped connection) marks nobody. A customer named
 * on rows in two chunks counts once as added and once as updated; the counts of the incident are
 * exact either way.
 */
export async function markFromFile(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  incidentId: string,
  file: AsyncIterable<Buffer>,
  defaults: DataCategory[],
): Promise<Counted<FileMarkResult>> {
  await visibleIncident(tx, incidentId);
  const keys = await deps.keyring.get(tx, caller.organizationId);
  const organizationId = caller.organizationId;
  const result = await readMarkFile(file, defaults, (rows) =>
    markByList(tx, keys, organizationId, incidentId, rows),
  );
  const counts = await recountAffected(tx, deps, caller, incidentId, 'affected_customers_marked', {
    source: 'file',
    added: result.added,
    updated: result.updated,
    unmatched: result.unmatched,
    rejected: result.rejected,
  });
  return { ...result, counts };
}

/** No longer affected: these customers, for this incident. */
export async function unmarkAffected(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  incidentId: string,
  customerIds: string[],
): Promise<{ removed: number; counts: AffectedCounts }> {
  await visibleIncident(tx, incidentId);
  const removed = await unmarkCustomers(tx, incidentId, customerIds);
  const counts = await recountAffected(tx, deps, caller, incidentId, 'affected_customers_removed', {
    removed,
  });
  return { removed, counts };
}

export async function countAffected(tx: Sql, incidentId: string): Promise<AffectedCounts> {
  await visibleIncident(tx, incidentId);
  return affectedCounts(tx, incidentId);
}

export async function listIncidentAffected(
  tx: Sql,
  incidentId: string,
  filter: AffectedFilter,
): Promise<AffectedCustomer[]> {
  await visibleIncident(tx, incidentId);
  return listAffected(tx, incidentId, filter);
}

/** The keys of an exact search, normalized as the blind indexes were; a bad one is named in the 400. */
export function affectedSearch(b: { externalId?: string; email?: string; phone?: string }): {
  externalId?: string;
  email?: string;
  phone?: string;
} {
  const email = b.email === undefined ? undefined : normalizeEmail(b.email);
  const phone = b.phone === undefined ? undefined : normalizePhone(b.phone);
  if (b.email !== undefined && !email) throw new AppError('validation_failed', { field: 'email' });
  if (b.phone !== undefined && !phone) throw new AppError('validation_failed', { field: 'phone' });
  return { externalId: b.externalId?.trim(), email, phone };
}

export async function searchIncidentAffected(
  tx: Sql,
  deps: Pick<CustomerDeps, 'keyring'>,
  caller: Caller,
  incidentId: string,
  by: { externalId?: string; email?: string; phone?: string },
): Promise<AffectedCustomer[]> {
  await visibleIncident(tx, incidentId);
  return searchAffected(tx, await deps.keyring.get(tx, caller.organizationId), incidentId, by);
}

/** Everything held about one customer, for a reason; audited. */
export async function exportForCaller(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  customerId: string,
  reason: RevealReason,
): Promise<CustomerExport> {
  const result = await exportCustomer(tx, await deps.keyring.get(tx, caller.organizationId), customerId);
  if (!result) throw new AppError('not_found');
  await appendAudit(tx, deps.config.secrets.auditKey, caller.organizationId, caller.actor, {
    action: 'customer.exported',
    targetType: 'customer',
    targetId: customerId,
    data: { reason, via: 'app', incidents: result.incidents.length },
  });
  return result;
}
