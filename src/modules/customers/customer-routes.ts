import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, requestActor, type AuditEntry } from '../audit/index.js';
import { recountAffected } from './affected-recount.js';
import {
  addRevealNote,
  deleteCustomer,
  findCustomer,
  listCustomers,
  normalizeEmail,
  normalizePhone,
  normalizeWebhookUrl,
  openPersonal,
  searchCustomers,
  upsertCustomer,
  type CustomerSummary,
} from './customer-repo.js';
import {
  CustomerIdParams,
  CustomerListQuery,
  CustomerRevealed,
  CustomerSearchBody,
  CustomerUpsertBody,
  CustomerView,
  RevealBody,
} from './customer-schemas.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'customers.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'customers.manage' } };
const reveal: { access: Access } = { access: { kind: 'permission', permission: 'customers.reveal' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

export const customerView = (c: CustomerSummary): CustomerView => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

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

/**
 * The customer vault: customers kept with their personal fields sealed under the organization's
 * data key. Lists and searches show clear fields only; personal data leaves only through the
 * reveal route, for the roles allowed, with a reason, and audited.
 */
export async function customerRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  const { keyring } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const audit = (tx: Sql, request: FastifyRequest, entry: AuditEntry) =>
    appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), entry);
  const keysOf = (tx: Sql, request: FastifyRequest) => keyring.get(tx, authOf(request).organizationId);

  app.post(
    '/api/customers',
    {
      config: manage,
      schema: {
        tags: ['customers'],
        body: CustomerUpsertBody,
        response: { 200: CustomerView, 201: CustomerView, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
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
      const { customer, created } = await withCaller(db, request, async (tx) => {
        const result = await upsertCustomer(
          tx,
          await keysOf(tx, request),
          authOf(request).organizationId,
          input,
        );
        await audit(tx, request, {
          action: result.created ? 'customer.created' : 'customer.updated',
          targetType: 'customer',
          targetId: result.customer.id,
        });
        return result;
      });
      return reply.status(created ? 201 : 200).send(customerView(customer));
    },
  );

  app.get(
    '/api/customers',
    {
      config: read,
      schema: {
        tags: ['customers'],
        querystring: CustomerListQuery,
        response: { 200: Type.Array(CustomerView) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await withCaller(db, request, (tx) =>
        listCustomers(tx, { limit: Number(q.limit ?? 100), after: q.after, tag: q.tag, country: q.country }),
      );
      return rows.map(customerView);
    },
  );

  app.post(
    '/api/customers/search',
    {
      config: read,
      schema: {
        tags: ['customers'],
        body: CustomerSearchBody,
        response: { 200: Type.Array(CustomerView), ...errors },
      },
    },
    async (request) => {
      const by = { email: email(request.body.email), phone: phone(request.body.phone) };
      const rows = await withCaller(db, request, async (tx) =>
        searchCustomers(tx, await keysOf(tx, request), by),
      );
      return rows.map(customerView);
    },
  );

  app.get(
    '/api/customers/:id',
    {
      config: read,
      schema: { tags: ['customers'], params: CustomerIdParams, response: { 200: CustomerView, ...errors } },
    },
    async (request) => {
      const customer = await withCaller(db, request, (tx) => findCustomer(tx, request.params.id));
      if (!customer) throw new AppError('not_found');
      return customerView(customer);
    },
  );

  app.post(
    '/api/customers/:id/reveal',
    {
      config: reveal,
      schema: {
        tags: ['customers'],
        params: CustomerIdParams,
        body: RevealBody,
        response: { 200: CustomerRevealed, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const keys = await keysOf(tx, request);
        const opened = await openPersonal(tx, keys, request.params.id);
        if (!opened) throw new AppError('not_found');
        const note = request.body.note?.trim() ?? '';
        // The reason's code goes into the audit log; free text may name people, so it is sealed apart.
        const seq = await audit(tx, request, {
          action: 'customer.revealed',
          targetType: 'customer',
          targetId: opened.customer.id,
          data: { reason: request.body.reason, noteLength: note.length },
        });
        if (note)
          await addRevealNote(tx, keys, authOf(request).organizationId, opened.customer.id, seq, note);
        return { customer: customerView(opened.customer), personal: opened.personal };
      }),
  );

  app.delete(
    '/api/customers/:id',
    {
      config: manage,
      schema: { tags: ['customers'], params: CustomerIdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, async (tx) => {
        // The incidents that counted them count again without them (their clocks follow).
        const incidents = await tx.query<{ incident_id: string }>(
          'SELECT incident_id FROM incident_affected_customers WHERE customer_id = $1 ORDER BY incident_id',
          [request.params.id],
        );
        if (!(await deleteCustomer(tx, request.params.id))) throw new AppError('not_found');
        await audit(tx, request, {
          action: 'customer.deleted',
          targetType: 'customer',
          targetId: request.params.id,
        });
        for (const { incident_id } of incidents) {
          await recountAffected(tx, app.deps, request, incident_id, 'affected_customers_removed', {
            removed: 1,
          });
        }
      });
      return reply.status(204).send(null);
    },
  );
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
