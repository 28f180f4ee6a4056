import { randomUUID } from 'node:crypto';
import { deriveKey, open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';

/** Ways to reach someone when company e-mail and chat cannot be trusted. */
export const CHANNEL_TYPES = [
  'phone',
  'phone_bridge',
  'signal',
  'sms',
  'whatsapp',
  'threema',
  'satellite_phone',
  'personal_email',
  'radio',
  'other',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface Channel {
  type: ChannelType;
  value: string;
}

/** The personal part of a contact, sealed at rest. */
interface Details {
  phone: string;
  channels: Channel[];
  notes: string;
}

export interface Contact extends Details {
  id: string;
  name: string;
  role: string;
  affiliation: string;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ContactInput = Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>;

export const contactKey = (masterKey: Buffer) => deriveKey(masterKey, 'oob-contacts');
const context = (id: string) => `oob-contact:${id}`;

interface ContactRow {
  id: string;
  name: string;
  role: string;
  affiliation: string;
  position: number;
  details: Buffer;
  created_at: Date;
  updated_at: Date;
}

function toContact(key: Buffer, row: ContactRow): Contact {
  const details = JSON.parse(
    open(key, Buffer.from(row.details), context(row.id)).toString('utf8'),
  ) as Details;
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    affiliation: row.affiliation,
    position: row.position,
    phone: details.phone,
    channels: details.channels,
    notes: details.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const sealDetails = (key: Buffer, id: string, d: Details) =>
  seal(key, JSON.stringify({ phone: d.phone, channels: d.channels, notes: d.notes }), context(id));

export async function listContacts(tx: Sql, key: Buffer): Promise<Contact[]> {
  const rows = await tx.query<ContactRow>('SELECT * FROM oob_contacts ORDER BY position, name, id');
  return rows.map((r) => toContact(key, r));
}

export async function findContact(tx: Sql, key: Buffer, id: string): Promise<Contact | undefined> {
  const row = (await tx.query<ContactRow>('SELECT * FROM oob_contacts WHERE id = $1', [id]))[0];
  return row && toContact(key, row);
}

export async function insertContact(
  tx: Sql,
  key: Buffer,
  organizationId: string,
  input: ContactInput,
): Promise<Contact> {
  const id = randomUUID();
  const rows = await tx.query<ContactRow>(
    `INSERT INTO oob_contacts (id, organization_id, name, role, affiliation, position, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      id,
      organizationId,
      input.name,
      input.role,
      input.affiliation,
      input.position,
      sealDetails(key, id, input),
    ],
  );
  return toContact(key, rows[0]!);
}

export async function updateContact(tx: Sql, key: Buffer, contact: Contact): Promise<Contact> {
  const rows = await tx.query<ContactRow>(
    `UPDATE oob_contacts SET name = $2, role = $3, affiliation = $4, position = $5, details = $6, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      contact.id,
      contact.name,
      contact.role,
      contact.affiliation,
      contact.position,
      sealDetails(key, contact.id, contact),
    ],
  );
  return toContact(key, rows[0]!);
}

export async function deleteContact(tx: Sql, id: string): Promise<boolean> {
  return (await tx.query('DELETE FROM oob_contacts WHERE id = $1 RETURNING id', [id])).length === 1;
}

/** The organization's name, printed on the exported list. */
export async function findOrganizationName(tx: Sql): Promise<string> {
  return (await tx.query<{ name: string }>('SELECT name FROM organizations'))[0]?.name ?? '';
}
