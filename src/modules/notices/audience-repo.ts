import type { Sql } from '../../platform/db.js';
import type { DataCategory } from '../incidents/index.js';

// A notice's audience as the notices module reads it: an incident's affected customers.

/** The categories one affected customer is affected in; undefined when they are not affected. */
export async function findAffectedCategories(
  tx: Sql,
  incidentId: string,
  customerId: string,
): Promise<{ data_categories: DataCategory[] } | undefined> {
  return (
    await tx.query<{ data_categories: DataCategory[] }>(
      'SELECT data_categories FROM incident_affected_customers WHERE incident_id = $1 AND customer_id = $2',
      [incidentId, customerId],
    )
  )[0];
}

export interface PreviewCustomerRow {
  id: string;
  external_id: string;
  language: string | null;
  data_categories: string[];
}

/** The first 50 affected customers by external id: whom a preview may be shown as (clear fields only). */
export function listPreviewCustomers(tx: Sql, incidentId: string): Promise<PreviewCustomerRow[]> {
  return tx.query<PreviewCustomerRow>(
    `SELECT c.id, c.external_id, c.language, a.data_categories
           FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
           WHERE a.incident_id = $1 ORDER BY c.external_id LIMIT 50`,
    [incidentId],
  );
}

/** Customers read per query while estimating an SMS send. */
export const SMS_AUDIENCE_PAGE = 1000;

/**
 * A page (keyset on customer id) of the affected customers an SMS would reach: those with a phone
 * and, unless the notice is mandatory, consent to SMS.
 */
export function smsAudiencePage(
  tx: Sql,
  incidentId: string,
  after: string,
  mandatory: boolean,
): Promise<{ customer_id: string; data_categories: DataCategory[] }[]> {
  return tx.query<{ customer_id: string; data_categories: DataCategory[] }>(
    `SELECT a.customer_id, a.data_categories
               FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
               WHERE a.incident_id = $1 AND a.customer_id > $2 AND c.phone_index IS NOT NULL
                 AND ($3::boolean OR c.consent_sms)
               ORDER BY a.customer_id LIMIT ${SMS_AUDIENCE_PAGE}`,
    [incidentId, after, mandatory],
  );
}
