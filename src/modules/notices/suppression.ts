import { createHash } from 'node:crypto';
import { hmac, safeEqual } from '../../platform/crypto.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import { appendAudit, systemActor, type AuditActor } from '../audit/index.js';
import { emailIndex, normalizeEmail, normalizePhone, phoneIndex } from '../customers/index.js';
import type { Channel, NoticeKind } from './notice-contracts.js';
import {
  deleteSuppression,
  findSuppressedIndexes,
  listSuppressionRows,
  organizationExists,
  upsertSuppression,
  type SuppressionRow,
} from './suppression-repo.js';
import type { SuppressionReason, SuppressionScope, SuppressionSource } from './suppression-model.js';

/**
 * The suppression list: addresses a channel must not send to again (hard bounces, complaints,
 * permanent failures, one-click unsubscribes). Kept by the organization's blind index of the
 * address, as the customer vault indexes e-mails and phones (a webhook by its URL), so the list
 * never holds an address in clear and an address matches however it was written.
 */
export { SUPPRESSION_REASONS, SUPPRESSION_SCOPES } from './suppression-model.js';
export type { SuppressionReason, SuppressionScope, SuppressionSource } from './suppression-model.js';

/**
 * The rule (migration 20261207000000 applied it to the rows before it): an address that takes no
 * mail (a hard bounce, a permanent refusal at sending) is suppressed for everything; an e-mail
 * unsubscribe or a complaint is a choice about optional mail only. An SMS unsubscribe (STOP) is
 * 'all': the provider refuses every later message to the number, mandatory or not, so the send's
 * report must show it rather than fail it.
 */
export function scopeFor(channel: Channel, reason: SuppressionReason): SuppressionScope {
  if (reason === 'complaint') return 'optional';
  if (reason === 'unsubscribed') return channel === 'sms' ? 'all' : 'optional';
  return 'all';
}

export interface Suppression {
  id: string;
  channel: Channel;
  reason: SuppressionReason;
  scope: SuppressionScope;
  source: string;
  deliveryId: string | null;
  createdAt: Date;
}

/** A webhook target as one string: scheme and host lower case, the default port and fragment dropped. */
function normalizeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    url.hash = '';
    return url.toString();
  } catch {
    return undefined;
  }
}

/**
 * The blind index of an address on a channel; undefined when the address is not one (an e-mail
 * without a domain, a phone not in E.164, a URL that does not parse).
 */
export function addressIndex(keys: OrganizationKeys, channel: Channel, address: string): string | undefined {
  switch (channel) {
    case 'email': {
      const email = normalizeEmail(address);
      return email && emailIndex(keys, email);
    }
    case 'sms': {
      const phone = normalizePhone(address);
      return phone && phoneIndex(keys, phone);
    }
    case 'webhook': {
      const url = normalizeUrl(address);
      return url && hmac(keys.index, `webhook:${createHash('sha256').update(url).digest('base64url')}`);
    }
  }
}

/**
 * Whether the channel must not send a notice of this kind to this address: a mandatory notice is
 * stopped by an 'all' suppression only, an optional update by any. An address that is not one is
 * never suppressed.
 */
export async function isSuppressed(
  tx: Sql,
  keys: OrganizationKeys,
  channel: Channel,
  address: string,
  kind: NoticeKind = 'optional',
): Promise<boolean> {
  const index = addressIndex(keys, channel, address);
  if (!index) return false;
  return (await suppressedIndexes(tx, channel, [index], kind)).size > 0;
}

/**
 * The indexes among `indexes` that a notice of this kind must not be sent to on the channel, for
 * a batch checked at once (compute each with addressIndex).
 */
export async function suppressedIndexes(
  tx: Sql,
  channel: Channel,
  indexes: readonly string[],
  kind: NoticeKind,
): Promise<Set<string>> {
  if (indexes.length === 0) return new Set();
  return new Set(await findSuppressedIndexes(tx, channel, indexes, kind === 'optional'));
}

/**
 * Adds the address to the list (in the caller's organization transaction), its scope from the
 * reason (scopeFor). Once suppressed, an address keeps its first reason, unless a reason that
 * stops everything follows one that stopped optional mail only (an unsubscribed address that then
 * hard-bounces): the entry is widened to 'all' with the new reason. Returns whether this call
 * added or widened it. An address that is not one is refused.
 */
export async function suppress(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  channel: Channel,
  address: string,
  reason: SuppressionReason,
  options: { source?: SuppressionSource; deliveryId?: string } = {},
): Promise<boolean> {
  const index = addressIndex(keys, channel, address);
  if (!index) throw new Error(`suppress: not a valid ${channel} address`);
  return suppressIndex(tx, organizationId, channel, index, reason, options);
}

