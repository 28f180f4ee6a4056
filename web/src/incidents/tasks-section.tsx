import { useState } from 'react';
import { get, post } from '../api';
import { T, useT } from '../i18n';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import {
  ORG_OWNER_ROLES,
  PHASES,
  type OrgOwnerRole,
  type OwnerRole,
  type Phase,
  type TaskKind,
} from '../plans/model';
import { ExerciseBadge } from './badges';
import { Instant } from './fields';
import type { IncidentView } from './model';
import { loadPeople } from './people';

interface Task {
  id: string;
  key: string;
  title: string;
  description: string;
  locale: string;
  phase: Phase;
  kind: TaskKind | null;
  ownerRole: OwnerRole | null;
  assignee: { id: string; displayName: string | null } | null;
  assigneeRole: OrgOwnerRole | null;
  dueAt: string;
  overdue: boolean;
  status: 'open' | 'done' | 'skipped';
  closedAt: string | null;
  closedBy: { id: string; displayName: string | null } | null;
  skipReason: string | null;
  canWork: boolean;
  isExercise: boolean;
}

interface IncidentTasks {
  isExercise: boolean;
  plan: {
    name: string;
    source: 'builtin' | 'organization';
    playbook: string;
    version: number | null;
    startedAt: string;
  } | null;
  tasks: Task[];
}

/** The incident's response plan: its tasks by phase, each done, reassigned or skipped with a reason. */
export function TasksSection({
  incident,
  version,
  onChanged,
}: {
  incident: IncidentView;
  version: number;
  onChanged(): void;
}) {
  const { session } = useSession();
  const tasks = useLoad(
    () => get<IncidentTasks>(`/api/incidents/${incident.id}/tasks`),
    `${incident.id}:${version}`,
  );
  const start = useAction();
  const data = tasks.data;
  const open = data?.tasks.filter((task) => task.status === 'open').length ?? 0;

  async function startPlan() {
    const done = await start.run(() => post(`/api/incidents/${incident.id}/plan`));
    if (done !== undefined) onChanged();
  }

  return (
    <Section
      title={<T id="app.tasks.title" />}
      intro={
        data?.plan ? (
          <>
            {data.plan.name}
            {' · '}
            {data.plan.source === 'organization' ? (
              <T id="plan.source.organization" values={{ version: data.plan.version ?? 0 }} />
            ) : (
              <T id="plan.source.builtin" />
            )}
            {' · '}
            <T id="app.tasks.open" values={{ count: open, total: data.tasks.length }} />
          </>
        ) : undefined
      }
    >
      <ErrorNotice error={tasks.error} />
      {!data ? (
        tasks.loading && <Loading />
      ) : !data.plan ? (
        <div className="stack">
          <p className="empty">
            <T id="app.tasks.noPlan" />
          </p>
          {may(session, 'manageIncidents') && (
            <div>
              <Button variant="primary" pending={start.pending} onClick={() => void startPlan()}>
                <T id="app.tasks.startPlan" />
              </Button>
            </div>
          )}
          <ErrorNotice error={start.error} />
        </div>
      ) : (
        <div className="stack" data-testid="tasks">
          {PHASES.map((phase) => {
            const inPhase = data.tasks.filter((task) => task.phase === phase);
            if (inPhase.length === 0) return null;
            return (
              <div key={phase}>
                <h3 className="phase-heading">
                  <T id={`plan.phase.${phase}`} />
                </h3>
                <ul className="list">
                  {inPhase.map((task) => (
                    <TaskItem key={task.id} incidentId={incident.id} task={task} onChanged={onChanged} />
                  ))}
                </ul>
              </div>
            );
          })}
        </div>
      )}
    </Section>
  );
}

