/**
 * When an incident's tasks fall due. The law mostly counts from awareness (GDPR Art. 33:
 * "after having become aware of it"; most clocks in deadline-rules-*.ts start from the
 * `aware` moment), so a plan's offsets count from there too, and a task tied to a legal
 * clock is due before that clock runs out, never after it.
 */
import type { Sql } from '../../platform/db.js';
import { clockDueTimes, type ClockDue, type ClockFollower, type RuleId } from '../deadlines/index.js';
import type { IncidentRow } from '../incidents/index.js';
import { hours, type PlanTask } from './plan-model.js';
import { listOpenTaskTimes, setTaskDue } from './plan-repo.js';

/**
 * How long before its clock runs out a tied task is due at the latest: half a day, time
 * enough to review and file what the task prepared (the 72-hour GDPR clock gives 60 hours,
 * the 24-hour NIS2 early warning 12). The plan check flags an offset at or past the clock.
 */
export const CLOCK_MARGIN_MINUTES = hours(12);

/**
 * The instant a plan's offsets count from: the incident's awareness. Unrecorded, the
 * clocks have nothing to fall back to (they wait, with no due time, until it is set);
 * a task cannot wait without a due time, so it counts from the declaration, the latest
 * instant the organization can have become aware, and is rescheduled once awareness is set.
 */
export function offsetsStart(incident: Pick<IncidentRow, 'aware_at' | 'created_at'>): Date {
  return incident.aware_at ?? incident.created_at;
}

/** The due instant of each clock the incident runs, the earliest where one rule runs in several places. */
export function clockDeadlines(clocks: readonly ClockDue[]): Map<RuleId, Date> {
  const earliest = new Map<RuleId, Date>();
  for (const clock of clocks) {
    const seen = earliest.get(clock.ruleId);
    if (!seen || clock.dueAt < seen) earliest.set(clock.ruleId, clock.dueAt);
  }
  return earliest;
}

/**
 * A task's due instant: its offset after `from`; when tied to a clock that runs, the earlier
 * of that and CLOCK_MARGIN_MINUTES before the clock's due instant. A clock not running (not
 * applicable, waived, or waiting for its start) leaves the offset alone.
 */
export function taskDue(
  task: Pick<PlanTask, 'dueAfterMinutes' | 'clock'>,
  from: Date,
  clocks: ReadonlyMap<RuleId, Date>,
): Date {
  const byOffset = from.getTime() + task.dueAfterMinutes * 60_000;
  const clockDue = task.clock ? clocks.get(task.clock) : undefined;
  if (!clockDue) return new Date(byOffset);
  return new Date(Math.min(byOffset, clockDue.getTime() - CLOCK_MARGIN_MINUTES * 60_000));
}

/**
 * Moves the incident's open tasks to the due times their offsets and clocks give now, once
 * awareness or a clock has moved; done and skipped tasks keep theirs. Like the clocks'
 * recomputing, not a timeline event of its own: the change that caused it is.
 */
export async function rescheduleTasks(tx: Sql, incident: IncidentRow): Promise<number> {
  const open = await listOpenTaskTimes(tx, incident.id);
  if (open.length === 0) return 0;
  const from = offsetsStart(incident);
  const clocks = clockDeadlines(await clockDueTimes(tx, incident.id));
  let moved = 0;
  for (const task of open) {
    const due = taskDue({ dueAfterMinutes: task.due_after_minutes, clock: task.clock_rule }, from, clocks);
    if (due.getTime() === task.due_at.getTime()) continue;
    await setTaskDue(tx, task.id, due);
    moved++;
  }
  return moved;
}

/**
 * Tasks follow the clocks: every sync of an incident's clocks (on its declaration, on any
 * change of its facts, awareness among them, on an assessment, a filing or a new deadline
 * profile) reschedules its open tasks after them.
 */
export const taskClockFollower: ClockFollower = async (tx, incident) => {
  await rescheduleTasks(tx, incident);
};
