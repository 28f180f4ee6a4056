import { useState } from 'react';
import { get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT, type Locale } from '../i18n';
import { INCIDENT_TYPES, type IncidentType } from '../incidents/model';
import { Instant } from '../incidents/fields';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import {
  OWNER_ROLES,
  PHASES,
  TASK_KINDS,
  type OwnerRole,
  type Phase,
  type PlanTask,
  type TaskKind,
} from './model';

interface PlanSummary {
  id: string;
  type: IncidentType;
  current: { version: number; name: string; taskCount: number; createdAt: string };
}

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

interface Playbook {
  type: IncidentType;
  name: string;
  summary: string;
  tasks: PlanTask[];
}

interface Check {
  ok: boolean;
  lastExercisedAt: string | null;
  flags: { code: string; taskKey: string | null; message: string }[];
}

export function PlansPage() {
  const t = useT();
  const plans = useLoad(() => get<PlanSummary[]>('/api/plans'));
  const [type, setType] = useState<IncidentType>('data_breach');
  const plan = plans.data?.find((p) => p.type === type);

  return (
    <>
      <PageHeader heading="app.plans.title" intro={<T id="app.plans.intro" />} />
      <Section title={<T id="app.plans.list" />}>
        <ErrorNotice error={plans.error} />
        {!plans.data ? (
          <Loading />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="plan-list">
              <thead>
                <tr>
                  <th scope="col">
                    <T id="app.incident.type" />
                  </th>
                  <th scope="col">
                    <T id="app.plans.plan" />
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">
                      <T id="app.plans.open" />
                    </span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {INCIDENT_TYPES.map((value) => {
                  const own = plans.data?.find((p) => p.type === value);
                  return (
                    <tr key={value} aria-current={value === type ? 'true' : undefined}>
                      <td>
                        <T id={`incident.type.${value}`} />
                      </td>
                      <td>
                        {own ? (
                          <>
                            {own.current.name}
                            {' · '}
                            <T id="plan.source.organization" values={{ version: own.current.version }} />
                          </>
                        ) : (
                          <T id="plan.source.builtin" />
                        )}
                      </td>
                      <td>
                        <Button
                          variant={value === type ? 'primary' : 'secondary'}
                          onClick={() => setType(value)}
                          aria-label={t('app.plans.openType', { type: t(`incident.type.${value}`) })}
                        >
                          <T id="app.plans.open" />
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {plans.data &&
        (plan ? (
          <PlanEditor key={plan.id} planId={plan.id} onSaved={() => void plans.reload()} />
        ) : (
          <PlaybookView key={type} type={type} onCopied={() => void plans.reload()} />
        ))}
    </>
  );
}

function CheckResult({ check }: { check: Check | undefined }) {
  if (!check) return null;
  return (
    <div data-testid="plan-check">
      {check.ok ? (
        <Notice tone="success">
          <p className="notice-title">
            <T id="plan.check.ok" />
          </p>
        </Notice>
      ) : (
        <Notice tone="warning">
          <p className="notice-title">
            <T id="app.plans.check.flags" values={{ count: check.flags.length }} />
          </p>
          <ul className="check-list">
            {check.flags.map((flag, index) => (
              <li key={`${flag.code}-${index}`} className="check-item" data-code={flag.code}>
                {flag.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}
      <p className="muted">
        {check.lastExercisedAt ? (
          <T id="app.plans.lastExercised" values={{ time: <Instant value={check.lastExercisedAt} /> }} />
        ) : (
          <T id="app.plans.neverExercised" />
        )}
      </p>
    </div>
  );
}

function PlaybookView({ type, onCopied }: { type: IncidentType; onCopied(): void }) {
  const { session } = useSession();
  const { locale: viewerLocale } = useLocale();
  const playbook = useLoad(() => get<Playbook>(`/api/playbooks/${type}`), type);
  const check = useLoad(() => get<Check>(`/api/playbooks/${type}/check`), type);
  const [locale, setLocale] = useState<Locale>(viewerLocale);
  const copy = useAction();
  const t = useT();

  async function copyNow() {
    const done = await copy.run(() => post('/api/plans', { type, locale }));
    if (done !== undefined) onCopied();
  }

  return (
    <Section title={playbook.data?.name ?? <T id={`incident.type.${type}`} />} intro={playbook.data?.summary}>
      <Badge>
        <T id="plan.source.builtin" />
      </Badge>
      <CheckResult check={check.data} />
      <ErrorNotice error={playbook.error ?? check.error} />
      {may(session, 'managePlans') && (
        <Form onSubmit={copyNow} className="inline-form">
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.plans.copyLanguage" />}
              value={locale}
              onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)}
            >
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {t(LANGUAGE_NAMES[code])}
                </option>
              ))}
            </SelectField>
            <Button type="submit" variant="primary" pending={copy.pending}>
              <T id="app.plans.copy" />
            </Button>
          </div>
          <ErrorNotice error={copy.error} />
        </Form>
      )}
      {playbook.data ? <TaskTable tasks={playbook.data.tasks} /> : <Loading />}
    </Section>
  );
}

function useFormatOffset() {
  const t = useT();
  return (minutes: number) =>
    minutes % 1440 === 0 && minutes > 0
      ? t('app.count.days', { count: minutes / 1440 })
      : minutes % 60 === 0
        ? t('app.plans.hours', { count: minutes / 60 })
        : t('app.plans.minutes', { count: minutes });
}

function TaskTable({ tasks }: { tasks: PlanTask[] }) {
  const formatOffset = useFormatOffset();
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">
              <T id="app.plans.task" />
            </th>
            <th scope="col">
              <T id="app.plans.phase" />
            </th>
            <th scope="col">
              <T id="app.plans.owner" />
            </th>
            <th scope="col">
              <T id="app.plans.dueAfter" />
            </th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.key}>
              <td>
                <span className="person-name">
                  {task.title}
                  {task.kind && (
                    <Badge>
                      <T id={`plan.kind.${task.kind}`} />
                    </Badge>
                  )}
                </span>
                <span className="muted">{task.description}</span>
              </td>
              <td>
                <T id={`plan.phase.${task.phase}`} />
              </td>
              <td>{task.owner ? <T id={`plan.owner.${task.owner}`} /> : <T id="plan.owner.none" />}</td>
              <td className="nowrap">{formatOffset(task.dueAfterMinutes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Draft {
  name: string;
  locale: Locale;
  note: string;
  tasks: PlanTask[];
}

function PlanEditor({ planId, onSaved }: { planId: string; onSaved(): void }) {
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
      title={current.name}
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
        <TaskTable tasks={current.tasks} />
      ) : (
        <Form onSubmit={submit}>
          <div className="grid">
            <TextField
              label={<T id="app.plans.name" />}
              required
              maxLength={200}
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
                value={task.title}
                onChange={(event) => setTask(index, { ...task, title: event.target.value })}
              />
              <TextAreaField
                label={<T id="app.plans.description" />}
                rows={2}
                maxLength={5000}
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
                  label={<T id="app.plans.dueAfterHours" />}
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
