import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { PLAYBOOKS } from './playbooks/index.js';
import type { TaskView } from './plan-schemas.js';

const t = await createTestApp();
const org = await createOrganization(t);
const admin = await createUser(t, org, ['admin'], { totp: false });
const legal = await createUser(t, org, ['legal'], { totp: false });
const comms = await createUser(t, org, ['communications'], { totp: false });
const support = await createUser(t, org, ['support'], { totp: false });
const viewer = await createUser(t, org, ['viewer'], { totp: false });

interface Tasks {
  isExercise: boolean;
  plan: { name: string; source: string; playbook: string; version: number | null; startedAt: string } | null;
  tasks: TaskView[];
}

async function tasksOf(agent: Agent, incidentId: string, headers?: Record<string, string>): Promise<Tasks> {
  const response = await agent.get(`/api/incidents/${incidentId}/tasks`, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Tasks>();
}

const byKey = (tasks: Tasks, key: string) => tasks.tasks.find((task) => task.key === key)!;

async function createdAt(incidentId: string): Promise<number> {
  const rows = await t.db.query<{ created_at: Date }>('SELECT created_at FROM incidents WHERE id = $1', [
    incidentId,
  ]);
  return rows[0]!.created_at.getTime();
}

async function timeline(incidentId: string) {
  return t.db.query<{
    kind: string;
    actor_id: string | null;
    data: Record<string, unknown>;
    note: string | null;
  }>('SELECT kind, actor_id, data, note FROM incident_events WHERE incident_id = $1 ORDER BY occurred_at', [
    incidentId,
  ]);
}

async function audit(incidentId: string, action: string) {
  return t.db.query<{ actor_id: string | null; data: Record<string, unknown> }>(
    'SELECT actor_id, data FROM audit_events WHERE organization_id = $1 AND target_id = $2 AND action = $3 ORDER BY seq',
    [org, incidentId, action],
  );
}

describe('starting a plan', () => {
  it('declaring an incident starts its built-in plan: owners from the incident roles, role queues, due times', async () => {
    const { id, manager, agent } = await createIncident(t, org, {
      type: 'data_breach',
      members: [{ userId: legal.id, role: 'legal_lead' }],
    });
    const view = await tasksOf(agent, id);
    expect(view.plan).toMatchObject({ source: 'builtin', playbook: 'data_breach', version: null });
    expect(view.tasks.map((task) => task.key)).toEqual(PLAYBOOKS.data_breach.tasks.map((task) => task.key));

    // The declarer is the commander; the legal lead was named; nobody leads communications yet.
    expect(byKey(view, 'oob-channel')).toMatchObject({ assignee: { id: manager.id }, assigneeRole: null });
    expect(byKey(view, 'db-authority')).toMatchObject({
      ownerRole: 'legal_lead',
      assignee: { id: legal.id },
      kind: 'regulator_notification',
    });
    expect(byKey(view, 'db-notice')).toMatchObject({
      ownerRole: 'communications_lead',
      assignee: null,
      assigneeRole: 'communications',
    });
    expect(byKey(view, 'db-support')).toMatchObject({
      ownerRole: 'support',
      assignee: null,
      assigneeRole: 'support',
    });

    const declared = await createdAt(id);
    for (const task of PLAYBOOKS.data_breach.tasks) {
      expect(Date.parse(byKey(view, task.key).dueAt), task.key).toBe(
        declared + task.dueAfterMinutes * 60_000,
      );
    }
    expect(view.tasks.every((task) => task.status === 'open' && !task.isExercise)).toBe(true);

    const started = (await timeline(id)).filter((e) => e.kind === 'plan_started');
    expect(started).toHaveLength(1);
    expect(started[0]!.data).toMatchObject({
      name: PLAYBOOKS.data_breach.name,
      source: 'builtin',
      tasks: view.tasks.length,
      isExercise: false,
    });
    expect(await audit(id, 'incident.plan_started')).toHaveLength(1);
  });

  it('shows the built-in texts in the caller’s language', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'ransomware' });
    const cs = await tasksOf(agent, id, { 'accept-language': 'cs' });
    const ar = await tasksOf(agent, id, { 'accept-language': 'ar' });
    const note = PLAYBOOKS.ransomware.tasks.find((task) => task.key === 'rw-ransom-note')!;
    expect(byKey(cs, 'rw-ransom-note')).toMatchObject({ title: note.title.cs, locale: 'cs' });
    expect(ar.plan!.name).toBe(PLAYBOOKS.ransomware.name.ar);
    expect(byKey(ar, 'rw-ransom-note')).toMatchObject({ title: note.title.ar, locale: 'ar' });
    expect(byKey(ar, 'mal-isolate').description).toBe(
      PLAYBOOKS.malware.tasks.find((task) => task.key === 'mal-isolate')!.description.ar,
    );
  });

  it('an exercise incident runs the whole plan, every task marked as an exercise', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'phishing', isExercise: true });
    const view = await tasksOf(agent, id);
    expect(view.isExercise).toBe(true);
    expect(view.tasks).toHaveLength(PLAYBOOKS.phishing.tasks.length);
    expect(view.tasks.every((task) => task.isExercise)).toBe(true);
    const started = (await timeline(id)).find((e) => e.kind === 'plan_started')!;
    expect(started.data.isExercise).toBe(true);
  });

  it('an incident declared without its plan gets it started by hand, once', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'other', startPlan: false });
    expect(await tasksOf(agent, id)).toMatchObject({ plan: null, tasks: [] });
    const started = await agent.post(`/api/incidents/${id}/plan`);
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json<Tasks>().tasks).toHaveLength(PLAYBOOKS.other.tasks.length);
    const again = await agent.post(`/api/incidents/${id}/plan`);
    expect(again.statusCode).toBe(409);
    const viewerAgent = await sessionFor(t, viewer);
    expect((await viewerAgent.post(`/api/incidents/${id}/plan`)).statusCode).toBe(403);
  });
});

