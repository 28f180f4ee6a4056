import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import type { AuditActor } from '../audit/index.js';
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
 * How a capability reacts to an incident, in the incident's transaction: starting its plan,
 * syncing its clocks. Incidents know no capability; each one that derives from incidents
 * (plans, deadlines) brings its reaction, and the composition root (`src/modules/index.ts`)
 * wires them in, so the arrows point from plans and deadlines to incidents and never back.
 */
export interface IncidentReaction {
  declared(ctx: IncidentHookContext & { startPlan: boolean }): Promise<void>;
  changed(ctx: IncidentHookContext & { changed: string[] }): Promise<void>;
}

const reactions: IncidentReaction[] = [];

export function reactToIncidents(...added: IncidentReaction[]): void {
  for (const reaction of added) if (!reactions.includes(reaction)) reactions.push(reaction);
}

function wired(): IncidentReaction[] {
  // Clocks that silently never start would be worse than an error.
  if (reactions.length === 0)
    throw new Error('incident reactions are not wired: import src/modules/index.ts');
  return reactions;
}

/** What declaring an incident sets going, in the same transaction. */
export async function onIncidentDeclared(ctx: IncidentHookContext & { startPlan: boolean }): Promise<void> {
  for (const reaction of wired()) await reaction.declared(ctx);
}

/**
 * After an incident's facts change (moments, jurisdictions, categories, type,
 * members): capabilities that derive from them recompute here.
 */
export async function onIncidentChanged(ctx: IncidentHookContext & { changed: string[] }): Promise<void> {
  for (const reaction of wired()) await reaction.changed(ctx);
}
