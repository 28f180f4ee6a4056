import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import type { AuditActor } from '../audit/audit-service.js';
import { syncClocks } from '../deadlines/deadline-service.js';
import { handOverQueuedTasks, startPlan } from '../plans/task-service.js';
import type { IncidentRow } from './incident-repo.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface IncidentDeps {
  config: Pick<Config, 'secrets'>;
}

export interface IncidentHookContext {
  tx: Sql;
  deps: IncidentDeps;
  incident: IncidentRow;
  actor: AuditActor;
}

/**
 * What declaring an incident sets going, in the same transaction: each
 * capability that reacts to a new incident adds its call here.
 */
export async function onIncidentDeclared(ctx: IncidentHookContext & { startPlan: boolean }): Promise<void> {
  if (ctx.startPlan) await startPlan(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
  await syncClocks(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
}

/**
 * After an incident's facts change (moments, jurisdictions, categories, type,
 * members): capabilities that derive from them recompute here.
 */
export async function onIncidentChanged(ctx: IncidentHookContext & { changed: string[] }): Promise<void> {
  if (ctx.changed.includes('members')) await handOverQueuedTasks(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
  await syncClocks(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
}
