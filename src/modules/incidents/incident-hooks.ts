import type { AppDeps } from '../../app.js';
import type { Sql } from '../../platform/db.js';
import type { AuditActor } from '../audit/audit-service.js';
import { syncClocks } from '../deadlines/deadline-service.js';
import { startPlan } from '../plans/task-service.js';
import type { IncidentRow } from './incident-repo.js';

export interface IncidentHookContext {
  tx: Sql;
  deps: AppDeps;
  incident: IncidentRow;
  actor: AuditActor;
}

/**
 * What declaring an incident sets going, in the same transaction: each
 * capability that reacts to a new incident adds its call here.
 */
export async function onIncidentDeclared(_ctx: IncidentHookContext & { startPlan: boolean }): Promise<void> {
  // The response plan (modules/plans) and the deadline clocks (modules/deadlines) hook in here.
  if (_ctx.startPlan) await startPlan(_ctx.tx, _ctx.deps, _ctx.incident, _ctx.actor);
  await syncClocks(_ctx.tx, _ctx.deps, _ctx.incident, _ctx.actor);
}

/**
 * After an incident's facts change (moments, jurisdictions, categories, type,
 * exercise flag): capabilities that derive from them recompute here.
 */
export async function onIncidentChanged(_ctx: IncidentHookContext & { changed: string[] }): Promise<void> {
  // The deadline clocks (modules/deadlines) hook in here.
  await syncClocks(_ctx.tx, _ctx.deps, _ctx.incident, _ctx.actor);
}
