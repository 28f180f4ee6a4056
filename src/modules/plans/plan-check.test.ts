import { describe, expect, it } from 'vitest';
import { checkPlan, exerciseCutoff, type CheckInput } from './plan-check.js';

const now = new Date('2026-11-22T10:00:00Z');

const good: CheckInput = {
  type: 'data_breach',
  tasks: [
    { key: 'oob', owner: 'commander', kind: 'out_of_band' },
    { key: 'legal', owner: 'legal_lead', kind: 'legal_review' },
    { key: 'notice', owner: 'communications_lead', kind: 'customer_communication' },
    { key: 'authority', owner: 'legal', kind: 'regulator_notification' },
    { key: 'contain', owner: 'incident_manager', kind: null },
  ],
  contactCount: 3,
  lastExercisedAt: new Date('2026-03-01T00:00:00Z'),
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

  it('flags a plan never exercised, or last exercised more than 12 months ago', () => {
    expect(codes({ lastExercisedAt: null })).toEqual(['not_exercised']);
    expect(codes({ lastExercisedAt: new Date('2025-11-22T09:59:59Z') })).toEqual(['not_exercised']);
    expect(codes({ lastExercisedAt: new Date('2025-11-22T10:00:00Z') })).toEqual([]);
    expect(exerciseCutoff(now).toISOString()).toBe('2025-11-22T10:00:00.000Z');
  });

  it('reports every mistake of a bad plan at once', () => {
    expect(
      codes({ tasks: [{ key: 'only', owner: null, kind: null }], contactCount: 0, lastExercisedAt: null }),
    ).toEqual([
      'task_without_owner',
      'no_customer_communication',
      'no_legal_review',
      'no_out_of_band_step',
      'no_out_of_band_contacts',
      'no_regulator_notification',
      'not_exercised',
    ]);
  });
});