function TaskItem({ incidentId, task, onChanged }: { incidentId: string; task: Task; onChanged(): void }) {
  const t = useT();
  const { session } = useSession();
  const [mode, setMode] = useState<'reassign' | 'skip'>();
  const [reason, setReason] = useState('');
  const [target, setTarget] = useState('');
  const people = useLoad(() => (mode === 'reassign' ? loadPeople(session) : Promise.resolve([])), mode ?? '');
  const action = useAction();

  async function act(path: 'complete' | 'skip' | 'reassign', body?: unknown) {
    const done = await action.run(() => post(`/api/incidents/${incidentId}/tasks/${task.id}/${path}`, body));
    if (done !== undefined) {
      setMode(undefined);
      setReason('');
      onChanged();
    }
  }

  const owner = task.assignee?.displayName
    ? task.assignee.displayName
    : task.assigneeRole
      ? t(`plan.owner.${task.assigneeRole}`)
      : task.ownerRole
        ? t(`plan.owner.${task.ownerRole}`)
        : t('plan.owner.none');

  return (
    <li className="list-item task" data-testid={`task-${task.key}`} data-status={task.status}>
      <div className="list-main">
        {/* The title stands on its own line, the description below it: they do not run together. */}
        <span className="task-head person-name">
          <strong className="task-title" lang={task.locale} dir="auto">
            {task.title}
          </strong>
          <Badge tone={task.status === 'done' ? 'success' : task.status === 'skipped' ? 'neutral' : 'info'}>
            <T id={`plan.task.status.${task.status}`} />
          </Badge>
          {task.overdue && (
            <Badge tone="danger">
              <T id="plan.task.overdue" />
            </Badge>
          )}
          {task.kind && (
            <Badge>
              <T id={`plan.kind.${task.kind}`} />
            </Badge>
          )}
          {task.isExercise && <ExerciseBadge />}
        </span>
        {task.description && (
          <p className="task-description prose" lang={task.locale} dir="auto">
            {task.description}
          </p>
        )}
        <span className="muted">
          <T id="app.tasks.owner" values={{ owner }} />
          {' · '}
          <T id="app.tasks.due" values={{ due: <Instant value={task.dueAt} /> }} />
          {task.closedAt && (
            <>
              {' · '}
              <T
                id={task.status === 'done' ? 'app.tasks.doneBy' : 'app.tasks.skippedBy'}
                values={{
                  time: <Instant value={task.closedAt} />,
                  name: task.closedBy?.displayName ?? '—',
                }}
              />
            </>
          )}
        </span>
        {task.skipReason && (
          <span className="muted prose">
            <T id="app.tasks.skipReason" values={{ reason: task.skipReason }} />
          </span>
        )}
      </div>
      {task.canWork && !mode && (
        <div className="row-actions">
          <Button variant="primary" pending={action.pending} onClick={() => void act('complete')}>
            <T id="plan.task.complete" />
          </Button>
          <Button onClick={() => setMode('reassign')}>
            <T id="plan.task.reassign" />
          </Button>
          <Button variant="ghost" onClick={() => setMode('skip')}>
            <T id="plan.task.skip" />
          </Button>
        </div>
      )}
      {mode === 'skip' && (
        <Form onSubmit={() => act('skip', { reason: reason.trim() })} className="inline-form">
          <TextAreaField
            label={<T id="plan.task.skipReason" />}
            required
            rows={2}
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <div className="row">
            <Button type="submit" variant="primary" pending={action.pending}>
              <T id="plan.task.skip" />
            </Button>
            <Button variant="ghost" onClick={() => setMode(undefined)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
        </Form>
      )}
      {mode === 'reassign' && (
        <Form
          onSubmit={() => {
            const value = target || `role:${ORG_OWNER_ROLES[0]}`;
            return act(
              'reassign',
              value.startsWith('role:') ? { role: value.slice(5) } : { userId: value.slice(5) },
            );
          }}
          className="inline-form"
        >
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.tasks.reassignTo" />}
              value={target}
              onChange={(event) => setTarget(event.target.value)}
            >
              <optgroup label={t('app.tasks.roles')}>
                {ORG_OWNER_ROLES.map((role) => (
                  <option key={role} value={`role:${role}`}>
                    {t(`plan.owner.${role}`)}
                  </option>
                ))}
              </optgroup>
              {!!people.data?.length && (
                <optgroup label={t('app.tasks.people')}>
                  {people.data.map((person) => (
                    <option key={person.id} value={`user:${person.id}`}>
                      {person.displayName}
                    </option>
                  ))}
                </optgroup>
              )}
            </SelectField>
            <Button type="submit" variant="primary" pending={action.pending}>
              <T id="plan.task.reassign" />
            </Button>
            <Button variant="ghost" onClick={() => setMode(undefined)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
        </Form>
      )}
      <ErrorNotice error={action.error} />
    </li>
  );
}
