import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requestLocale } from '../../platform/request-locale.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { contactsCsv, contactsHtml, PRINT_CSS, PRINT_CSS_PATH } from './contact-export.js';
import { contactKey, listContacts, type Contact } from './contact-repo.js';
import {
  changeContact,
  createContact,
  exportContacts,
  removeContact,
  type ContactCaller,
  type ContactKeys,
} from './contact-service.js';
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

const callerOf = (request: FastifyRequest): ContactCaller => ({
  organizationId: authOf(request).organizationId,
  actor: requestActor(request),
});

/** The out-of-band contact list: CRUD, CSV and JSON export, and a printable page. */
export async function contactRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const keys: ContactKeys = {
    contactKey: contactKey(config.secrets.masterKey),
    auditKey: config.secrets.auditKey,
  };

  // Phone numbers of people: no copy may linger in a browser or proxy cache.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  app.get(
    '/api/contacts',
    { config: read, schema: { tags: ['contacts'], response: { 200: Type.Array(ContactView) } } },
    async (request) =>
      (await withCaller(db, request, (tx) => listContacts(tx, keys.contactKey))).map(contactView),
  );

  app.post(
    '/api/contacts',
    {
      config: manage,
      schema: { tags: ['contacts'], body: ContactCreateBody, response: { 201: ContactView, ...errors } },
    },
    async (request, reply) => {
      const contact = await withCaller(db, request, (tx) =>
        createContact(tx, keys, callerOf(request), request.body),
      );
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
      withCaller(db, request, async (tx) =>
        contactView(await changeContact(tx, keys, callerOf(request), request.params.id, request.body)),
      ),
  );

  app.delete(
    '/api/contacts/:id',
    {
      config: manage,
      schema: { tags: ['contacts'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, (tx) => removeContact(tx, keys, callerOf(request), request.params.id));
      return reply.status(204).send(null);
    },
  );

  const exported = (request: FastifyRequest, format: 'csv' | 'json' | 'print') =>
    withCaller(db, request, (tx) => exportContacts(tx, keys, callerOf(request), format));

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
