import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Type } from 'typebox';
import { safeEqual } from '../../platform/crypto.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { parseBounce } from './bounce-parse.js';
import { applyReport, type BounceDeps, type BounceOutcome } from './bounce-service.js';
import { handleInbound } from './bounce-smtp.js';
import { parseVerp } from './verp.js';

const Uuid = Type.String({ format: 'uuid' });
/**
 * The relay's bounce and complaint events (docs/OPERATIONS.md): each names its delivery by the
 * envelope sender (our VERP address) or by deliveryId.
 */
const RelayEvent = Type.Object(
  {
    type: Type.Union([Type.Literal('bounce'), Type.Literal('complaint'), Type.Literal('delay')]),
    envelopeSender: Type.Optional(Type.String({ maxLength: 320 })),
    deliveryId: Type.Optional(Uuid),
    /** The enhanced status code, e.g. 5.1.1 (a bounce without one is taken as permanent). */
    status: Type.Optional(Type.String({ pattern: '^[245]\\.\\d{1,3}\\.\\d{1,3}$' })),
    recipient: Type.Optional(Type.String({ maxLength: 320 })),
  },
  { additionalProperties: true },
);
const RelayBody = Type.Object(
  { events: Type.Array(RelayEvent, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
const Outcomes = Type.Object({
  outcomes: Type.Array(
    Type.Union([
      Type.Literal('applied'),
      Type.Literal('noted'),
      Type.Literal('held'),
      Type.Literal('unknown_delivery'),
      Type.Literal('ignored'),
    ]),
  ),
});
const DsnQuery = Type.Object(
  { to: Type.Optional(Type.String({ maxLength: 320 })) },
  { additionalProperties: false },
);

/**
 * A limit per source address of the routes that take reports from outside (bounces, complaints,
 * one-click unsubscribes): more than `perMinute` in a minute from one address answer 429 with
 * Retry-After.
 */
export function reportRateLimit(perMinute: number) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return async (request: FastifyRequest): Promise<void> => {
    try {
      await limiter.consume(request.ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new AppError('rate_limited', {
        retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
      });
    }
  };
}

/**
 * Bounces and complaints from a relay, over HTTP: its JSON events, or a raw DSN it received for
 * us. Authenticated by CANDOR_BOUNCE_WEBHOOK_SECRET as a bearer token; without that setting the
 * routes answer 404. Rate-limited per source address (CANDOR_REPORTS_PER_MINUTE).
 */
export async function bounceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, logger } = app.deps;
  const deps: BounceDeps = {
    db,
    keyring: app.deps.keyring,
    auditKey: config.secrets.auditKey,
    logger,
  };
  const secret = config.email.bounceWebhookSecret;
  const limit = reportRateLimit(config.email.reportsPerMinute);

  for (const type of ['message/rfc822', 'message/global']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 1_000_000 }, (_request, body, done) =>
      done(null, body),
    );
  }

  function authenticate(request: FastifyRequest): void {
    if (!secret) throw new AppError('not_found');
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!safeEqual(given, secret)) throw new AppError('unauthenticated');
  }

  const access = { access: { kind: 'public' as const }, signedWebhook: true };

  app.post(
    '/api/bounces/events',
    {
      config: access,
      schema: {
        tags: ['notices'],
        body: RelayBody,
        response: { 200: Outcomes, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      await limit(request);
      authenticate(request);
      // Every event checked before any is applied: a bad one refuses the batch, which the relay resends.
      const events = request.body.events.map((e, i) => {
        const verp = e.envelopeSender ? parseVerp(e.envelopeSender) : undefined;
        if (e.envelopeSender && !verp)
          throw new AppError('validation_failed', { field: `events/${i}/envelopeSender` });
        // A relay names a delivery by id (its bearer secret vouches for it) or by the VERP
        // address it bounced to (whose MAC is checked like any other).
        const names = e.deliveryId ? { relayDeliveryId: e.deliveryId } : verp ? { verp } : undefined;
        if (!names) throw new AppError('validation_failed', { field: `events/${i}/envelopeSender` });
        return { e, names };
      });
      const outcomes: BounceOutcome[] = [];
      for (const { e, names } of events) {
        const kind =
          e.type === 'complaint'
            ? 'complaint'
            : e.type === 'delay' || e.status?.startsWith('4.')
              ? 'soft'
              : 'hard';
        outcomes.push(
          await applyReport(deps, {
            names,
            kind,
            ...(e.status ? { status: e.status } : {}),
            recipients: e.recipient === undefined ? [] : [e.recipient],
            source: 'relay',
            remoteAddress: request.ip,
            raw: Buffer.from(JSON.stringify(e)),
          }),
        );
      }
      return { outcomes };
    },
  );

  app.post(
    '/api/bounces/dsn',
    {
      config: {
        ...access,
        swaggerTransform: documentRaw({
          body: {
            contentTypes: ['message/rfc822', 'message/global'],
            description:
              'One inbound mail message as received: a delivery status notification (RFC 3464) or a feedback report (RFC 5965).',
          },
        }),
      },
      schema: {
        tags: ['notices'],
        querystring: DsnQuery,
        response: { 200: Outcomes, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      await limit(request);
      authenticate(request);
      if (!Buffer.isBuffer(request.body)) throw new AppError('validation_failed', { field: 'body' });
      const raw = request.body;
      // The VERP address the DSN was sent to: given by the relay, or the report's own To header.
      const to = request.query.to ?? (await parseBounce(raw))?.to;
      if (!to || !parseVerp(to)) throw new AppError('validation_failed', { field: 'to' });
      return { outcomes: await handleInbound(deps, [to], raw, request.ip) };
    },
  );
}
