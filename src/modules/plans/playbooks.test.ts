import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../platform/i18n.js';
import { INCIDENT_TYPES } from '../incidents/incident-model.js';
import { checkPlan } from './plan-check.js';
import { OWNER_ROLES, PHASES, TASK_KEY_PATTERN } from './plan-model.js';
import { localizePlaybook, PLAYBOOK_LIST, PLAYBOOKS } from './playbooks/index.js';

const ARABIC = /[\u0600-\u06FF]/;
// Letters only Czech has among the three (English has none, Arabic has no Latin).
const CZECH = /[áčďéěíňóřšťúůýž]/i;

describe('built-in playbooks', () => {
  it('exist for every incident type', () => {
    expect(Object.keys(PLAYBOOKS).sort()).toEqual([...INCIDENT_TYPES].sort());
    for (const type of INCIDENT_TYPES) expect(PLAYBOOKS[type].type).toBe(type);
  });

  it.each(PLAYBOOK_LIST.map((p) => [p.type, p] as const))(
    '%s is complete in en, cs and ar, with the same tasks in each language',
    (_type, playbook) => {
      const [en, ...others] = LOCALES.map((l) => localizePlaybook(playbook, l));
      const shape = (p: typeof en) =>
        p!.tasks.map(({ key, phase, owner, dueAfterMinutes, kind, clock }) => ({
          key,
          phase,
          owner,
          dueAfterMinutes,
          kind,
          clock,
        }));
      for (const other of others) expect(shape(other), other.locale).toEqual(shape(en));

      for (const text of [
        playbook.name,
        playbook.summary,
        ...playbook.tasks.flatMap((t) => [t.title, t.description]),
      ]) {
        for (const locale of LOCALES) expect(text[locale].trim(), JSON.stringify(text)).not.toBe('');
        expect(text.ar, text.en).toMatch(ARABIC);
        expect(text.en, text.en).not.toMatch(ARABIC);
      }
      for (const task of playbook.tasks) {
        expect(task.description.cs, task.key).not.toBe(task.description.en);
        expect(task.description.cs, task.key).toMatch(CZECH);
        expect(task.title.cs, task.key).not.toBe(task.title.en);
      }
    },
  );

  it.each(PLAYBOOK_LIST.map((p) => [p.type, p] as const))(
    '%s has unique keys, known owners and phases, and fits the plan editor’s limits',
    (_type, playbook) => {
      const keys = playbook.tasks.map((t) => t.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const task of playbook.tasks) {
        expect(task.key).toMatch(new RegExp(TASK_KEY_PATTERN));
        expect(OWNER_ROLES).toContain(task.owner);
        expect(PHASES).toContain(task.phase);
        expect(task.dueAfterMinutes).toBeGreaterThan(0);
        for (const locale of LOCALES) {
          expect(task.title[locale].length).toBeLessThanOrEqual(300);
          expect(task.description[locale].length).toBeLessThanOrEqual(5000);
        }
      }
      expect(playbook.tasks.map((t) => t.dueAfterMinutes)).toEqual(
        [...playbook.tasks.map((t) => t.dueAfterMinutes)].sort((a, b) => a - b),
      );
    },
  );

  it('ransomware runs every malware task and adds its own', () => {
    const ransomware = PLAYBOOKS.ransomware.tasks.map((t) => t.key);
    for (const task of PLAYBOOKS.malware.tasks) expect(ransomware).toContain(task.key);
    const own = ransomware.filter((k) => !PLAYBOOKS.malware.tasks.some((t) => t.key === k));
    expect(own.length).toBeGreaterThanOrEqual(5);
    expect(own.every((k) => k.startsWith('rw-'))).toBe(true);
    expect(PLAYBOOKS.ransomware.extends).toBe('malware');
  });

  it.each(INCIDENT_TYPES)(
    'the %s playbook makes none of the mistakes the plan check looks for in a plan itself',
    (type) => {
      const flags = checkPlan({
        type,
        tasks: PLAYBOOKS[type].tasks.map((t) => ({
          key: t.key,
          owner: t.owner,
          kind: t.kind ?? null,
          dueAfterMinutes: t.dueAfterMinutes,
          clock: t.clock ?? null,
        })),
        contactCount: 1,
        lastExercisedAt: new Date(),
        undueDelayTargetHours: 72,
        now: new Date(),
      });
      expect(flags).toEqual([]);
    },
  );

  it('the data-breach playbook notifies the authority and sends the NIS2 early warning half a day before their clocks', () => {
    const notify = PLAYBOOKS.data_breach.tasks.filter((t) => t.kind === 'regulator_notification');
    expect(notify.map((t) => [t.key, t.dueAfterMinutes, t.clock])).toEqual([
      ['db-early-warning', 12 * 60, 'nis2_early_warning'],
      ['db-authority', 60 * 60, 'gdpr_33_authority'],
    ]);
    expect(notify.every((t) => t.owner === 'legal_lead')).toBe(true);
  });
});
