import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { requestLocale } from '../../platform/request-locale.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, requestActor, type AuditEntry } from '../audit/index.js';
import { contactsCsv, contactsHtml, PRINT_CSS, PRINT_CSS_PATH } from './contact-export.js';
import {
  contactKey,
  deleteContact,
  findContact,
  insertContact,
  listContacts,
  updateContact,
  type Contact,
} from './contact-repo.js';
import { ContactCreateBody, ContactExport, ContactPatchBody, ContactView, IdParams } from './plan-schemas.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'contacts.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'contacts.manage' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

export const contactView = (c: Contact): ContactView => ({
  id: c.id,
  name: c.name,
  role: c.role,
  affiliation: c.affiliation,
  phone: c.phone,
  channels: c.channels,
  notes: c.notes,
  position: c.position,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

async function organizationName(tx: Sql): Promise<string> {
  return (await tx.query<{ name: string }>('SELECT name FROM organizations'))[0]?.name ?? '';
}

/** The out-of-band contact list: CRUD, CSV and JSON export, and a printable page. */
export async function contactRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  const key = contactKey(config.secrets.masterKey);

  // Phone numbers of people: no copy may linger in a browser or proxy cache.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const audit = (tx: Sql, request: FastifyRequest, entry: AuditEntry) =>
    appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), entry);

  app.get(
    '/api/contacts',
    { config: read, schema: { tags: ['contacts'], response: { 200: Type.Array(ContactView) } } },
    async (request) => (await withCaller(db, request, (tx) => listContacts(tx, key))).map(contactView),
  );

  app.post(
    '/api/contacts',
    {
      config: manage,
      schema: { tags: ['contacts'], body: ContactCreateBody, response: { 201: ContactView, ...errors } },
    },
    async (request, reply) => {
      const b = request.body;
      const contact = await withCaller(db, request, async (tx) => {
        const created = await insertContact(tx, key, authOf(request).organizationId, {
          name: b.name.trim(),
          role: b.role?.trim() ?? '',
          affiliation: b.affiliation?.trim() ?? '',
          phone: b.phone?.trim() ?? '',
          channels: b.channels ?? [],
          notes: b.notes?.trim() ?? '',
          position: b.position ?? 0,
        });
        await audit(tx, request, {
          action: 'contact.created',
          targetType: 'oob_contact',
          targetId: created.id,
        });
        return created;
      });
      return reply.status(201).send(contactView(contact));
    },
  );

  app.patch(
    '/api/contacts/:id',
    {
      config: manage,
      schema: {
        tags: ['contacts'],
        params: IdParams,
        body: ContactPatchBody,
        response: { 200: ContactView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const before = await findContact(tx, key, request.params.id);
        if (!before) throw new AppError('not_found');
        const b = request.body;
        const updated = await updateContact(tx, key, {
          ...before,
          name: b.name?.trim() ?? before.name,
          role: b.role?.trim() ?? before.role,
          affiliation: b.affiliation?.trim() ?? before.affiliation,
          phone: b.phone?.trim() ?? before.phone,
          channels: b.channels ?? before.channels,
          notes: b.notes?.trim() ?? before.notes,
          position: b.position ?? before.position,
        });
        await audit(tx, request, {
          action: 'contact.updated',
          targetType: 'oob_contact',
          targetId: before.id,
          data: { fields: Object.keys(b) },
        });
        return contactView(updated);
      }),
  );

  app.delete(
    '/api/contacts/:id',
    {
      config: manage,
      schema: { tags: ['contacts'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, async (tx) => {
        if (!(await deleteContact(tx, request.params.id))) throw new AppError('not_found');
        await audit(tx, request, {
          action: 'contact.deleted',
          targetType: 'oob_contact',
          targetId: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  /** Every copy that leaves Candor is audited: format and count, never the contents. */
  const exported = (request: FastifyRequest, format: 'csv' | 'json' | 'print') =>
    withCaller(db, request, async (tx) => {
      const contacts = await listContacts(tx, key);
      await audit(tx, request, {
        action: format === 'print' ? 'contacts.printed' : 'contacts.exported',
        data: { format, count: contacts.length },
      });
      return { contacts, organization: await organizationName(tx) };
    });

  app.get(
    '/api/contacts/export.csv',
    {
      config: read,
      schema: { tags: ['contacts'], produces: ['text/csv'], response: { 200: Type.String() } },
    },
    async (request, reply) => {
      const { contacts } = await exported(request, 'csv');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="candor-out-of-band-contacts.csv"')
        .send(contactsCsv(contacts, requestLocale(request)));
    },
  );

  app.get(
    '/api/contacts/export.json',
    { config: read, schema: { tags: ['contacts'], response: { 200: ContactExport } } },
    async (request, reply) => {
      const { contacts, organization } = await exported(request, 'json');
      void reply.header('content-disposition', 'attachment; filename="candor-out-of-band-contacts.json"');
      return { organization, exportedAt: new Date().toISOString(), contacts: contacts.map(contactView) };
    },
  );

  app.get(
    '/api/contacts/print',
    {
      config: read,
      schema: { tags: ['contacts'], produces: ['text/html'], response: { 200: Type.String() } },
    },
    async (request, reply) => {
      const { contacts, organization } = await exported(request, 'print');
      const html = contactsHtml(contacts, {
        locale: requestLocale(request),
        organization,
        printedAt: new Date(),
      });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.get(
    PRINT_CSS_PATH,
    {
      config: { access: { kind: 'public' } },
      schema: { tags: ['contacts'], produces: ['text/css'], response: { 200: Type.String() } },
    },
    async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PRINT_CSS),
  );
}
