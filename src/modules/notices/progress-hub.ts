import { Counter, Gauge, type Registry } from 'prom-client';
import { withOrg, type Database } from '../../platform/db.js';
import type { Logger } from '../../platform/logger.js';
import { sendProgress, type SendProgress } from './delivery-control.js';

/**
 * A send's progress computed once per interval per process, however many admins watch it: each
 * viewer's event stream subscribes to its send, the first subscriber starts the computation and
 * the last one to leave stops it. Viewers are authorized when they subscribe (the route reads the
 * send as the caller first); the shared computation then runs as the organization's system.
 */
export interface ProgressHub {
  /** Calls listener with each computed progress until the returned function is called. */
  subscribe(organizationId: string, sendId: string, listener: (progress: SendProgress) => void): () => void;
  /** Sends being computed now (one entry per watched send). */
  watched(): number;
  close(): void;
}

interface Watch {
  organizationId: string;
  sendId: string;
  listeners: Set<(progress: SendProgress) => void>;
  timer: NodeJS.Timeout;
  running: boolean;
}

export function createProgressHub(deps: {
  db: Database;
  logger: Logger;
  registry: Registry;
  intervalMs: number;
}): ProgressHub {
  const computations =
    (deps.registry.getSingleMetric('candor_send_progress_computations_total') as Counter | undefined) ??
    new Counter({
      name: 'candor_send_progress_computations_total',
      help: "Computations of a send's progress for its event streams (one per watched send per interval)",
      registers: [deps.registry],
    });
  const watches = new Map<string, Watch>();
  if (!deps.registry.getSingleMetric('candor_send_progress_watched')) {
    const gauge = new Gauge({
      name: 'candor_send_progress_watched',
      help: 'Sends whose progress this process computes for event streams now',
      registers: [deps.registry],
      collect() {
        this.set(watches.size);
      },
    });
    void gauge;
  }

  function compute(watch: Watch) {
    // A slow computation is not overtaken by the next tick: viewers get the next one instead.
    if (watch.running) return;
    watch.running = true;
    computations.inc();
    withOrg(deps.db, watch.organizationId, (tx) => sendProgress(tx, watch.sendId), { system: true })
      .then((progress) => {
        for (const listener of [...watch.listeners]) listener(progress);
      })
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, sendId: watch.sendId }, 'progress computation failed');
      })
      .finally(() => {
        watch.running = false;
      });
  }

  return {
    subscribe(organizationId, sendId, listener) {
      const key = `${organizationId}:${sendId}`;
      let watch = watches.get(key);
      if (!watch) {
        const created: Watch = {
          organizationId,
          sendId,
          listeners: new Set(),
          running: false,
          timer: setInterval(() => compute(created), deps.intervalMs),
        };
        watches.set(key, created);
        watch = created;
      }
      const listeners = watch.listeners;
      // A fresh function each time: the same listener subscribed twice is two subscriptions.
      const entry = (progress: SendProgress) => listener(progress);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
        const current = watches.get(key);
        if (current && current.listeners.size === 0) {
          clearInterval(current.timer);
          watches.delete(key);
        }
      };
    },
    watched: () => watches.size,
    close() {
      for (const watch of watches.values()) clearInterval(watch.timer);
      watches.clear();
    },
  };
}
