import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { registerAccess, SECURITY_SCHEMES } from './modules/access/index.js';
import { resolveAuth } from './modules/accounts/index.js';
import { registerModules } from './modules/index.js';
import type { Database } from './platform/db.js';
import { AppError } from './platform/errors.js';
import { shareTitledSchemas } from './platform/http/openapi-components.js';
import { t } from './platform/i18n.js';
import type { Logger } from './platform/logger.js';
import type { Metrics } from './platform/metrics.js';
import { pendingMigrations } from './platform/migrations.js';
import type { OrganizationKeyring } from './platform/keys.js';
import type { Outbox } from './platform/outbox.js';
import { projectRoot } from './platform/paths.js';
import { requestLocale } from './platform/request-locale.js';
import { RequestLog } from './platform/request-log.js';
import { safeEqual } from './platform/crypto.js';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  outbox: Outbox;
  metrics: Metrics;
  /**
   * The organizations' keys, one cache for the process: a rotation or an organization's deletion
   * forgets them once, for every route.
   */
  keyring: OrganizationKeyring;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export type App = FastifyInstance;
/** What helpers need of the app: its dependencies. */
export type HasDeps = Pick<FastifyInstance, 'deps'>;

export const WEB_DIST = path.join(projectRoot, 'dist', 'web');
const ASSETS = path.join(WEB_DIST, 'assets') + path.sep;

/**
 * CANDOR_TRUST_PROXY as Fastify takes it. A hop count is a function: Fastify 5 trusts no one for
 * a bare number. The first `hops` addresses from the socket inward are proxies; the one before
 * them, written by the nearest proxy, is the client, whatever the client put in front of it.
 */
function trustProxyOption(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

/** The HTTP app, built only from its dependencies. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    logController: new RequestLog(),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  app.decorate('deps', deps);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(config.publicUrl.protocol === 'https:' ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.publicUrl.protocol === 'https:',
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Candor API',
        version: '1',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      servers: [{ url: config.publicUrl.origin }],
      // Each operation's security is generated from its access rule (modules/access/route-docs.ts).
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    // Schemas with a title are written once, under components, and referenced (platform/http).
    transformObject: (document) =>
      'openapiObject' in document
        ? shareTitledSchemas(structuredClone(document.openapiObject))
        : document.swaggerObject,
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const locale = requestLocale(request);
    if (error instanceof AppError) {
      if (error.code === 'rate_limited' && error.details.retryAfterSeconds) {
        void reply.header('retry-after', String(error.details.retryAfterSeconds));
      }
      return reply.status(error.status).send({
        error: {
          code: error.code,
          message: t(locale, `error.${error.code}`, error.details),
          requestId: request.id,
          ...(Object.keys(error.details).length ? { details: error.details } : {}),
        },
      });
    }
    if ('validation' in error && error.validation) {
      const first = error.validation[0];
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: t(locale, 'error.validation_failed'),
          requestId: request.id,
          details: {
            where: `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`,
            problem: first?.message ?? 'invalid',
          },
        },
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({
        error: { code: 'internal', message: t(locale, 'error.internal'), requestId: request.id },
      });
    }
    const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : 'bad_request';
    return reply
      .status(status)
      .send({ error: { code, message: t(locale, `error.${code}`), requestId: request.id } });
  });

  // The API answers with auth state and personal data: no cache, shared or the browser's, keeps a
  // copy. A route that wants caching (an organization's logo) says so itself.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      void reply.header('cache-control', 'no-store');
    }
  });

  registerAccess(app, resolveAuth);
  app.get('/healthz', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { config: { access: { kind: 'public' } }, schema: { hide: true } },
    async (_req, reply) => {
      try {
        const pending = await pendingMigrations(deps.db);
        if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending' });
        return { status: 'ready' };
      } catch {
        return reply.status(503).send({ status: 'database unreachable' });
      }
    },
  );
  app.get(
    '/metrics',
    { config: { access: { kind: 'public' } }, schema: { hide: true } },
    async (req, reply) => {
      const given = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (!safeEqual(given, config.secrets.metricsToken)) throw new AppError('unauthenticated');
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );
  app.get('/api/openapi.json', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  deps.metrics.observe(app);

  await registerModules(app);

  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      wildcard: false,
      index: false,
      // Brotli or gzip written at build time (web/vite.config.ts), chosen by Accept-Encoding.
      preCompressed: true,
      cacheControl: false,
      setHeaders: (response, file) =>
        // Hashed names change with their content: cached for a year. The page itself never is.
        response.setHeader(
          'Cache-Control',
          file.startsWith(ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
  }
  app.setNotFoundHandler({ preHandler: undefined }, (request, reply) => {
    const wantsPage = request.method === 'GET' && !request.url.startsWith('/api/') && existsSync(WEB_DIST);
    // The admin app routes on the client: every other page path gets its shell.
    if (wantsPage) return reply.type('text/html').header('Cache-Control', 'no-cache').sendFile('index.html');
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: t(requestLocale(request), 'error.not_found'),
        requestId: request.id,
      },
    });
  });

  return app;
}
