import { open, seal, sealMany } from '../../platform/crypto.js';
import type { OrganizationKeys } from '../../platform/keys.js';

/**
 * The vault: how a customer's personal record is sealed under the organization's data key, in one
 * place. The record is bound to the customer's id as associated data, so a ciphertext moved to
 * another row does not open; the ciphertext format itself is platform/crypto's. Whoever writes or
 * reads a record (the customer repository, the bulk import, the delivery engine, key rotation's
 * column list) goes through these functions and knows neither the associated data nor the format.
 */
export const customerRecordContext = (customerId: string) => `customer:${customerId}`;

/** One record sealed under the organization's newest data key (stored with keys.dataVersion). */
export function sealCustomerRecord(keys: OrganizationKeys, customerId: string, record: string): Buffer {
  return seal(keys.data(keys.dataVersion), record, customerRecordContext(customerId));
}

/** Many records under the newest data key at once (a bulk import's batch). */
export function sealCustomerRecords(
  keys: OrganizationKeys,
  records: readonly { customerId: string; record: string }[],
): Buffer[] {
  return sealMany(
    keys.data(keys.dataVersion),
    records.map((r) => ({ plaintext: r.record, context: customerRecordContext(r.customerId) })),
  );
}

/** A record as stored: its ciphertext and the data key version it was sealed under. */
export function openCustomerRecord(
  keys: OrganizationKeys,
  customerId: string,
  sealed: Buffer | Uint8Array,
  keyVersion: number,
): string {
  return open(keys.data(keyVersion), Buffer.from(sealed), customerRecordContext(customerId)).toString('utf8');
}
