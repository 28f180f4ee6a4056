import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { PageQuery, pageOf } from '../../platform/http/pagination.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/index.js';
import {
  heldReportMessage,
  listHeldReports,
  markReviewed,
  type HeldReport as HeldReportRow,
} from './inbound-report-repo.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const HeldReport = Type.Object({
  id: Type.String(),
  deliveryId: Type.String(),
  kind: Type.Union([
    Type.Literal('hard'),
    Type.Literal('soft'),
    Type.Literal('complaint'),
    Type.Literal('unsubscribe'),
  ]),
  source: Type.String(),
  /** bad_token: the VERP MAC was wrong or missing; recipient_mismatch: it named someone else; not_a_notice: platform mail. */
  verdict: Type.Union([
    Type.Literal('bad_token'),
    Type.Literal('recipient_mismatch'),
    Type.Literal('not_a_notice'),
  ]),
  recipients: Type.Integer(),
  foreignRecipients: Type.Integer(),
  statuses: Type.Array(Type.String()),
  remoteAddress: Type.Union([Type.String(), Type.Null()]),
  hasMessage: Type.Boolean(),
  receivedAt: Type.String({ format: 'date-time' }),
  reviewedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const ListQuery = Type.Object(
  {
    /** open: only those nobody has marked reviewed (default all). */
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('all')])),
    ...PageQuery,
  },
  { additionalProperties: false },
);
/** The report as received: it may name third parties' addresses, so reading it is audited. */
const Message = Type.Object({ message: Type.String() });

const view = (r: HeldReportRow) => ({
  ...r,
  receivedAt: r.receivedAt.toISOString(),
  reviewedAt: r.reviewedAt?.toISOString() ?? null,
});

/**
 * The reports held for review (bounce-service.ts): bounces, complaints and unsubscribes that
 * could not be trusted and changed nothing. Admins list them, read one as received (audited), and
 * mark one reviewed (audited). A report found genuine is acted on by hand (e.g. the customer's
 * address corrected): nothing here suppresses anyone.
 */
export async function reportReviewRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.get(
    '/api/inbound-reports',
    {
      config: manage,
      schema: {
        tags: ['notices'],
        querystring: ListQuery,
        response: { 200: Type.Array(HeldReport), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = pageOf(q);
      const rows = await withCaller(db, request, (tx) =>
        listHeldReports(tx, { open: q.status === 'open', limit: page.limit, before: page.before }),
      );
      return rows.map(view);
    },
  );

  app.get(
    '/api/inbound-reports/:id/message',
    {
      config: manage,
      schema: { tags: ['notices'], params: IdParams, response: { 200: Message, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const organizationId = authOf(request).organizationId;
        const message = await heldReportMessage(
          tx,
          await keyring.get(tx, organizationId),
          organizationId,
          request.params.id,
        );
        if (message === undefined) throw new AppError('not_found');
        await appendAudit(tx, auditKey, organizationId, requestActor(request), {
          action: 'inbound_report.read',
          targetType: 'inbound_report',
          targetId: request.params.id,
        });
        return { message };
      }),
  );

  app.post(
    '/api/inbound-reports/:id/reviewed',
    {
      config: manage,
      schema: { tags: ['notices'], params: IdParams, response: { 200: HeldReport, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { actor } = authOf(request);
        const row = await markReviewed(tx, request.params.id, actor.type === 'user' ? actor.id : null);
        if (!row) throw new AppError('not_found');
        await appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), {
          action: 'inbound_report.reviewed',
          targetType: 'inbound_report',
          targetId: row.id,
        });
        return view(row);
      }),
  );
}
