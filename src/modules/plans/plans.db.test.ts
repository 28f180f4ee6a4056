import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { withOrg } from '../../platform/db.js';
import { localizePlaybook, PLAYBOOKS } from './playbooks/index.js';
import type { TaskView, VersionView } from './plan-schemas.js';

const t = await createTestApp();

interface Plan {
  id: string;
  type: string;
  sourcePlaybook: string;
  current: VersionView;
}
interface Check {
  ok: boolean;
  planId: string | null;
  version: number | null;
  lastExercisedAt: string | null;
  flags: { code: string; taskKey: string | null; message: string }[];
}

async function orgWithPeople() {
  const org = await createOrganization(t);
  const manager = await createUser(t, org, ['incident_manager'], { totp: false });
  return { org, manager, agent: await sessionFor(t, manager) };
}

async function copy(agent: Agent, type: string, locale?: string): Promise<Plan> {
  const response = await agent.post('/api/plans', { type, ...(locale ? { locale } : {}) });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Plan>();
}

async function check(agent: Agent, planId: string, query = '', headers?: Record<string, string>) {
  const response = await agent.get(`/api/plans/${planId}/check${query}`, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Check>();
}

const editable = (tasks: VersionView['tasks']) => tasks.map((task) => ({ ...task }));

describe('built-in playbooks over the API', () => {
  it('lists every playbook in the caller’s language', async () => {
    const { agent } = await orgWithPeople();
    const cs = (await agent.get('/api/playbooks', { 'accept-language': 'cs' })).json<
      { type: string; name: string }[]
    >();
    expect(cs.map((p) => p.type)).toEqual(Object.keys(PLAYBOOKS));
    expect(cs.find((p) => p.type === 'data_breach')!.name).toBe('Únik dat');
    const one = await agent.get('/api/playbooks/ransomware', { 'accept-language': 'ar' });
    expect(one.json()).toEqual(localizePlaybook(PLAYBOOKS.ransomware, 'ar'));
    expect((await agent.get('/api/playbooks/tsunami')).statusCode).toBe(400);
  });
});

describe('organization plans', () => {
  it('copies a playbook, saves new versions, and an incident keeps the version it started with', async () => {
    const { org, manager, agent } = await orgWithPeople();
    const plan = await copy(agent, 'phishing', 'cs');
    expect(plan).toMatchObject({ type: 'phishing', sourcePlaybook: 'phishing' });
    expect(plan.current).toMatchObject({
      version: 1,
      locale: 'cs',
      name: 'Phishing',
      createdBy: { id: manager.id },
    });
    expect(plan.current.tasks).toEqual(localizePlaybook(PLAYBOOKS.phishing, 'cs').tasks);
    expect((await agent.post('/api/plans', { type: 'phishing' })).statusCode).toBe(409);

    const first = await createIncident(t, org, { type: 'phishing' }, manager);
    const firstTasks = (await agent.get(`/api/incidents/${first.id}/tasks`)).json<{
      plan: { source: string; version: number };
      tasks: TaskView[];
    }>();
    expect(firstTasks.plan).toMatchObject({ source: 'organization', version: 1 });
    expect(firstTasks.tasks.map((task) => task.title)).toEqual(plan.current.tasks.map((task) => task.title));
    // An organization's plan speaks its own language to everyone.
    expect(firstTasks.tasks[0]!.locale).toBe('cs');

    const tasks = editable(plan.current.tasks).filter((task) => task.key !== 'phish-awareness');
    tasks.push({
      key: 'call-bank',
      title: 'Zavolat bance kvůli podezřelým platbám',
      description: 'Pokud zaměstnanci zadali platební údaje, kontaktujte banku.',
      phase: 'containment',
      owner: 'incident_manager',
      dueAfterMinutes: 90,
      kind: null,
      clock: null,
    });
    const saved = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'Phishing — náš postup',
      locale: 'cs',
      tasks,
      note: 'Banka přidána, osvěta vypuštěna.',
    });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json<VersionView>()).toMatchObject({ version: 2, taskCount: tasks.length });

    // A save over a version that is no longer the newest is refused.
    const stale = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'x',
      locale: 'cs',
      tasks,
    });
    expect(stale.statusCode).toBe(409);
    expect(
      stale.json<{ error: { details: { currentVersion: number } } }>().error.details.currentVersion,
    ).toBe(2);

    const again = (await agent.get(`/api/incidents/${first.id}/tasks`)).json<{
      plan: { version: number };
      tasks: TaskView[];
    }>();
    expect(again.plan.version).toBe(1);
    expect(again.tasks.map((task) => task.key)).toContain('phish-awareness');
    expect(again.tasks.map((task) => task.key)).not.toContain('call-bank');

    const second = await createIncident(t, org, { type: 'phishing' }, manager);
    const secondTasks = (await agent.get(`/api/incidents/${second.id}/tasks`)).json<{
      plan: { version: number; name: string };
      tasks: TaskView[];
    }>();
    expect(secondTasks.plan).toMatchObject({ version: 2, name: 'Phishing — náš postup' });
    expect(secondTasks.tasks.map((task) => task.key)).toContain('call-bank');
    expect(secondTasks.tasks.map((task) => task.key)).not.toContain('phish-awareness');

    const versions = (await agent.get(`/api/plans/${plan.id}/versions`)).json<{ version: number }[]>();
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    const v1 = (await agent.get(`/api/plans/${plan.id}/versions/1`)).json<VersionView>();
    expect(v1.tasks).toEqual(plan.current.tasks);
    expect((await agent.get(`/api/plans/${plan.id}/versions/3`)).statusCode).toBe(404);
    expect((await agent.get(`/api/plans/${plan.id}`)).json<Plan>().current.version).toBe(2);
    expect((await agent.get('/api/plans')).json<{ id: string; current: { version: number } }[]>()).toEqual([
      expect.objectContaining({ id: plan.id, current: expect.objectContaining({ version: 2 }) }),
    ]);

    // Versions are immutable for the application itself.
    await expect(
      withOrg(t.db, org, (tx) =>
        tx.query(`UPDATE plan_versions SET name = 'forged' WHERE plan_id = $1`, [plan.id]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withOrg(t.db, org, (tx) => tx.query('DELETE FROM plan_versions WHERE plan_id = $1', [plan.id])),
    ).rejects.toThrow(/permission denied/);

    const audited = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE organization_id = $1 AND target_id = $2 ORDER BY seq`,
      [org, plan.id],
    );
    expect(audited.map((a) => a.action)).toEqual(['plan.created', 'plan.version_saved']);
  });

  it('refuses a version with two tasks of one key, and an unknown owner', async () => {
    const { agent } = await orgWithPeople();
    const plan = await copy(agent, 'other', 'en');
    const tasks = editable(plan.current.tasks);
    const duplicate = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'x',
      locale: 'en',
      tasks: [...tasks, { ...tasks[0]! }],
    });
    expect(duplicate.statusCode).toBe(400);
    const unknownOwner = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'x',
      locale: 'en',
      tasks: [{ ...tasks[0]!, owner: 'janitor' }],
    });
    expect(unknownOwner.statusCode).toBe(400);
    const blankName = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: '   ',
      locale: 'en',
      tasks,
    });
    expect(blankName.statusCode, blankName.body).toBe(400);
    // A new task may come without a key: one is made for it.
    const { key: _key, ...rest } = tasks[0]!;
    const keyless = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'x',
      locale: 'en',
      tasks: [rest],
    });
    expect(keyless.statusCode, keyless.body).toBe(201);
    expect(keyless.json<VersionView>().tasks[0]!.key).toMatch(/^task-[0-9a-f]{8}$/);
  });

  it('legal and viewers read plans, only admins and incident managers edit them, others see nothing', async () => {
    const { org, agent } = await orgWithPeople();
    const plan = await copy(agent, 'malware');
    for (const role of ['legal', 'viewer'] as const) {
      const reader = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect((await reader.get(`/api/plans/${plan.id}`)).statusCode).toBe(200);
      expect((await reader.get(`/api/plans/${plan.id}/check`)).statusCode).toBe(200);
      expect((await reader.post('/api/plans', { type: 'phishing' })).statusCode).toBe(403);
    }
    for (const role of ['communications', 'support'] as const) {
      const other = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect((await other.get(`/api/plans/${plan.id}`)).statusCode).toBe(403);
    }
    const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
    expect((await admin.post('/api/plans', { type: 'phishing' })).statusCode).toBe(201);
    const foreign = await orgWithPeople();
    expect((await foreign.agent.get(`/api/plans/${plan.id}`)).statusCode).toBe(404);
    expect((await foreign.agent.get(`/api/plans/${plan.id}/check`)).statusCode).toBe(404);
  });
});

describe('plan check over the API', () => {
  it('flags each mistake, in the caller’s language, and passes a good plan', async () => {
    const { org, manager, agent } = await orgWithPeople();
    const plan = await copy(agent, 'data_breach', 'en');

    // A fresh organization: no contact list, never exercised.
    const fresh = await check(agent, plan.id);
    expect(fresh).toMatchObject({ ok: false, planId: plan.id, version: 1, lastExercisedAt: null });
    expect(fresh.flags.map((f) => f.code)).toEqual(['no_out_of_band_contacts', 'not_exercised']);
    expect(fresh.flags[0]!.message).toBe('The organization has no out-of-band contact list.');

    const bad = editable(plan.current.tasks)
      .filter(
        (task) =>
          !['customer_communication', 'legal_review', 'regulator_notification', 'out_of_band'].includes(
            task.kind ?? '',
          ),
      )
      .map((task) => (task.key === 'db-stop' ? { ...task, owner: null } : task));
    const saved = await agent.post(`/api/plans/${plan.id}/versions`, {
      baseVersion: 1,
      name: 'Bad',
      locale: 'en',
      tasks: bad,
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const flagged = await check(agent, plan.id, '', { 'accept-language': 'cs' });
    expect(flagged.flags.map((f) => [f.code, f.taskKey])).toEqual([
      ['task_without_owner', 'db-stop'],
      ['no_customer_communication', null],
      ['no_legal_review', null],
      ['no_out_of_band_step', null],
      ['no_out_of_band_contacts', null],
      ['no_regulator_notification', null],
      ['not_exercised', null],
    ]);
    expect(flagged.flags[0]!.message).toBe('Úkol „Stop the leak“ nemá odpovědnou osobu.');
    expect(flagged.flags[5]!.message).toBe('Tento plán pro únik dat neobsahuje krok ohlášení úřadu.');

    // A contact list and a recent exercise of this type: version 1 passes.
    const contact = await agent.post('/api/contacts', { name: 'Jana Nováková', role: 'Incident commander' });
    expect(contact.statusCode, contact.body).toBe(201);
    const exercise = await createIncident(
      t,
      org,
      { type: 'data_breach', isExercise: true, restricted: true },
      manager,
    );
    const good = await check(agent, plan.id, '?version=1');
    expect(good).toMatchObject({ ok: true, version: 1, flags: [] });
    expect(good.lastExercisedAt).not.toBeNull();
    // A restricted exercise counts for readers who are not its members too.
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await check(viewer, plan.id, '?version=1')).ok).toBe(true);

    // An exercise of another type does not count; one from 13 months ago no longer does.
    await t.db.query(`UPDATE incidents SET created_at = now() - interval '13 months' WHERE id = $1`, [
      exercise.id,
    ]);
    await createIncident(t, org, { type: 'phishing', isExercise: true }, manager);
    const stale = await check(agent, plan.id, '?version=1');
    expect(stale.flags.map((f) => f.code)).toEqual(['not_exercised']);
  });

  it('checks a built-in playbook for an organization that has not copied it', async () => {
    const { agent } = await orgWithPeople();
    const response = await agent.get('/api/playbooks/social_engineering/check');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<Check>()).toMatchObject({ planId: null, version: null, ok: false });
    expect(response.json<Check>().flags.map((f) => f.code)).toEqual([
      'no_out_of_band_contacts',
      'not_exercised',
    ]);
  });
});
