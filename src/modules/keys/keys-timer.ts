import type { Database } from '../../platform/db.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Secrets } from '../../platform/secrets.js';
import { runReencryption } from './key-rotation.js';

/** A run stops starting batches after this long; the next minute's run goes on. */
const RUN_BUDGET_MS = 4 * 60_000;

/**
 * The re-encryption job, every minute: it finds its work in the data (organizations holding an
 * older data key version), so a run after `candor keys rotate`, a restart or a killed worker
 * simply carries on.
 */
export function reencryptionTimer(deps: { db: Database; config: { secrets: Secrets } }): ModuleTimer {
  return {
    name: 'keys-reencrypt',
    cron: '* * * * *',
    run: async () =>
      (
        await runReencryption(
          { db: deps.db, secrets: deps.config.secrets },
          { deadline: Date.now() + RUN_BUDGET_MS },
        )
      ).rows,
  };
}
