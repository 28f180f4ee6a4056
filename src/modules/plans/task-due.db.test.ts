import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { PLAYBOOKS } from './playbooks/index.js';
import type { TaskView } from './plan-schemas.js';

const t = await createTestApp();
const org = await createOrganization(t);

const HOUR = 3_600_000;

async function tasksOf(agent: Agent, incidentId: string): Promise<TaskView[]> {
  const response = await agent.get(`/api/incidents/${incidentId}/tasks`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ tasks: TaskView[] }>().tasks;
}

const dueOf = (tasks: TaskView[], key: string) => Date.parse(tasks.find((task) => task.key === key)!.dueAt);

async function createdAt(incidentId: string): Promise<number> {
  const rows = await t.db.query<{ created_at: Date }>('SELECT created_at FROM incidents WHERE id = $1', [
    incidentId,
  ]);
  return rows[0]!.created_at.getTime();
}

async function clockDue(agent: Agent, incidentId: string, ruleId: string): Promise<number | null> {
  const response = await agent.get(`/api/incidents/${incidentId}/clocks`);
  expect(response.statusCode, response.body).toBe(200);
  const clock = response
    .json<{ clocks: { ruleId: string; state: string; dueAt: string | null }[] }>()
    .clocks.find((c) => c.ruleId === ruleId)!;
  return clock.state === 'not_applicable' || !clock.dueAt ? null : Date.parse(clock.dueAt);
}

const offsetOf = (key: string) =>
  PLAYBOOKS.data_breach.tasks.find((task) => task.key === key)!.dueAfterMinutes;

// Personal data of Czech residents: the GDPR Art. 33 clock runs, 72 hours from awareness.
const czechBreach = {
  type: 'data_breach' as const,
  dataCategories: ['contact_details' as const],
  jurisdictions: [{ code: 'CZ', estimatedAffected: 1200 }],
};

