import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeLabel } from './request-log.js';

export interface DeliveryBacklog {
  kind: 'mail' | 'notice';
  due: number;
  oldestDueAt: Date | null;
}

/** What a queue's gauges read at each scrape; a web-only process has no jobs and no timers. */
export interface QueueWatch {
  /** Deliveries due now (the outbox), platform mail and notices apart. */
  backlog(): Promise<readonly DeliveryBacklog[]>;
  /** Jobs waiting in each pg-boss queue. */
  queueDepths?(): Promise<Record<string, number>>;
  /** When each timer last finished a run. */
  timerRuns?(): ReadonlyMap<string, Date>;
}

export interface Metrics {
  registry: Registry;
  deliveries: Counter<'channel' | 'outcome'>;
  observe(app: FastifyInstance): void;
  /** The gauges of the queues: the composition root hands over where to read them. */
  watchQueues(watch: QueueWatch): void;
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
  let watched: QueueWatch | undefined;
  // Both delivery gauges read one query per scrape; a failed read leaves them empty, never the scrape.
  let read: { at: number; rows: Promise<readonly DeliveryBacklog[]> } | undefined;
  const backlog = () => {
    if (!read || Date.now() - read.at > 1000) {
      read = { at: Date.now(), rows: watched ? watched.backlog().catch(() => []) : Promise.resolve([]) };
    }
    return read.rows;
  };
  new Gauge({
    name: 'candor_deliveries_due',
    help: 'Deliveries due now and not yet claimed (or whose worker lease ran out), by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ kind: row.kind }, row.due);
    },
  });
  new Gauge({
    name: 'candor_deliveries_oldest_due_age_seconds',
    help: 'How long the oldest delivery due has waited, by kind (absent when none is due)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const row of await backlog()) {
        if (row.oldestDueAt)
          this.set({ kind: row.kind }, Math.max(0, (now - row.oldestDueAt.getTime()) / 1000));
      }
    },
  });
  new Gauge({
    name: 'candor_job_queue_depth',
    help: 'Jobs waiting in each queue (pg-boss), in processes that work jobs',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const depths: Record<string, number> = (await watched?.queueDepths?.().catch(() => ({}))) ?? {};
      for (const [queue, depth] of Object.entries(depths)) {
        this.set({ queue }, depth);
      }
    },
  });
  new Gauge({
    name: 'candor_timer_last_run_timestamp_seconds',
    help: 'When each timer last finished a run (Unix time), in processes that work jobs',
    labelNames: ['timer'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [timer, at] of watched?.timerRuns?.() ?? []) this.set({ timer }, at.getTime() / 1000);
    },
  });
  return {
    registry,
    deliveries,
    watchQueues(watch) {
      watched = watch;
    },
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
