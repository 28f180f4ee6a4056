import { randomUUID } from 'node:crypto';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import type { Logger } from '../../platform/logger.js';
import { appendAudit, systemActor } from '../audit/index.js';
import {
  failBouncedDelivery,
  findCustomerEmailIndex,
  findDeliveryOrganization,
  lockDeliveryFacts,
  noteDeliveryError,
  recordUnattributedReport,
  type DeliveryFacts,
} from './bounce-repo.js';
import { insertHeldReport, type HeldVerdict } from './inbound-report-repo.js';
import { listTestRecipients } from './notice-test-recipients.js';
import {
  addressIndex,
  suppressIndex,
  type SuppressionReason,
  type SuppressionSource,
} from './suppression.js';
import { verpValid, type ParsedVerp } from './verp.js';

/**
 * A bounce, complaint or unsubscribe as it arrived: which delivery it names and how it names it,
 * and what it says. Nothing in it is trusted beyond what names the delivery: the addresses a
 * report lists are compared with the delivery's own recipient, never acted on.
 */
export interface InboundReport {
  /**
   * How the report names its delivery: by a VERP or unsubscribe address (its MAC is checked
   * against the organization's key), or by id from the relay, whose bearer secret authenticated it.
   */
  names: { verp: ParsedVerp } | { relayDeliveryId: string };
  /** hard: the address takes no mail (5.x.x); soft: delayed (4.x.x), noted only; complaint; unsubscribe. */
  kind: 'hard' | 'soft' | 'complaint' | 'unsubscribe';
  /** The enhanced status code reported, e.g. 5.1.1. */
  status?: string;
  /**
   * Every recipient address the report names (DSN Final-Recipient or Original-Recipient, ARF
   * Original-Rcpt-To, a relay event's recipient); empty when it names none (an unsubscribe: its
   * From may be forged, so it is never read). Only compared with the delivery's recipient.
   */
  recipients: readonly (string | undefined)[];
  source: SuppressionSource;
  /** The peer that handed the report over (SMTP client or HTTP caller), for the review list. */
  remoteAddress?: string;
  /** The report as received, kept sealed with a held report. */
  raw?: Buffer;
}

export interface BounceDeps {
  db: Database;
  keyring: OrganizationKeyring;
  auditKey: Buffer;
  logger?: Logger;
}

/**
 * applied: the delivery's recipient was suppressed (or the delivery failed); noted: a soft bounce
 * written on the delivery; held: the report could not be trusted and was kept for review, nothing
 * changed; unknown_delivery: no such delivery (kept as unattributed).
 */
export type BounceOutcome = 'applied' | 'noted' | 'held' | 'unknown_delivery';

const REASON: Record<Exclude<InboundReport['kind'], 'soft'>, SuppressionReason> = {
  hard: 'hard_bounce',
  complaint: 'complaint',
  unsubscribe: 'unsubscribed',
};
const ACTION: Record<Exclude<InboundReport['kind'], 'soft'>, string> = {
  hard: 'delivery.bounced',
  complaint: 'delivery.complained',
  unsubscribe: 'delivery.unsubscribed',
};

const deliveryIdOf = (report: InboundReport) =>
  'verp' in report.names ? report.names.verp.deliveryId : report.names.relayDeliveryId;

/**
 * Applies a report to the recipient of the delivery it names, and to nothing else: a hard bounce
 * fails the delivery and suppresses its address for every notice; a complaint or an unsubscribe
 * suppresses it for optional updates only (a mandatory breach notice still goes out); a soft
 * bounce is noted on the delivery. A report is held for review, audited, and changes nothing
 * when its VERP MAC is wrong or missing, when it lists any recipient other than the delivery's,
 * or when the delivery is not a notice e-mail (platform mail carries no VERP address). A report
 * for a delivery that does not exist is kept as unattributed. No address is logged or stored in
 * clear.
 */
