import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit, systemActor } from '../audit/audit-service.js';
import { addressIndex, suppressIndex, type SuppressionSource } from './suppression.js';

export interface BounceEvent {
  deliveryId: string;
  /** hard: the address does not take mail (5.x.x); soft: delayed (4.x.x), noted only; complaint; unsubscribe. */
  kind: 'hard' | 'soft' | 'complaint' | 'unsubscribe';
  /** The enhanced status code reported, e.g. 5.1.1. */
  status?: string;
  /** The recipient the report names: used only when the delivery itself knows no address. */
  reportedRecipient?: string;
  source: SuppressionSource;
}

export interface BounceDeps {
  db: Database;
  keyring: OrganizationKeyring;
  auditKey: Buffer;
}

export type BounceOutcome = 'applied' | 'noted' | 'unknown_delivery';

interface DeliveryFacts {
  channel: string;
  status: string;
  customer_id?: string | null;
}

/**
 * Applies a bounce, complaint or unsubscribe to the delivery its VERP address names: a hard
 * bounce fails the delivery and suppresses its address ('hard_bounce'); a complaint and an
 * unsubscribe suppress it; a soft bounce is noted on the delivery only. The address suppressed is
 * the delivery's own (its customer's blind index), so a forged report cannot suppress someone
 * else; only a delivery without a customer (platform mail, a test recipient) falls back on the
 * address the report names. Bounce processing never sees or logs the address in clear beyond that.
 */
export async function applyBounce(deps: BounceDeps, event: BounceEvent): Promise<BounceOutcome> {
  const found = await asApp(deps.db, (tx) =>
    tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_find_delivery($1)', [
      event.deliveryId,
    ]),
  );
  const organizationId = found[0]?.organization_id;
  if (!organizationId) return 'unknown_delivery';
  return withOrg(
    deps.db,
    organizationId,
    async (tx) => {
      // As JSON: the row's notice columns (customer_id) belong to the delivery engine's migration.
      const row = (
        await tx.query<{ d: DeliveryFacts }>(
          'SELECT to_jsonb(d) AS d FROM deliveries d WHERE id = $1 FOR UPDATE',
          [event.deliveryId],
        )
      )[0]?.d;
      if (!row) return 'unknown_delivery';
      const status = event.status ? ` ${event.status}` : '';
      if (event.kind === 'soft') {
        await tx.query(`UPDATE deliveries SET last_error = $2 WHERE id = $1`, [
          event.deliveryId,
          `Delayed (reported by ${event.source})${status}`,
        ]);
        return 'noted';
      }
      if (event.kind === 'hard') {
        await tx.query(
          `UPDATE deliveries SET status = 'failed', last_error = $2, locked_until = NULL
           WHERE id = $1 AND status <> 'cancelled'`,
          [event.deliveryId, `Bounced (reported by ${event.source})${status}`],
        );
      }
      const index = await deliveryAddressIndex(tx, deps, organizationId, row, event);
      const reason =
        event.kind === 'hard' ? 'hard_bounce' : event.kind === 'complaint' ? 'complaint' : 'unsubscribed';
      const added =
        index !== undefined &&
        (await suppressIndex(tx, organizationId, 'email', index, reason, {
          source: event.source,
          deliveryId: event.deliveryId,
        }));
      await appendAudit(tx, deps.auditKey, organizationId, systemActor(), {
        action:
          event.kind === 'hard'
            ? 'delivery.bounced'
            : event.kind === 'complaint'
              ? 'delivery.complained'
              : 'delivery.unsubscribed',
        targetType: 'delivery',
        targetId: event.deliveryId,
        data: { source: event.source, status: event.status ?? null, suppressed: added },
      });
      return 'applied';
    },
    { system: true },
  );
}

async function deliveryAddressIndex(
  tx: Sql,
  deps: BounceDeps,
  organizationId: string,
  row: DeliveryFacts,
  event: BounceEvent,
): Promise<string | undefined> {
  if (row.channel !== 'email') return undefined;
  if (row.customer_id) {
    const customer = await tx.query<{ email_index: string | null }>(
      'SELECT email_index FROM customers WHERE id = $1',
      [row.customer_id],
    );
    return customer[0]?.email_index ?? undefined;
  }
  if (!event.reportedRecipient) return undefined;
  return addressIndex(await deps.keyring.get(tx, organizationId), 'email', event.reportedRecipient);
}
