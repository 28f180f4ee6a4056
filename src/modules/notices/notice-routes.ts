import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { crashAt } from '../../platform/crash-points.js';
import { AppError } from '../../platform/errors.js';
import { withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { callerOf } from './notice-caller.js';
import type { NoticeContent } from './notice-model.js';
import { previewCustomers, previewNotice } from './notice-preview.js';
import { noticePreviewRoutes } from './notice-preview-routes.js';
import {
  AcceptBody,
  CreateBody,
  EditBody,
  Flag,
  FlagParams,
  IncidentParams,
  NoticeListItem,
  NoticeParams,
  NoticeView,
  PreviewBody,
  PreviewCustomer,
  PreviewView,
  SendBody,
  SendView,
  TestRecipientBody,
  TestRecipientParams,
  TestRecipientView,
  VersionParams,
} from './notice-schemas.js';
import {
  acceptCandourFlag,
  approveNotice,
  candourOf,
  draftNotice,
  editNotice,
  listIncidentNotices,
  noticeView,
  requestSend,
  type NoticeDeps,
} from './notice-service.js';
import { sendView } from './notice-views.js';
import {
  changeTestRecipient,
  createTestRecipient,
  removeTestRecipient,
  testRecipientsOf,
} from './test-recipient-service.js';

export { NoticeContentSchema } from './notice-schemas.js';

const perm = (permission: Access & { kind: 'permission' }): { access: Access } => ({ access: permission });
const read = perm({ kind: 'permission', permission: 'notices.read' });
const draft = perm({ kind: 'permission', permission: 'notices.draft' });
const preview = perm({ kind: 'permission', permission: 'notices.preview' });
const approve = perm({ kind: 'permission', permission: 'notices.approve' });
const send = perm({ kind: 'permission', permission: 'notices.send' });
const testers = perm({ kind: 'permission', permission: 'notices.test_recipients' });
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/**
 * Customer notices of an incident (notice-service.ts): drafting, the candour check, previews,
 * the two-person approval and send requests; and the organization's test recipients.
 */
export async function noticeRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;
  const deps: NoticeDeps = {
    auditKey: config.secrets.auditKey,
    publicUrl: config.publicUrl,
    keyring,
    sms: config.sms,
    crashAt: config.testHooks.crashAt,
  };

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  app.get(
    '/api/incidents/:id/notices',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: IncidentParams,
        response: { 200: Type.Array(NoticeListItem), ...errors },
      },
    },
    async (request) => withCaller(db, request, (tx) => listIncidentNotices(tx, request.params.id)),
  );

  app.post(
    '/api/incidents/:id/notices',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: IncidentParams,
        body: CreateBody,
        response: { 201: NoticeView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, (tx) =>
        draftNotice(tx, deps, callerOf(request), request.params.id, request.body),
      );
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/api/notices/:noticeId',
    {
      config: read,
      schema: { tags: ['notices'], params: NoticeParams, response: { 200: NoticeView, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => noticeView(tx, request.params.noticeId)),
  );

  app.put(
    '/api/notices/:noticeId',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: EditBody,
        response: { 201: NoticeView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, (tx) =>
        editNotice(
          tx,
          deps,
          callerOf(request),
          request.params.noticeId,
          request.body.content as NoticeContent,
        ),
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/notices/:noticeId/versions/:version/flags/:flagId/accept',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: FlagParams,
        body: AcceptBody,
        response: { 200: NoticeView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        acceptCandourFlag(tx, deps, callerOf(request), request.params, request.body.reason),
      ),
  );

  app.get(
    '/api/notices/:noticeId/versions/:version/candour',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: VersionParams,
        response: { 200: Type.Object({ version: Type.Integer(), flags: Type.Array(Flag) }), ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) => candourOf(tx, request.params.noticeId, request.params.version)),
  );

  app.post(
    '/api/notices/:noticeId/versions/:version/approve',
    {
      config: approve,
      schema: { tags: ['notices'], params: VersionParams, response: { 200: NoticeView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        approveNotice(tx, deps, callerOf(request), request.params.noticeId, request.params.version),
      ),
  );

  app.post(
    '/api/notices/:noticeId/preview',
    {
      config: preview,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: PreviewBody,
        response: { 200: PreviewView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        previewNotice(tx, deps, callerOf(request), request.params.noticeId, request.body),
      ),
  );

  app.get(
    '/api/notices/:noticeId/preview-customers',
    {
      config: preview,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        response: { 200: Type.Array(PreviewCustomer), ...errors },
      },
    },
    async (request) => withCaller(db, request, (tx) => previewCustomers(tx, request.params.noticeId)),
  );

  app.post(
    '/api/notices/:noticeId/sends',
    {
      config: send,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: SendBody,
        response: { 201: SendView, ...errors },
      },
    },
    async (request, reply) => {
      const scheduledAt = request.body.scheduledAt ? new Date(request.body.scheduledAt) : null;
      if (scheduledAt && Number.isNaN(scheduledAt.getTime())) {
        throw new AppError('validation_failed', { where: 'body/scheduledAt' });
      }
      const { created, version } = await withCaller(db, request, (tx) =>
        requestSend(
          tx,
          deps,
          callerOf(request),
          request.params.noticeId,
          { channels: request.body.channels, audience: request.body.audience, scheduledAt },
          request.log,
        ),
      );
      crashAt(config.testHooks.crashAt, 'notice_send.after_commit');
      return reply.status(201).send(sendView(created, new Map([[created.noticeVersionId, version]])));
    },
  );

  // The organization's test recipients.
  app.get(
    '/api/notice-test-recipients',
    { config: testers, schema: { tags: ['notices'], response: { 200: Type.Array(TestRecipientView) } } },
    async (request) => withCaller(db, request, (tx) => testRecipientsOf(tx, deps, callerOf(request))),
  );

  app.post(
    '/api/notice-test-recipients',
    {
      config: testers,
      schema: { tags: ['notices'], body: TestRecipientBody, response: { 201: TestRecipientView, ...errors } },
    },
    async (request, reply) => {
      const created = await withCaller(db, request, (tx) =>
        createTestRecipient(tx, deps, callerOf(request), request.body),
      );
      return reply.status(201).send(created);
    },
  );

  app.put(
    '/api/notice-test-recipients/:id',
    {
      config: testers,
      schema: {
        tags: ['notices'],
        params: TestRecipientParams,
        body: TestRecipientBody,
        response: { 200: TestRecipientView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        changeTestRecipient(tx, deps, callerOf(request), request.params.id, request.body),
      ),
  );

  app.delete(
    '/api/notice-test-recipients/:id',
    {
      config: testers,
      schema: { tags: ['notices'], params: TestRecipientParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, (tx) =>
        removeTestRecipient(tx, deps, callerOf(request), request.params.id),
      );
      return reply.status(204).send(null);
    },
  );

  await app.register(noticePreviewRoutes, { deps });
}
