import { describe, expect, it } from 'vitest';
import { checkPlan, clockPeriodMinutes, exerciseCutoff, type CheckInput } from './plan-check.js';
import { days, hours } from './plan-model.js';

const now = new Date('2026-11-22T10:00:00Z');

const good: CheckInput = {
  type: 'data_breach',
  tasks: [
    { key: 'oob', owner: 'commander', kind: 'out_of_band', dueAfterMinutes: 30, clock: null },
    { key: 'legal', owner: 'legal_lead', kind: 'legal_review', dueAfterMinutes: hours(24), clock: null },
    {
      key: 'notice',
      owner: 'communications_lead',
      kind: 'customer_communication',
      dueAfterMinutes: hours(72),
      clock: null,
    },
    {
      key: 'authority',
      owner: 'legal',
      kind: 'regulator_notification',
      dueAfterMinutes: hours(60),
      clock: 'gdpr_33_authority',
    },
    { key: 'contain', owner: 'incident_manager', kind: null, dueAfterMinutes: hours(2), clock: null },
  ],
  contactCount: 3,
  lastExercisedAt: new Date('2026-03-01T00:00:00Z'),
  undueDelayTargetHours: 72,
  now,
};

const codes = (input: Partial<CheckInput>) => checkPlan({ ...good, ...input }).map((f) => f.code);
const without = (key: string) => good.tasks.filter((t) => t.key !== key);

describe('plan check', () => {
  it('passes a good plan', () => {
    expect(checkPlan(good)).toEqual([]);
  });

  it('flags every task without an owner, naming the task', () => {
    const tasks = good.tasks.map((t) => (t.key === 'contain' || t.key === 'oob' ? { ...t, owner: null } : t));
    expect(checkPlan({ ...good, tasks })).toEqual([
      { code: 'task_without_owner', taskKey: 'oob' },
      { code: 'task_without_owner', taskKey: 'contain' },
    ]);
  });

  it('flags a plan with no customer-communication step', () => {
    expect(codes({ tasks: without('notice') })).toEqual(['no_customer_communication']);
  });

  it('flags a plan with no legal review', () => {
    expect(codes({ tasks: without('legal') })).toEqual(['no_legal_review']);
  });

  it('flags a plan that never moves to the out-of-band channel', () => {
    expect(codes({ tasks: without('oob') })).toEqual(['no_out_of_band_step']);
  });

  it('flags an organization without an out-of-band contact list', () => {
    expect(codes({ contactCount: 0 })).toEqual(['no_out_of_band_contacts']);
  });

  it('flags a data-breach plan with no regulator notification, and only a data-breach plan', () => {
    expect(codes({ tasks: without('authority') })).toEqual(['no_regulator_notification']);
    expect(codes({ type: 'phishing', tasks: without('authority') })).toEqual([]);
  });

  it('flags a task tied to a legal clock whose offset from awareness is not before the clock’s period', () => {
    const authorityAt = (minutes: number) =>
      good.tasks.map((t) => (t.key === 'authority' ? { ...t, dueAfterMinutes: minutes } : t));
    // GDPR Art. 33: 72 hours from awareness. At 80 hours, or at 72, the notification is late.
    expect(checkPlan({ ...good, tasks: authorityAt(hours(80)) })).toEqual([
      { code: 'task_due_after_clock', taskKey: 'authority', clock: 'gdpr_33_authority' },
    ]);
    expect(codes({ tasks: authorityAt(hours(72)) })).toEqual(['task_due_after_clock']);
    expect(codes({ tasks: authorityAt(hours(72) - 1) })).toEqual([]);
    // The same offset untied to a clock is the plan's own business.
    const untied = authorityAt(hours(80)).map((t) => ({ ...t, clock: null }));
    expect(codes({ tasks: untied })).toEqual([]);
  });

  it('weighs "without undue delay" with no legal bound against the organization’s own target', () => {
    const tasks = good.tasks.map((t) =>
      t.key === 'notice' ? { ...t, dueAfterMinutes: hours(48), clock: 'gdpr_34_data_subjects' as const } : t,
    );
    expect(codes({ tasks, undueDelayTargetHours: 72 })).toEqual([]);
    expect(checkPlan({ ...good, tasks, undueDelayTargetHours: 48 })).toEqual([
      { code: 'task_due_after_clock', taskKey: 'notice', clock: 'gdpr_34_data_subjects' },
    ]);
  });

  it('knows the least time each kind of clock gives after awareness, and leaves later starts alone', () => {
    const aware = { moment: 'aware' } as const;
    expect(clockPeriodMinutes({ start: aware, duration: { kind: 'hours', hours: 24 } }, 72)).toBe(hours(24));
    expect(clockPeriodMinutes({ start: aware, duration: { kind: 'calendar_days', days: 30 } }, 72)).toBe(
      days(30),
    );
    expect(clockPeriodMinutes({ start: aware, duration: { kind: 'months', months: 1 } }, 72)).toBe(days(28));
    expect(clockPeriodMinutes({ start: aware, duration: { kind: 'undue_delay' } }, 36)).toBe(hours(36));
    // Detection comes no later than awareness: its clock is no longer from awareness than its period.
    expect(
      clockPeriodMinutes(
        {
          start: { moment: 'detected' },
          duration: { kind: 'undue_delay', bound: { kind: 'business_days', days: 3 } },
        },
        72,
      ),
    ).toBe(days(3));
    expect(
      clockPeriodMinutes(
        { start: { afterFiling: 'nis2_notification' }, duration: { kind: 'hours', hours: 1 } },
        72,
      ),
    ).toBeNull();
    expect(
      clockPeriodMinutes(
        { start: { moment: 'materiality_determined' }, duration: { kind: 'business_days', days: 4 } },
        72,
      ),
    ).toBeNull();
  });

  it('flags a plan never exercised, or last exercised more than 12 months ago', () => {
    expect(codes({ lastExercisedAt: null })).toEqual(['not_exercised']);
    expect(codes({ lastExercisedAt: new Date('2025-11-22T09:59:59Z') })).toEqual(['not_exercised']);
    expect(codes({ lastExercisedAt: new Date('2025-11-22T10:00:00Z') })).toEqual([]);
    expect(exerciseCutoff(now).toISOString()).toBe('2025-11-22T10:00:00.000Z');
  });

  it('reports every mistake of a bad plan at once', () => {
    expect(
      codes({
        tasks: [
          { key: 'only', owner: null, kind: null, dueAfterMinutes: days(4), clock: 'gdpr_33_authority' },
        ],
        contactCount: 0,
        lastExercisedAt: null,
      }),
    ).toEqual([
      'task_without_owner',
      'task_due_after_clock',
      'no_customer_communication',
      'no_legal_review',
      'no_out_of_band_step',
      'no_out_of_band_contacts',
      'no_regulator_notification',
      'not_exercised',
    ]);
  });
});
