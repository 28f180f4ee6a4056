import { RULES_BY_ID, type DeadlineRule, type RuleId } from '../deadlines/index.js';
import type { IncidentType, Moment } from '../incidents/index.js';
import type { PlanTask } from './plan-model.js';

/**
 * The common mistakes of incident response plans. Each code has its message
 * in the catalogs under plan.check.<code>.
 */
export const CHECK_CODES = [
  'task_without_owner',
  'task_due_after_clock',
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
  /** The legal clock concerned, for a task due too late for it. */
  clock?: RuleId;
}

export interface CheckInput {
  type: IncidentType;
  tasks: Pick<PlanTask, 'key' | 'owner' | 'kind' | 'dueAfterMinutes' | 'clock'>[];
  /** The organization's own bound for "without undue delay" where the law sets none. */
  undueDelayTargetHours: number;
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

/** Moments at or before awareness: a clock from one of them has run at least its period at awareness + period. */
const NO_LATER_THAN_AWARENESS: readonly Moment[] = ['occurred', 'detected', 'aware'];

/**
 * The least time a clock gives after awareness, in minutes: a day-based period ends with its
 * last local day, so its days are the least of it (a month the shortest one). Null for a clock
 * that starts later than awareness (a determination, another filing), which an offset from
 * awareness cannot be weighed against; at run time such a task still moves before its clock.
 */
export function clockPeriodMinutes(
  rule: Pick<DeadlineRule, 'start' | 'duration'>,
  undueDelayTargetHours: number,
): number | null {
  if (!('moment' in rule.start) || !NO_LATER_THAN_AWARENESS.includes(rule.start.moment)) return null;
  const period = rule.duration.kind === 'undue_delay' ? rule.duration.bound : rule.duration;
  if (!period) return undueDelayTargetHours * 60;
  switch (period.kind) {
    case 'hours':
      return period.hours * 60;
    case 'calendar_days':
    case 'business_days':
    case 'days_after_year_end':
      return period.days * 24 * 60;
    case 'months':
      return period.months * 28 * 24 * 60;
  }
}

/** Flags the mistakes in a plan; an empty list is a plan that passes. */
export function checkPlan(input: CheckInput): CheckFlag[] {
  const flags: CheckFlag[] = [];
  for (const task of input.tasks) {
    if (!task.owner) flags.push({ code: 'task_without_owner', taskKey: task.key });
  }
  for (const task of input.tasks) {
    const rule = task.clock ? RULES_BY_ID.get(task.clock) : undefined;
    const period = rule ? clockPeriodMinutes(rule, input.undueDelayTargetHours) : null;
    // Due at or after the clock's end, the task would be late for the law it serves.
    if (rule && period !== null && task.dueAfterMinutes >= period) {
      flags.push({ code: 'task_due_after_clock', taskKey: task.key, clock: rule.id });
    }
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
