import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { open } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller } from '../access/acting.js';
import type { Access } from '../access/permissions.js';
import { PageQuery, pageOf } from '../../platform/http/pagination.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/audit-service.js';
import { inboundReportContext } from './bounce-service.js';

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

interface Row {
  id: string;
  delivery_id: string;
  kind: 'hard' | 'soft' | 'complaint' | 'unsubscribe';
  source: string;
  verdict: 'bad_token' | 'recipient_mismatch' | 'not_a_notice';
  recipients: number;
  foreign_recipients: number;
  statuses: string[];
  remote_address: string | null;
  has_message: boolean;
  received_at: Date;
  reviewed_at: Date | null;
}

const COLUMNS = `id, delivery_id, kind, source, verdict, recipients, foreign_recipients, statuses, remote_address,
  raw IS NOT NULL AS has_message, received_at, reviewed_at`;

const view = (r: Row) => ({
  id: r.id,
  deliveryId: r.delivery_id,
  kind: r.kind,
  source: r.source,
  verdict: r.verdict,
  recipients: r.recipients,
  foreignRecipients: r.foreign_recipients,
  statuses: r.statuses,
  remoteAddress: r.remote_address,
  hasMessage: r.has_message,
  receivedAt: r.received_at.toISOString(),
  reviewedAt: r.reviewed_at?.toISOString() ?? null,
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
        tx.query<Row>(
          `SELECT ${COLUMNS} FROM inbound_reports
           WHERE ($1::text IS DISTINCT FROM 'open' OR reviewed_at IS NULL)
             AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::uuid))
           ORDER BY received_at DESC, id DESC LIMIT $4`,
          [q.status ?? null, page.before?.at ?? null, page.before?.id ?? null, page.limit],
        ),
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
        const row = (
          await tx.query<{ raw: Uint8Array | null; key_version: number | null }>(
            'SELECT raw, key_version FROM inbound_reports WHERE id = $1',
            [request.params.id],
          )
        )[0];
        if (!row?.raw || row.key_version === null) throw new AppError('not_found');
        const keys = await keyring.get(tx, organizationId);
        const message = open(
          keys.data(row.key_version),
          Buffer.from(row.raw),
          inboundReportContext(organizationId, request.params.id),
        ).toString('utf8');
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
        const row = (
          await tx.query<Row>(
            `UPDATE inbound_reports SET reviewed_at = coalesce(reviewed_at, now()), reviewed_by = coalesce(reviewed_by, $2)
             WHERE id = $1 RETURNING ${COLUMNS}`,
            [request.params.id, authOf(request).actor.type === 'user' ? authOf(request).actor.id : null],
          )
        )[0];
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