describe('working on tasks', () => {
  it('completing, reassigning and skipping are recorded in the timeline and the audit log', async () => {
    const { id, manager, agent } = await createIncident(t, org, { type: 'data_breach' });
    const view = await tasksOf(agent, id);

    const oob = byKey(view, 'oob-channel');
    const completed = await agent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`);
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json<TaskView>()).toMatchObject({
      status: 'done',
      closedBy: { id: manager.id },
      canWork: false,
    });
    expect((await agent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`)).statusCode).toBe(409);

    const notice = byKey(view, 'db-notice');
    const reassigned = await agent.post(`/api/incidents/${id}/tasks/${notice.id}/reassign`, {
      userId: comms.id,
    });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json<TaskView>()).toMatchObject({ assignee: { id: comms.id }, assigneeRole: null });
    const toQueue = await agent.post(`/api/incidents/${id}/tasks/${notice.id}/reassign`, { role: 'support' });
    expect(toQueue.json<TaskView>()).toMatchObject({ assignee: null, assigneeRole: 'support' });
    // A viewer cannot work tasks, so a task cannot be given to one.
    const toViewer = await agent.post(`/api/incidents/${id}/tasks/${notice.id}/reassign`, {
      userId: viewer.id,
    });
    expect(toViewer.statusCode).toBe(400);

    const protect = byKey(view, 'db-protect');
    const reason = 'No credentials or card data were involved; nothing to reissue.';
    expect(
      (await agent.post(`/api/incidents/${id}/tasks/${protect.id}/skip`, { reason: '   ' })).statusCode,
    ).toBe(400);
    expect((await agent.post(`/api/incidents/${id}/tasks/${protect.id}/skip`, {})).statusCode).toBe(400);
    const skipped = await agent.post(`/api/incidents/${id}/tasks/${protect.id}/skip`, { reason });
    expect(skipped.statusCode, skipped.body).toBe(200);
    expect(skipped.json<TaskView>()).toMatchObject({ status: 'skipped', skipReason: reason });

    const events = (await timeline(id)).filter((e) => e.kind.startsWith('task_'));
    expect(events.map((e) => [e.kind, e.data.taskKey, e.actor_id])).toEqual([
      ['task_completed', 'oob-channel', manager.id],
      ['task_reassigned', 'db-notice', manager.id],
      ['task_reassigned', 'db-notice', manager.id],
      ['task_skipped', 'db-protect', manager.id],
    ]);
    expect(events[1]!.data).toMatchObject({ to: { userId: comms.id, role: null } });
    expect(events[3]!.note).toBe(reason);

    expect((await audit(id, 'incident.task_completed')).map((a) => a.data.taskId)).toEqual([oob.id]);
    expect((await audit(id, 'incident.task_reassigned')).map((a) => a.data.toUser)).toEqual([comms.id, null]);
    const skipAudit = await audit(id, 'incident.task_skipped');
    expect(skipAudit.map((a) => a.data.taskId)).toEqual([protect.id]);
    // The reason is free text: on the timeline only, never in the audit log.
    expect(JSON.stringify(skipAudit)).not.toContain('credentials');
  });

  it('a support user works only tasks assigned to them; communications likewise; a viewer only reads', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'data_breach' });
    const view = await tasksOf(agent, id);
    const oob = byKey(view, 'oob-channel');
    const desk = byKey(view, 'db-support');
    const authority = byKey(view, 'db-authority');

    const supportAgent = await sessionFor(t, support);
    const supportView = await tasksOf(supportAgent, id);
    expect(byKey(supportView, 'db-support').canWork).toBe(true);
    expect(byKey(supportView, 'oob-channel').canWork).toBe(false);

    const refused = await supportAgent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('forbidden');
    expect(
      (await supportAgent.post(`/api/incidents/${id}/tasks/${oob.id}/skip`, { reason: 'not mine' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await supportAgent.post(`/api/incidents/${id}/tasks/${oob.id}/reassign`, { userId: support.id }))
        .statusCode,
    ).toBe(403);
    expect(byKey(await tasksOf(agent, id), 'oob-channel').status).toBe('open');

    const commsAgent = await sessionFor(t, comms);
    expect((await commsAgent.post(`/api/incidents/${id}/tasks/${desk.id}/complete`)).statusCode).toBe(403);
    expect((await supportAgent.post(`/api/incidents/${id}/tasks/${desk.id}/complete`)).statusCode).toBe(200);

    // Given to the support user personally, a task becomes theirs to work.
    await agent.post(`/api/incidents/${id}/tasks/${authority.id}/reassign`, { userId: support.id });
    expect((await supportAgent.post(`/api/incidents/${id}/tasks/${authority.id}/complete`)).statusCode).toBe(
      200,
    );

    const viewerAgent = await sessionFor(t, viewer);
    const viewerView = await tasksOf(viewerAgent, id);
    expect(viewerView.tasks.some((task) => task.canWork)).toBe(false);
    expect((await viewerAgent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`)).statusCode).toBe(403);

    const legalAgent = await sessionFor(t, legal);
    expect((await legalAgent.post(`/api/incidents/${id}/tasks/${oob.id}/complete`)).statusCode).toBe(403);
  });

  it('a restricted incident’s tasks stay hidden from a non-member, even an admin', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'malware', restricted: true });
    const oob = byKey(await tasksOf(agent, id), 'oob-channel');
    const outsider = await sessionFor(t, admin);
    expect((await outsider.get(`/api/incidents/${id}/tasks`)).statusCode).toBe(404);
    expect((await outsider.post(`/api/incidents/${id}/tasks/${oob.id}/complete`)).statusCode).toBe(404);
    expect((await outsider.post(`/api/incidents/${id}/plan`)).statusCode).toBe(404);
    const rows = await t.db.query<{ status: string }>('SELECT status FROM incident_tasks WHERE id = $1', [
      oob.id,
    ]);
    expect(rows[0]!.status).toBe('open');
  });

  it('a task of another incident, or an unknown one, is not found', async () => {
    const first = await createIncident(t, org, { type: 'phishing' });
    const second = await createIncident(t, org, { type: 'phishing' }, first.manager);
    const task = byKey(await tasksOf(first.agent, first.id), 'oob-channel');
    expect((await first.agent.post(`/api/incidents/${second.id}/tasks/${task.id}/complete`)).statusCode).toBe(
      404,
    );
    const other = await createOrganization(t);
    const foreign = await sessionFor(t, await createUser(t, other, ['admin'], { totp: false }));
    expect((await foreign.get(`/api/incidents/${first.id}/tasks`)).statusCode).toBe(404);
    expect((await foreign.post(`/api/incidents/${first.id}/tasks/${task.id}/complete`)).statusCode).toBe(404);
  });
});

describe('handing over queued tasks', () => {
  it('tasks of an incident role nobody held wait in a queue and go to the member who takes that role', async () => {
    const { id, agent } = await createIncident(t, org, { type: 'data_breach' });
    const legalTasks = PLAYBOOKS.data_breach.tasks
      .filter((task) => task.owner === 'legal_lead')
      .map((task) => task.key);
    expect(legalTasks.length).toBeGreaterThan(0);
    const before = await tasksOf(agent, id);
    for (const key of legalTasks) {
      expect(byKey(before, key)).toMatchObject({ assignee: null, assigneeRole: 'legal' });
    }

    const added = await agent.post(`/api/incidents/${id}/members`, { userId: legal.id, role: 'legal_lead' });
    expect(added.statusCode, added.body).toBe(200);
    const after = await tasksOf(agent, id);
    for (const key of legalTasks) {
      expect(byKey(after, key)).toMatchObject({
        assignee: expect.objectContaining({ id: legal.id }),
        assigneeRole: null,
      });
    }
    const handed = (await timeline(id)).filter((e) => e.kind === 'tasks_handed_over');
    expect(handed).toHaveLength(1);
    expect((handed[0]!.data as { tasks: unknown[] }).tasks).toHaveLength(legalTasks.length);
    expect(await audit(id, 'incident.tasks_handed_over')).toHaveLength(1);
  });
});
