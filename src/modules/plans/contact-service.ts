import type { Static } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, type AuditActor, type AuditEntry } from '../audit/index.js';
import {
  deleteContact,
  findContact,
  findOrganizationName,
  insertContact,
  listContacts,
  updateContact,
  type Contact,
} from './contact-repo.js';
import type { ContactCreateBody, ContactPatchBody } from './plan-schemas.js';

export interface ContactCaller {
  organizationId: string;
  actor: AuditActor;
}

/** The key contacts are sealed under, and the audit key. */
export interface ContactKeys {
  contactKey: Buffer;
  auditKey: Buffer;
}

const audit = (tx: Sql, keys: ContactKeys, caller: ContactCaller, entry: AuditEntry) =>
  appendAudit(tx, keys.auditKey, caller.organizationId, caller.actor, entry);

export async function createContact(
  tx: Sql,
  keys: ContactKeys,
  caller: ContactCaller,
  b: Static<typeof ContactCreateBody>,
): Promise<Contact> {
  const created = await insertContact(tx, keys.contactKey, caller.organizationId, {
    name: b.name.trim(),
    role: b.role?.trim() ?? '',
    affiliation: b.affiliation?.trim() ?? '',
    phone: b.phone?.trim() ?? '',
    channels: b.channels ?? [],
    notes: b.notes?.trim() ?? '',
    position: b.position ?? 0,
  });
  await audit(tx, keys, caller, {
    action: 'contact.created',
    targetType: 'oob_contact',
    targetId: created.id,
  });
  return created;
}

/** Changes the fields given; the audit log names them, never their values. */
export async function changeContact(
  tx: Sql,
  keys: ContactKeys,
  caller: ContactCaller,
  id: string,
  b: Static<typeof ContactPatchBody>,
): Promise<Contact> {
  const before = await findContact(tx, keys.contactKey, id);
  if (!before) throw new AppError('not_found');
  const updated = await updateContact(tx, keys.contactKey, {
    ...before,
    name: b.name?.trim() ?? before.name,
    role: b.role?.trim() ?? before.role,
    affiliation: b.affiliation?.trim() ?? before.affiliation,
    phone: b.phone?.trim() ?? before.phone,
    channels: b.channels ?? before.channels,
    notes: b.notes?.trim() ?? before.notes,
    position: b.position ?? before.position,
  });
  await audit(tx, keys, caller, {
    action: 'contact.updated',
    targetType: 'oob_contact',
    targetId: before.id,
    data: { fields: Object.keys(b) },
  });
  return updated;
}

export async function removeContact(
  tx: Sql,
  keys: ContactKeys,
  caller: ContactCaller,
  id: string,
): Promise<void> {
  if (!(await deleteContact(tx, id))) throw new AppError('not_found');
  await audit(tx, keys, caller, {
    action: 'contact.deleted',
    targetType: 'oob_contact',
    targetId: id,
  });
}

/** Every copy that leaves Candor is audited: format and count, never the contents. */
export async function exportContacts(
  tx: Sql,
  keys: ContactKeys,
  caller: ContactCaller,
  format: 'csv' | 'json' | 'print',
): Promise<{ contacts: Contact[]; organization: string }> {
  const contacts = await listContacts(tx, keys.contactKey);
  await audit(tx, keys, caller, {
    action: format === 'print' ? 'contacts.printed' : 'contacts.exported',
    data: { format, count: contacts.length },
  });
  return { contacts, organization: await findOrganizationName(tx) };
}