describe('due times count from awareness and stay before the legal clocks', () => {
  it('an incident declared three days after awareness has the authority notified before the GDPR clock, not 72 hours after declaration', async () => {
    const aware = Date.now() - 72 * HOUR;
    const { id, agent } = await createIncident(t, org, {
      ...czechBreach,
      moments: { aware: new Date(aware).toISOString() },
    });
    const view = await tasksOf(agent, id);
    const gdpr = await clockDue(agent, id, 'gdpr_33_authority');
    expect(gdpr).toBe(aware + 72 * HOUR);

    const authority = view.find((task) => task.key === 'db-authority')!;
    expect(authority).toMatchObject({ clock: 'gdpr_33_authority', status: 'open', overdue: true });
    expect(dueOf(view, 'db-authority')).toBe(aware + 60 * HOUR);
    expect(dueOf(view, 'db-authority')).toBeLessThan(gdpr!);
    // Counted from the declaration, it would have fallen due three days after the law's deadline.
    expect(dueOf(view, 'db-authority')).not.toBe((await createdAt(id)) + 72 * HOUR);
    // Every task of the plan counts from awareness, not from the declaration.
    for (const task of PLAYBOOKS.data_breach.tasks) {
      expect(dueOf(view, task.key), task.key).toBe(aware + task.dueAfterMinutes * 60_000);
    }
  });

  it('open tasks move when awareness is recorded, moved or cleared; done tasks keep their due time', async () => {
    const { id, agent } = await createIncident(t, org, czechBreach);
    const declared = await createdAt(id);
    // Not recorded yet: the clocks wait, and the tasks count from the declaration meanwhile.
    expect(await clockDue(agent, id, 'gdpr_33_authority')).toBeNull();
    const before = await tasksOf(agent, id);
    expect(dueOf(before, 'db-authority')).toBe(declared + offsetOf('db-authority') * 60_000);
    const oob = before.find((task) => task.key === 'oob-channel')!;
    expect((await agent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`)).statusCode).toBe(200);

    const aware = declared - 30 * HOUR;
    const set = await agent.put(`/api/incidents/${id}/moments`, { aware: new Date(aware).toISOString() });
    expect(set.statusCode, set.body).toBe(200);
    const after = await tasksOf(agent, id);
    expect(dueOf(after, 'db-authority')).toBe(aware + 60 * HOUR);
    expect(dueOf(after, 'db-authority')).toBeLessThan((await clockDue(agent, id, 'gdpr_33_authority'))!);
    expect(dueOf(after, 'db-scope')).toBe(aware + offsetOf('db-scope') * 60_000);
    expect(dueOf(after, 'oob-channel')).toBe(Date.parse(oob.dueAt));

    const corrected = aware + 6 * HOUR;
    await agent.put(`/api/incidents/${id}/moments`, { aware: new Date(corrected).toISOString() });
    const moved = await tasksOf(agent, id);
    expect(dueOf(moved, 'db-authority')).toBe(corrected + 60 * HOUR);
    expect(dueOf(moved, 'db-scope')).toBe(corrected + offsetOf('db-scope') * 60_000);
    expect(dueOf(moved, 'oob-channel')).toBe(Date.parse(oob.dueAt));

    await agent.put(`/api/incidents/${id}/moments`, { aware: null });
    const cleared = await tasksOf(agent, id);
    expect(dueOf(cleared, 'db-authority')).toBe(declared + offsetOf('db-authority') * 60_000);
    // Rescheduling is no event of its own: the timeline shows the moments that caused it.
    const events = await t.db.query<{ kind: string }>(
      'SELECT kind FROM incident_events WHERE incident_id = $1',
      [id],
    );
    expect(events.filter((e) => e.kind === 'moments_set')).toHaveLength(3);
    expect(events.some((e) => e.kind.startsWith('task_') && e.kind !== 'task_completed')).toBe(false);
  });

  it('a task the plan puts past its clock is flagged by the plan check, falls due 12 hours before the clock, and moves with it', async () => {
    const own = await createOrganization(t);
    const manager = await createUser(t, own, ['incident_manager'], { totp: false });
    const agent = await sessionFor(t, manager);
    const copied = await agent.post('/api/plans', { type: 'data_breach', locale: 'en' });
    expect(copied.statusCode, copied.body).toBe(201);
    const plan = copied.json<{
      id: string;
      current: { tasks: { key: string; dueAfterMinutes: number }[] };
    }>();
    const late = plan.current.tasks.map((task) =>
      task.key === 'db-authority' ? { ...task, dueAfterMinutes: 80 * 60 } : task,
    );
    const saved = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'Data breach',
      locale: 'en',
      tasks: late,
    });
    expect(saved.statusCode, saved.body).toBe(201);

    const check = await agent.get(`/api/plans/${plan.id}/check`);
    const flag = check
      .json<{ flags: { code: string; taskKey: string | null; clock: string | null; message: string }[] }>()
      .flags.find((f) => f.code === 'task_due_after_clock');
    expect(flag).toMatchObject({ taskKey: 'db-authority', clock: 'gdpr_33_authority' });
    expect(flag!.message).toContain('Notify the supervisory authority');
    expect(flag!.message).toContain('GDPR Art. 33');
    const cs = await agent.get(`/api/plans/${plan.id}/check`, { 'accept-language': 'cs' });
    expect(cs.json<{ flags: { code: string; message: string }[] }>().flags).toContainEqual(
      expect.objectContaining({ code: 'task_due_after_clock', message: expect.stringContaining('Úkol') }),
    );

    const aware = Date.now() - 10 * HOUR;
    const { id } = await createIncident(
      t,
      own,
      { ...czechBreach, moments: { aware: new Date(aware).toISOString() } },
      manager,
    );
    const gdpr = (await clockDue(agent, id, 'gdpr_33_authority'))!;
    expect(dueOf(await tasksOf(agent, id), 'db-authority')).toBe(gdpr - 12 * HOUR);

    // The clock stops binding (the breach is unlikely to be a risk): the task keeps its own offset.
    const unlikely = await agent.put(`/api/incidents/${id}/assessment`, {
      riskLevel: 'unlikely',
      significant: false,
    });
    expect(unlikely.statusCode, unlikely.body).toBe(200);
    expect(await clockDue(agent, id, 'gdpr_33_authority')).toBeNull();
    expect(dueOf(await tasksOf(agent, id), 'db-authority')).toBe(aware + 80 * HOUR);

    await agent.put(`/api/incidents/${id}/assessment`, { riskLevel: 'risk', significant: false });
    expect(dueOf(await tasksOf(agent, id), 'db-authority')).toBe(gdpr - 12 * HOUR);

    // Awareness moves the clock, and the task with it.
    const corrected = aware - 5 * HOUR;
    await agent.put(`/api/incidents/${id}/moments`, { aware: new Date(corrected).toISOString() });
    expect(await clockDue(agent, id, 'gdpr_33_authority')).toBe(corrected + 72 * HOUR);
    expect(dueOf(await tasksOf(agent, id), 'db-authority')).toBe(corrected + 60 * HOUR);
  });
});
