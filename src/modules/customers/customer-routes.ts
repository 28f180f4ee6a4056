import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import type { Caller } from './affected-recount.js';
import { findCustomer, listCustomers, searchCustomers } from './customer-repo.js';
import {
  CustomerIdParams,
  CustomerListQuery,
  CustomerRevealed,
  CustomerSearchBody,
  CustomerUpsertBody,
  CustomerView,
  RevealBody,
  customerView,
} from './customer-schemas.js';
import {
  customerInput,
  customerSearch,
  removeCustomer,
  revealCustomer,
  saveCustomer,
} from './customer-service.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'customers.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'customers.manage' } };
const reveal: { access: Access } = { access: { kind: 'permission', permission: 'customers.reveal' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const callerOf = (request: FastifyRequest): Caller => ({
  organizationId: authOf(request).organizationId,
  actor: requestActor(request),
});

/**
 * The customer vault: customers kept with their personal fields sealed under the organization's
 * data key. Lists and searches show clear fields only; personal data leaves only through the
 * reveal route, for the roles allowed, with a reason, and audited.
 */
export async function customerRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;
  const deps = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

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
      const input = customerInput(request.body);
      const { customer, created } = await withCaller(db, request, (tx) =>
        saveCustomer(tx, deps, callerOf(request), input),
      );
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
      const by = customerSearch(request.body);
      const rows = await withCaller(db, request, async (tx) =>
        searchCustomers(tx, await deps.keyring.get(tx, authOf(request).organizationId), by),
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
    async (request) => {
      const opened = await withCaller(db, request, (tx) =>
        revealCustomer(tx, deps, callerOf(request), request.params.id, request.body),
      );
      return { customer: customerView(opened.customer), personal: opened.personal };
    },
  );

  app.delete(
    '/api/customers/:id',
    {
      config: manage,
      schema: { tags: ['customers'], params: CustomerIdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, (tx) => removeCustomer(tx, deps, callerOf(request), request.params.id));
      return reply.status(204).send(null);
    },
  );
}