/** As suppress, with the blind index already computed (a one-click unsubscribe carries only it). */
export async function suppressIndex(
  tx: Sql,
  organizationId: string,
  channel: Channel,
  index: string,
  reason: SuppressionReason,
  options: { source?: SuppressionSource; deliveryId?: string } = {},
): Promise<boolean> {
  return upsertSuppression(tx, {
    organizationId,
    channel,
    index,
    reason,
    scope: scopeFor(channel, reason),
    source: options.source ?? 'admin',
    deliveryId: options.deliveryId ?? null,
  });
}

const toSuppression = (r: SuppressionRow): Suppression => ({
  id: r.id,
  channel: r.channel,
  reason: r.reason,
  scope: r.scope,
  source: r.source,
  deliveryId: r.delivery_id,
  createdAt: r.created_at,
});

/** Newest first, paged by (created_at, id) of the last row seen. */
export async function listSuppressions(
  tx: Sql,
  options: { limit: number; channel?: Channel; before?: { createdAt: Date; id: string }; index?: string },
): Promise<Suppression[]> {
  return (await listSuppressionRows(tx, options)).map(toSuppression);
}

/** The entries for one address (its blind index); validation_failed when the address is not one. */
export async function searchSuppressions(
  tx: Sql,
  keys: OrganizationKeys,
  channel: Channel,
  address: string,
): Promise<Suppression[]> {
  const index = addressIndex(keys, channel, address);
  if (!index) throw new AppError('validation_failed', { field: 'address' });
  return listSuppressions(tx, { limit: 10, channel, index });
}

export async function removeSuppression(tx: Sql, id: string): Promise<Suppression | undefined> {
  const row = await deleteSuppression(tx, id);
  return row && toSuppression(row);
}

/** An admin takes an entry off the list (in the caller's transaction), audited; not_found when there is none. */
export async function removeSuppressionAudited(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  id: string,
): Promise<void> {
  const removed = await removeSuppression(tx, id);
  if (!removed) throw new AppError('not_found');
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'suppression.removed',
    targetType: 'suppression',
    targetId: removed.id,
    data: { channel: removed.channel, reason: removed.reason },
  });
}

/**
 * The one-click unsubscribe token of an optional update's List-Unsubscribe: the organization (its
 * uuid as 22 base64url characters), the e-mail's blind index and a MAC under the organization's
 * index key (128 bits). It holds no address, only Candor can make one, and it fits in a path
 * segment (under 100 characters).
 */
export function unsubscribeToken(keys: OrganizationKeys, organizationId: string, email: string): string {
  const index = addressIndex(keys, 'email', email);
  if (!index) throw new Error('unsubscribeToken: not a valid e-mail address');
  const org = Buffer.from(organizationId.replace(/-/g, ''), 'hex').toString('base64url');
  return `${org}.${index}.${unsubscribeMac(keys, organizationId, index)}`;
}

const unsubscribeMac = (keys: OrganizationKeys, organizationId: string, index: string) =>
  hmac(keys.index, `unsubscribe:${organizationId}:${index}`).slice(0, 22);

/** The token's parts before its MAC is checked (the organization is needed to find its keys). */
export function parseUnsubscribeToken(
  token: string,
): { organizationId: string; index: string; mac: string } | undefined {
  const match = token.match(/^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/);
  if (!match) return undefined;
  const hex = Buffer.from(match[1]!, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  const organizationId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { organizationId, index: match[2]!, mac: match[3]! };
}

export function unsubscribeTokenValid(
  keys: OrganizationKeys,
  parsed: { organizationId: string; index: string; mac: string },
): boolean {
  return safeEqual(parsed.mac, unsubscribeMac(keys, parsed.organizationId, parsed.index));
}

/**
 * A one-click unsubscribe (RFC 8058): the token's organization, checked by its MAC, suppresses the
 * e-mail it names for optional updates, audited when that added the entry. not_found for a token
 * that does not parse, names no organization or carries the wrong MAC. requestId: the audit's.
 */
export async function unsubscribeByToken(
  deps: { db: Database; keyring: OrganizationKeyring; auditKey: Buffer },
  token: string,
  requestId: string,
): Promise<void> {
  const parsed = parseUnsubscribeToken(token);
  if (!parsed) throw new AppError('not_found');
  await withOrg(
    deps.db,
    parsed.organizationId,
    async (tx) => {
      if (!(await organizationExists(tx))) throw new AppError('not_found');
      if (!unsubscribeTokenValid(await deps.keyring.get(tx, parsed.organizationId), parsed)) {
        throw new AppError('not_found');
      }
      const added = await suppressIndex(tx, parsed.organizationId, 'email', parsed.index, 'unsubscribed', {
        source: 'unsubscribe',
      });
      if (added) {
        await appendAudit(tx, deps.auditKey, parsed.organizationId, systemActor(requestId), {
          action: 'suppression.added',
          targetType: 'suppression',
          data: { channel: 'email', reason: 'unsubscribed', scope: 'optional' },
        });
      }
    },
    { system: true },
  );
}