export async function applyReport(deps: BounceDeps, report: InboundReport): Promise<BounceOutcome> {
  const deliveryId = deliveryIdOf(report);
  const organizationId = await asApp(deps.db, (tx) => findDeliveryOrganization(tx, deliveryId));
  if (!organizationId) {
    await asApp(deps.db, (tx) =>
      recordUnattributedReport(tx, {
        deliveryId,
        kind: report.kind,
        source: report.source,
        remoteAddress: report.remoteAddress ?? null,
      }),
    );
    deps.logger?.warn({ source: report.source, kind: report.kind }, 'report for an unknown delivery kept');
    return 'unknown_delivery';
  }
  const outcome = await withOrg(
    deps.db,
    organizationId,
    async (tx) => {
      const row = await lockDeliveryFacts(tx, deliveryId);
      if (!row) return { result: 'unknown_delivery' as const };
      const keys = await deps.keyring.get(tx, organizationId);
      const expectedKind = report.kind === 'unsubscribe' ? 'unsubscribe' : 'bounce';
      if (
        'verp' in report.names &&
        (report.names.verp.kind !== expectedKind || !verpValid(keys, report.names.verp))
      ) {
        return hold(tx, deps, keys, organizationId, deliveryId, report, 'bad_token', 0);
      }
      if (row.channel !== 'email' || row.send_id === null) {
        return hold(tx, deps, keys, organizationId, deliveryId, report, 'not_a_notice', 0);
      }
      const own = row.recipient_index ?? (await currentIndex(tx, keys, row));
      const foreign = report.recipients.filter(
        (r) => !own || !r || addressIndex(keys, 'email', r) !== own,
      ).length;
      if (!own || foreign > 0) {
        return hold(tx, deps, keys, organizationId, deliveryId, report, 'recipient_mismatch', foreign);
      }
      const status = report.status ? ` ${report.status}` : '';
      if (report.kind === 'soft') {
        await noteDeliveryError(tx, deliveryId, `Delayed (reported by ${report.source})${status}`);
        return { result: 'noted' as const };
      }
      if (report.kind === 'hard') {
        await failBouncedDelivery(tx, deliveryId, `Bounced (reported by ${report.source})${status}`);
      }
      const reason = REASON[report.kind];
      const added = await suppressIndex(tx, organizationId, 'email', own, reason, {
        source: report.source,
        deliveryId,
      });
      await appendAudit(tx, deps.auditKey, organizationId, systemActor(), {
        action: ACTION[report.kind],
        targetType: 'delivery',
        targetId: deliveryId,
        data: { source: report.source, status: report.status ?? null, suppressed: added },
      });
      return { result: 'applied' as const };
    },
    { system: true },
  );
  if (outcome.result === 'held') {
    deps.logger?.warn(
      { deliveryId, organizationId, verdict: outcome.verdict, source: report.source, kind: report.kind },
      'report not trusted: kept for review',
    );
  }
  return outcome.result;
}

/** The delivery's address as the record holds it now: for a delivery sent before addresses were recorded. */
async function currentIndex(
  tx: Sql,
  keys: OrganizationKeys,
  row: DeliveryFacts,
): Promise<string | undefined> {
  if (row.customer_id) {
    return findCustomerEmailIndex(tx, row.customer_id);
  }
  if (row.test_recipient_id) {
    const tester = (await listTestRecipients(tx, keys)).find((r) => r.id === row.test_recipient_id);
    return tester?.email ? addressIndex(keys, 'email', tester.email) : undefined;
  }
  return undefined;
}

async function hold(
  tx: Sql,
  deps: BounceDeps,
  keys: OrganizationKeys,
  organizationId: string,
  deliveryId: string,
  report: InboundReport,
  verdict: HeldVerdict,
  foreign: number,
): Promise<{ result: 'held'; verdict: HeldVerdict }> {
  const id = randomUUID();
  await insertHeldReport(tx, keys, {
    id,
    organizationId,
    deliveryId,
    kind: report.kind,
    source: report.source,
    verdict,
    recipients: report.recipients.length,
    foreignRecipients: foreign,
    status: report.status,
    remoteAddress: report.remoteAddress,
    raw: report.raw,
  });
  await appendAudit(tx, deps.auditKey, organizationId, systemActor(), {
    action: 'delivery.report_held',
    targetType: 'inbound_report',
    targetId: id,
    data: {
      deliveryId,
      verdict,
      kind: report.kind,
      source: report.source,
      recipients: report.recipients.length,
      foreignRecipients: foreign,
    },
  });
  return { result: 'held', verdict };
}
