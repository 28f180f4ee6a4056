import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import {
  DELIVERY_STATUSES,
  listRecipientStatuses,
  sendProgress,
  type DeliveryStatus,
} from './delivery-control.js';
import { callerOf } from './notice-caller.js';
import { CHANNELS, type Channel } from './notice-contracts.js';
import { createProgressHub } from './progress-hub.js';
import { SEND_ACTIONS, controlSend } from './send-control-service.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'notices.read' } };
const control: { access: Access } = { access: { kind: 'permission', permission: 'notices.send' } };
const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Params = Type.Object({ sendId: Type.String({ format: 'uuid' }) });
const Status = Type.Unsafe<DeliveryStatus>({ type: 'string', enum: [...DELIVERY_STATUSES] });
const ChannelName = Type.Unsafe<Channel>({ type: 'string', enum: [...CHANNELS] });
const SendStatus = Type.Unsafe<string>({
  type: 'string',
  enum: ['scheduled', 'fanning_out', 'sending', 'paused', 'cancelled', 'completed'],
});

const Progress = Type.Object({
  sendId: Type.String(),
  status: SendStatus,
  chunks: Type.Object({ total: Type.Integer(), done: Type.Integer() }),
  recipients: Type.Integer(),
  totals: Type.Object(Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, Type.Integer()]))),
  byChannel: Type.Array(Type.Object({ channel: ChannelName, status: Status, count: Type.Integer() })),
  ratePerSecond: Type.Number(),
  etaSeconds: Type.Union([Type.Integer(), Type.Null()]),
});

const Recipient = Type.Object({
  deliveryId: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()]),
  testRecipient: Type.Boolean(),
  channel: ChannelName,
  locale: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** An SMS the provider reported delivered to the phone: when. */
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The channels the customer has on record now: how to reach someone a suppression stopped. */
  channelsOnRecord: Type.Array(ChannelName),
});

const RecipientQuery = Type.Object(
  {
    status: Type.Optional(Status),
    channel: Type.Optional(ChannelName),
    after: Type.Optional(Type.String({ format: 'uuid' })),
    /** 1 to 500 (a query string is text: the number is checked by its pattern). */
    limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
  },
  { additionalProperties: false },
);

const ActionResult = Type.Object({ status: SendStatus, affected: Type.Integer() });

/** How often the event stream sends the totals. */
const EVENT_INTERVAL_MS = 1000;

/**
 * A send's progress and control: totals, the per-recipient list (clear fields only), a
 * server-sent event stream of the totals with rate and ETA, and pause / resume / cancel /
 * resend to the failed, each audited.
 */
export async function deliveryRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, outbox, logger, metrics } = app.deps;
  // One computation per watched send per interval in this process, shared by its viewers.
  const hub = createProgressHub({ db, logger, registry: metrics.registry, intervalMs: EVENT_INTERVAL_MS });
  const controlDeps = {
    auditKey: config.secrets.auditKey,
    readiness: { keyring: app.deps.keyring, sms: config.sms },
  };
  app.addHook('onClose', async () => hub.close());

  app.get(
    '/api/notice-sends/:sendId/progress',
    { config: read, schema: { tags: ['notices'], params: Params, response: { 200: Progress, ...errors } } },
    async (request) => withCaller(db, request, (tx) => sendProgress(tx, request.params.sendId)),
  );

  app.get(
    '/api/notice-sends/:sendId/recipients',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: Params,
        querystring: RecipientQuery,
        response: { 200: Type.Object({ recipients: Type.Array(Recipient) }), ...errors },
      },
    },
    async (request) => {
      const rows = await withCaller(db, request, (tx) =>
        listRecipientStatuses(tx, request.params.sendId, {
          status: request.query.status,
          channel: request.query.channel,
          after: request.query.after,
          limit: Number(request.query.limit ?? 100),
        }),
      );
      return {
        recipients: rows.map((r) => ({
          ...r,
          sentAt: r.sentAt?.toISOString() ?? null,
          deliveredAt: r.deliveredAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/notice-sends/:sendId/events',
    {
      config: {
        ...read,
        swaggerTransform: documentRaw({
          ok: {
            contentTypes: ['text/event-stream'],
            description: "The send's progress as server-sent events, about once a second until it ends.",
          },
        }),
      },
      schema: { tags: ['notices'], params: Params, response: { 404: ErrorBody } },
    },
    async (request, reply) => {
      const sendId = request.params.sendId;
      // Checked before the stream opens: an unknown or invisible send is a plain 404.
      const first = await withCaller(db, request, (tx) => sendProgress(tx, sendId));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let closed = false;
      const write = (event: string, data: unknown) => {
        if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      write('progress', first);
      const finished = (s: string) => s === 'completed' || s === 'cancelled';
      let unsubscribe = () => {};
      const stop = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        res.end();
      };
      if (finished(first.status)) return stop();
      unsubscribe = hub.subscribe(authOf(request).organizationId, sendId, (p) => {
        write('progress', p);
        if (finished(p.status)) stop();
      });
      request.raw.on('close', stop);
    },
  );

  for (const action of SEND_ACTIONS) {
    app.post(
      `/api/notice-sends/:sendId/${action}`,
      {
        config: control,
        schema: { tags: ['notices'], params: Params, response: { 200: ActionResult, ...errors } },
      },
      async (request) => {
        const result = await withCaller(db, request, (tx) =>
          controlSend(tx, controlDeps, callerOf(request), request.params.sendId, action),
        );
        outbox.wake();
        return result;
      },
    );
  }
}
