import type { Sql } from '../../platform/db.js';

/** An SMS delivery and the provider's reports about it (sms_status_reports). */
export interface SmsDeliveryRow {
  status: string;
  /** The provider's id for the message the delivery was accepted as. */
  accepted_by: string | null;
  recipient_index: string | null;
}

/** Locks the SMS delivery (of the transaction's organization); undefined when there is none. */
export async function lockSmsDelivery(tx: Sql, deliveryId: string): Promise<SmsDeliveryRow | undefined> {
  return (
    await tx.query<SmsDeliveryRow>(
      `SELECT status, accepted_by, recipient_index FROM deliveries WHERE id = $1 AND channel = 'sms' FOR UPDATE`,
      [deliveryId],
    )
  )[0];
}

/** Records a report; the same report again is recorded once. */
export async function insertSmsStatusReport(
  tx: Sql,
  report: {
    organizationId: string;
    deliveryId: string;
    providerId: string;
    status: string;
    errorCode: string | null;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO sms_status_reports (organization_id, delivery_id, provider_id, status, error_code)
     SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text
     WHERE NOT EXISTS (
       SELECT 1 FROM sms_status_reports
       WHERE delivery_id = $2::uuid AND provider_id = $3::text AND status = $4::text
         AND error_code IS NOT DISTINCT FROM $5::text)`,
    [report.organizationId, report.deliveryId, report.providerId, report.status, report.errorCode],
  );
}

export async function markSmsDeliveryFailed(tx: Sql, deliveryId: string, error: string): Promise<void> {
  await tx.query(
    `UPDATE deliveries SET status = 'failed', last_error = $2, locked_until = NULL WHERE id = $1`,
    [deliveryId, error],
  );
}
