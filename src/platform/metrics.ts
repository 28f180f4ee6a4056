import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeLabel } from './request-log.js';

export interface Metrics {
  registry: Registry;
  deliveries: Counter<'channel' | 'outcome'>;
  observe(app: FastifyInstance): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'candor_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'candor_deliveries_total',
    help: 'Outbox deliveries by channel and outcome (sent, retry, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    deliveries,
    observe(app) {
      app.addHook('onResponse', async (request, reply) => {
        requests.observe(
          {
            method: request.method,
            // The route pattern, never the raw URL (ids and tokens stay out of labels); the admin
            // app's files under one label, not one series per hashed file name.
            route: routeLabel(request, reply.statusCode),
            status: String(reply.statusCode),
          },
          reply.elapsedTime / 1000,
        );
      });
    },
  };
}
