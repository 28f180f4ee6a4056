import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit, type AuditEntry } from '../audit/index.js';
import { recountAffected, type Caller, type RecountDeps } from './affected-recount.js';
import { affectedIncidentIds } from './affected-repo.js';
import {
  addRevealNote,
  deleteCustomer,
  normalizeEmail,
  normalizePhone,
  normalizeWebhookUrl,
  openPersonal,
  upsertCustomer,
  type CustomerInput,
  type CustomerSummary,
  type PersonalFields,
} from './customer-repo.js';
import type { CustomerSearchBody, CustomerUpsertBody, RevealBody } from './customer-schemas.js';

/** What the vault needs of the app: the organizations' keys, and the audit key from the secrets. */
export interface CustomerDeps extends RecountDeps {
  keyring: OrganizationKeyring;
}

const invalid = (field: string) => new AppError('validation_failed', { field });

function email(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const normalized = normalizeEmail(raw);
  if (!normalized) throw invalid('email');
  return normalized;
}

function phone(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const normalized = normalizePhone(raw);
  if (!normalized) throw invalid('phone');
  return normalized;
}

function webhookUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const normalized = normalizeWebhookUrl(raw);
  if (!normalized) throw invalid('webhookUrl');
  return normalized;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The customer as the vault keeps it: fields normalized, a bad one named in the 400. */
export function customerInput(b: CustomerUpsertBody): CustomerInput {
  if (b.region && b.region.slice(0, 2) !== b.country) throw invalid('region');
  const input = {
    externalId: b.externalId.trim(),
    personal: {
      name: b.name?.trim() || null,
      email: email(b.email) ?? null,
      phone: phone(b.phone) ?? null,
      address: b.address ?? null,
      attributes: b.personalAttributes ?? {},
      webhookUrl: webhookUrl(b.webhookUrl) ?? null,
    },
    language: b.language ?? null,
    timeZone: b.timeZone ?? null,
    country: b.country ?? null,
    region: b.region ?? null,
    tags: b.tags ?? [],
    attributes: b.attributes ?? {},
    consent: b.consent ?? { email: false, sms: false, webhook: false },
  };
  if (input.timeZone && !validTimeZone(input.timeZone)) throw invalid('timeZone');
  return input;
}

/** An exact search's keys, normalized as the blind indexes were. */
export function customerSearch(b: CustomerSearchBody): { email?: string; phone?: string } {
  return { email: email(b.email), phone: phone(b.phone) };
}

const audit = (tx: Sql, deps: CustomerDeps, caller: Caller, entry: AuditEntry) =>
  appendAudit(tx, deps.config.secrets.auditKey, caller.organizationId, caller.actor, entry);

/** Creates or replaces (every field) the customer with this external id; audited. */
export async function saveCustomer(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  input: CustomerInput,
): Promise<{ customer: CustomerSummary; created: boolean }> {
  const result = await upsertCustomer(
    tx,
    await deps.keyring.get(tx, caller.organizationId),
    caller.organizationId,
    input,
  );
  await audit(tx, deps, caller, {
    action: result.created ? 'customer.created' : 'customer.updated',
    targetType: 'customer',
    targetId: result.customer.id,
  });
  return result;
}

/** The customer's personal fields, for a reason the audit log keeps (a note sealed apart). */
export async function revealCustomer(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  customerId: string,
  why: RevealBody,
): Promise<{ customer: CustomerSummary; personal: Required<PersonalFields> }> {
  const keys = await deps.keyring.get(tx, caller.organizationId);
  const opened = await openPersonal(tx, keys, customerId);
  if (!opened) throw new AppError('not_found');
  const note = why.note?.trim() ?? '';
  // The reason's code goes into the audit log; free text may name people, so it is sealed apart.
  const seq = await audit(tx, deps, caller, {
    action: 'customer.revealed',
    targetType: 'customer',
    targetId: opened.customer.id,
    data: { reason: why.reason, noteLength: note.length },
  });
  if (note) await addRevealNote(tx, keys, caller.organizationId, opened.customer.id, seq, note);
  return opened;
}

/** Erases the customer; audited. */
export async function removeCustomer(
  tx: Sql,
  deps: CustomerDeps,
  caller: Caller,
  customerId: string,
): Promise<void> {
  // The incidents that counted them count again without them (their clocks follow).
  const incidents = await affectedIncidentIds(tx, customerId);
  if (!(await deleteCustomer(tx, customerId))) throw new AppError('not_found');
  await audit(tx, deps, caller, {
    action: 'customer.deleted',
    targetType: 'customer',
    targetId: customerId,
  });
  for (const incidentId of incidents) {
    await recountAffected(tx, deps, caller, incidentId, 'affected_customers_removed', { removed: 1 });
  }
}
