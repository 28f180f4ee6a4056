import type { IncidentType } from '../incidents/index.js';
import type { PlanTask } from './plan-model.js';

/**
 * The common mistakes of incident response plans. Each code has its message
 * in the catalogs under plan.check.<code>.
 */
export const CHECK_CODES = [
  'task_without_owner',
  'no_customer_communication',
  'no_legal_review',
  'no_out_of_band_step',
  'no_out_of_band_contacts',
  'no_regulator_notification',
  'not_exercised',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface CheckFlag {
  code: CheckCode;
  /** The task concerned, for flags about one task. */
  taskKey: string | null;
}

export interface CheckInput {
  type: IncidentType;
  tasks: Pick<PlanTask, 'key' | 'owner' | 'kind'>[];
  /** Entries in the organization's out-of-band contact list. */
  contactCount: number;
  /** When the last exercise incident of this plan's type was started, if ever. */
  lastExercisedAt: Date | null;
  now: Date;
}

export const EXERCISE_EVERY_MONTHS = 12;

/** The earliest start of an exercise that still counts at `now`. */
export function exerciseCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - EXERCISE_EVERY_MONTHS);
  return cutoff;
}

/** Flags the mistakes in a plan; an empty list is a plan that passes. */
export function checkPlan(input: CheckInput): CheckFlag[] {
  const flags: CheckFlag[] = [];
  for (const task of input.tasks) {
    if (!task.owner) flags.push({ code: 'task_without_owner', taskKey: task.key });
  }
  const has = (kind: PlanTask['kind']) => input.tasks.some((t) => t.kind === kind);
  const missing = (code: CheckCode) => flags.push({ code, taskKey: null });
  if (!has('customer_communication')) missing('no_customer_communication');
  if (!has('legal_review')) missing('no_legal_review');
  if (!has('out_of_band')) missing('no_out_of_band_step');
  if (input.contactCount === 0) missing('no_out_of_band_contacts');
  if (input.type === 'data_breach' && !has('regulator_notification')) missing('no_regulator_notification');
  if (!input.lastExercisedAt || input.lastExercisedAt < exerciseCutoff(input.now)) missing('not_exercised');
  return flags;
}
