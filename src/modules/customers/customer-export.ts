import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import { incidentsAffecting } from './affected-repo.js';
import {
  countRevealNotes,
  findCustomerIdBy,
  openPersonal,
  type CustomerSummary,
  type PersonalFields,
} from './customer-repo.js';

/** Everything held about one customer (a data-subject access request), decrypted: callers audit it. */
export interface CustomerExport {
  exportedAt: string;
  customer: Omit<CustomerSummary, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
  personal: PersonalFields;
  incidents: {
    incidentId: string;
    number: number;
    title: string;
    isExercise: boolean;
    dataCategories: string[];
    source: string;
    addedAt: string;
  }[];
  revealNotes: { count: number };
}

export async function exportCustomer(
  tx: Sql,
  keys: OrganizationKeys,
  customerId: string,
): Promise<CustomerExport | undefined> {
  const opened = await openPersonal(tx, keys, customerId);
  if (!opened) return undefined;
  const incidents = await incidentsAffecting(tx, customerId);
  const notes = await countRevealNotes(tx, customerId);
  const c = opened.customer;
  return {
    exportedAt: new Date().toISOString(),
    customer: { ...c, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() },
    personal: opened.personal,
    incidents: incidents.map((i) => ({ ...i, addedAt: i.addedAt.toISOString() })),
    revealNotes: { count: notes },
  };
}

/** A customer named by their id or, failing that, their external id. */
export async function resolveCustomerId(tx: Sql, idOrExternalId: string): Promise<string | undefined> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrExternalId);
  return findCustomerIdBy(tx, uuid ? idOrExternalId : null, idOrExternalId);
}
