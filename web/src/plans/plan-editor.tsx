import { useState } from 'react';
import { get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useT, type Locale } from '../i18n';
import type { IncidentType } from '../incidents/model';
import { Instant } from '../incidents/fields';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import {
  CLOCK_RULES,
  OWNER_ROLES,
  PHASES,
  TASK_KINDS,
  type ClockRule,
  type OwnerRole,
  type Phase,
  type PlanTask,
  type TaskKind,
} from './model';
import { CheckResult, type Check } from './plan-check-result';
import { TaskTable } from './plan-task-table';

interface VersionView {
  id: string;
  version: number;
  name: string;
  locale: Locale;
  note: string;
  taskCount: number;
  createdBy: { id: string; displayName: string | null } | null;
  createdAt: string;
  tasks: PlanTask[];
}

interface PlanView {
  id: string;
  type: IncidentType;
  current: VersionView;
}

interface Draft {
  name: string;
  locale: Locale;
  note: string;
  tasks: PlanTask[];
}

/** The organization's own plan for a type: its tasks, edited and saved as a new version, and its versions. */
export function PlanEditor({ planId, onSaved }: { planId: string; onSaved(): void }) {
  const t = useT();
  const { session } = useSession();
  const plan = useLoad(() => get<PlanView>(`/api/plans/${planId}`), planId);
  const [checkKey, setCheckKey] = useState(0);
  const check = useLoad(() => get<Check>(`/api/plans/${planId}/check`), `${planId}:${checkKey}`);
  const versions = useLoad(
    () => get<VersionView[]>(`/api/plans/${planId}/versions`),
    `${planId}:${checkKey}`,
  );
  const [draft, setDraft] = useState<Draft>();
  const save = useAction();
  const manage = may(session, 'managePlans');

  if (!plan.data) return plan.error ? <ErrorNotice error={plan.error} /> : <Loading />;
  const current = plan.data.current;

  const edit = () =>
    setDraft({
      name: current.name,
      locale: current.locale,
      note: '',
      tasks: current.tasks.map((task) => ({ ...task })),
    });
  const setTask = (index: number, task: PlanTask) =>
    draft && setDraft({ ...draft, tasks: draft.tasks.map((x, i) => (i === index ? task : x)) });
  const move = (index: number, by: number) => {
    if (!draft) return;
    const tasks = [...draft.tasks];
    const [item] = tasks.splice(index, 1);
    tasks.splice(Math.max(0, Math.min(tasks.length, index + by)), 0, item!);
    setDraft({ ...draft, tasks });
  };

  async function submit() {
    if (!draft) return;
    const saved = await save.run(() =>
      post<VersionView>(`/api/plans/${planId}/versions`, {
        baseVersion: current.version,
        name: draft.name.trim(),
        locale: draft.locale,
        note: draft.note.trim(),
        tasks: draft.tasks.map((task) => ({
          ...(task.key ? { key: task.key } : {}),
          title: task.title.trim(),
          description: task.description,
          phase: task.phase,
          owner: task.owner,
          dueAfterMinutes: task.dueAfterMinutes,
          kind: task.kind,
          clock: task.clock,
        })),
      }),
    );
    if (saved) {
      setDraft(undefined);
      await plan.reload();
      setCheckKey((k) => k + 1);
      onSaved();
    }
  }

  return (
    <Section
      title={
        <span lang={current.locale} dir={current.locale === 'ar' ? 'rtl' : 'ltr'}>
          {current.name}
        </span>
      }
      intro={
        <>
          <T id={`incident.type.${plan.data.type}`} />
          {' · '}
          <T id="plan.source.organization" values={{ version: current.version }} />
          {' · '}
          {t(LANGUAGE_NAMES[current.locale])}
        </>
      }
      actions={
        manage &&
        !draft && (
          <Button variant="primary" onClick={edit}>
            <T id="app.plans.edit" />
          </Button>
        )
      }
    >
      <CheckResult check={check.data} />
      <ErrorNotice error={check.error} />
      {!draft ? (
        <TaskTable tasks={current.tasks} locale={current.locale} />
      ) : (
        <Form onSubmit={submit}>
          <div className="grid">
            <TextField
              label={<T id="app.plans.name" />}
              required
              maxLength={200}
              lang={draft.locale}
              dir={draft.locale === 'ar' ? 'rtl' : 'ltr'}
              value={draft.name}
              onChange={(event) => setDraft({ ...draft, name: event.target.value })}
            />
            <SelectField
              label={<T id="app.plans.language" />}
              value={draft.locale}
              onChange={(event) =>
                isLocale(event.target.value) && setDraft({ ...draft, locale: event.target.value })
              }
            >
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {t(LANGUAGE_NAMES[code])}
                </option>
              ))}
            </SelectField>
          </div>
          {draft.tasks.map((task, index) => (
            <fieldset className="fieldset plan-task" key={index} data-testid="plan-task-editor">
              <legend>
                <T id="app.plans.taskNumber" values={{ number: index + 1 }} />
              </legend>
              <TextField
                label={<T id="app.plans.taskTitle" />}
                required
                maxLength={300}
                lang={draft.locale}
                dir={draft.locale === 'ar' ? 'rtl' : 'ltr'}
                value={task.title}
                onChange={(event) => setTask(index, { ...task, title: event.target.value })}
              />
              <TextAreaField
                label={<T id="app.plans.description" />}
                rows={2}
                maxLength={5000}
                lang={draft.locale}
                dir={draft.locale === 'ar' ? 'rtl' : 'ltr'}
                value={task.description}
                onChange={(event) => setTask(index, { ...task, description: event.target.value })}
              />
              <div className="jurisdiction-row">
                <SelectField
                  label={<T id="app.plans.phase" />}
                  value={task.phase}
                  onChange={(event) => setTask(index, { ...task, phase: event.target.value as Phase })}
                >
                  {PHASES.map((phase) => (
                    <option key={phase} value={phase}>
                      {t(`plan.phase.${phase}`)}
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label={<T id="app.plans.owner" />}
                  value={task.owner ?? ''}
                  onChange={(event) =>
                    setTask(index, { ...task, owner: (event.target.value || null) as OwnerRole | null })
                  }
                >
                  <option value="">{t('plan.owner.none')}</option>
                  {OWNER_ROLES.map((owner) => (
                    <option key={owner} value={owner}>
                      {t(`plan.owner.${owner}`)}
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label={<T id="app.plans.kind" />}
                  value={task.kind ?? ''}
                  onChange={(event) =>
                    setTask(index, { ...task, kind: (event.target.value || null) as TaskKind | null })
                  }
                >
                  <option value="">{t('app.plans.kind.none')}</option>
                  {TASK_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {t(`plan.kind.${kind}`)}
                    </option>
                  ))}
                </SelectField>
                <TextField
                  label={<T id="app.plans.dueAfterAwarenessHours" />}
                  type="number"
                  min={0}
                  max={8784}
                  step={0.25}
                  required
                  value={String(task.dueAfterMinutes / 60)}
                  onChange={(event) =>
                    setTask(index, { ...task, dueAfterMinutes: Math.round(Number(event.target.value) * 60) })
                  }
                />
              </div>
              <SelectField
                label={<T id="app.plans.clock" />}
                hint={<T id="app.plans.clock.hint" />}
                value={task.clock ?? ''}
                onChange={(event) =>
                  setTask(index, { ...task, clock: (event.target.value || null) as ClockRule | null })
                }
              >
                <option value="">{t('app.plans.clock.none')}</option>
                {CLOCK_RULES.map((rule) => (
                  <option key={rule} value={rule}>
                    {t(`deadline.rule.${rule}`)}
                  </option>
                ))}
              </SelectField>
              <div className="row">
                <Button variant="ghost" disabled={index === 0} onClick={() => move(index, -1)}>
                  <T id="app.plans.moveUp" />
                </Button>
                <Button
                  variant="ghost"
                  disabled={index === draft.tasks.length - 1}
                  onClick={() => move(index, 1)}
                >
                  <T id="app.plans.moveDown" />
                </Button>
                <Button
                  variant="ghost"
                  onClick={() => setDraft({ ...draft, tasks: draft.tasks.filter((_, i) => i !== index) })}
                >
                  <T id="app.action.remove" />
                </Button>
              </div>
            </fieldset>
          ))}
          <div>
            <Button
              onClick={() =>
                setDraft({
                  ...draft,
                  tasks: [
                    ...draft.tasks,
                    {
                      key: '',
                      title: '',
                      description: '',
                      phase: 'containment',
                      owner: null,
                      dueAfterMinutes: 240,
                      kind: null,
                      clock: null,
                    },
                  ],
                })
              }
            >
              <T id="app.plans.addTask" />
            </Button>
          </div>
          <TextAreaField
            label={<T id="app.plans.note" />}
            hint={<T id="app.plans.note.hint" />}
            rows={2}
            maxLength={2000}
            value={draft.note}
            onChange={(event) => setDraft({ ...draft, note: event.target.value })}
          />
          <ErrorNotice error={save.error} />
          <div className="row">
            <Button type="submit" variant="primary" pending={save.pending}>
              <T id="app.plans.saveVersion" />
            </Button>
            <Button variant="ghost" onClick={() => setDraft(undefined)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
        </Form>
      )}
      <h3 className="versions-heading">
        <T id="app.plans.versions" />
      </h3>
      <ul className="list" data-testid="plan-versions">
        {(versions.data ?? []).map((v) => (
          <li key={v.id} className="list-item">
            <div className="list-main">
              <span className="person-name">
                <T id="app.reports.version" values={{ number: v.version }} />
                {' · '}
                {v.name}
              </span>
              <span className="muted">
                <Instant value={v.createdAt} />
                {v.createdBy?.displayName && (
                  <>
                    {' · '}
                    {v.createdBy.displayName}
                  </>
                )}
                {' · '}
                <T id="app.plans.taskCount" values={{ count: v.taskCount }} />
              </span>
              {v.note && <span className="muted prose">{v.note}</span>}
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
