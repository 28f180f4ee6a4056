import type { Sql } from '../../platform/db.js';

/** What a bounce, complaint or unsubscribe report reads and changes of the delivery it names. */
export interface DeliveryFacts {
  channel: string;
  status: string;
  send_id: string | null;
  customer_id: string | null;
  test_recipient_id: string | null;
  recipient_index: string | null;
}

/** The organization a delivery belongs to, across organizations (as the app); undefined when none. */
export async function findDeliveryOrganization(tx: Sql, deliveryId: string): Promise<string | undefined> {
  const found = await tx.query<{ organization_id: string; id: string }>(
    'SELECT * FROM candor_find_delivery($1)',
    [deliveryId],
  );
  return found[0]?.organization_id;
}

/** A report for a delivery no organization has, kept as unattributed (as the app). */
export async function recordUnattributedReport(
  tx: Sql,
  report: { deliveryId: string; kind: string; source: string; remoteAddress: string | null },
): Promise<void> {
  await tx.query('SELECT candor_record_unattributed_report($1, $2, $3, $4)', [
    report.deliveryId,
    report.kind,
    report.source,
    report.remoteAddress,
  ]);
}

/** Locks the delivery and reads its facts; undefined when the organization has no such delivery. */
export async function lockDeliveryFacts(tx: Sql, deliveryId: string): Promise<DeliveryFacts | undefined> {
  // As JSON: the row's notice columns belong to the delivery engine's migrations.
  return (
    await tx.query<{ d: DeliveryFacts }>(
      'SELECT to_jsonb(d) AS d FROM deliveries d WHERE id = $1 FOR UPDATE',
      [deliveryId],
    )
  )[0]?.d;
}

/** A soft bounce: noted on the delivery, which goes on as it was. */
export async function noteDeliveryError(tx: Sql, deliveryId: string, error: string): Promise<void> {
  await tx.query(`UPDATE deliveries SET last_error = $2 WHERE id = $1`, [deliveryId, error]);
}

/** A hard bounce fails the delivery, unless it was cancelled or suppressed. */
export async function failBouncedDelivery(tx: Sql, deliveryId: string, error: string): Promise<void> {
  await tx.query(
    `UPDATE deliveries SET status = 'failed', last_error = $2, locked_until = NULL
     WHERE id = $1 AND status NOT IN ('cancelled', 'suppressed')`,
    [deliveryId, error],
  );
}

/** The blind index of the customer's e-mail as the record holds it now. */
export async function findCustomerEmailIndex(tx: Sql, customerId: string): Promise<string | undefined> {
  const found = await tx.query<{ email_index: string | null }>(
    'SELECT email_index FROM customers WHERE id = $1',
    [customerId],
  );
  return found[0]?.email_index ?? undefined;
}
