import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { get, post, put } from '../api';
import { T, isMessageId, useFormatInstant, useRegionName, useT } from '../i18n';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { ExerciseBadge } from './badges';
import { toInstant, toLocalInput, type IncidentView } from './model';

type ClockState = 'waiting' | 'open' | 'met' | 'missed' | 'not_applicable';

export interface Clock {
  id: string;
  ruleId: string;
  regime: string;
  citation: string;
  jurisdiction: string;
  timeZone: string;
  isExercise: boolean;
  titleKey: string;
  notifierKey: string;
  recipientKey: string;
  contentKeys: string[];
  startMoment: string | null;
  startsAfterRule: string | null;
  startsAt: string | null;
  dueAt: string | null;
  timeLeftSeconds: number | null;
  state: ClockState;
  reasonKey: string | null;
  waivedReason: string | null;
  noteKeys: string[];
  uncertain: boolean;
  filing: {
    filedAt: string;
    reference: string | null;
    text: string | null;
    document: { name: string; contentType: string; size: number; sha256: string } | null;
  } | null;
}

interface Assessment {
  riskLevel: 'unlikely' | 'risk' | 'high' | null;
  significant: boolean | null;
}

const STATE_TONE: Record<ClockState, 'info' | 'success' | 'danger' | 'neutral' | 'warning'> = {
  waiting: 'neutral',
  open: 'info',
  met: 'success',
  missed: 'danger',
  not_applicable: 'neutral',
};

const ORDER: Record<ClockState, number> = { missed: 0, open: 1, waiting: 2, met: 3, not_applicable: 4 };

/** A catalog text named by the server, or what the server said when the catalog has none. */
function useKeyed() {
  const t = useT();
  return (key: string | null | undefined, fallback = '') => (key && isMessageId(key) ? t(key) : fallback);
}

/** The legal clocks the incident started, each with a countdown, in the viewer's and the jurisdiction's zones. */
export function ClocksSection({
  incident,
  version,
  onChanged,
}: {
  incident: IncidentView;
  version: number;
  onChanged(): void;
}) {
  const { session } = useSession();
  const clocks = useLoad(async () => {
    const list = await get<{ now: string; clocks: Clock[] }>(`/api/incidents/${incident.id}/clocks`);
    // The server's clock decides; the countdown runs on from its "now".
    return { ...list, skew: new Date(list.now).getTime() - Date.now() };
  }, `${incident.id}:${version}`);
  const now = useNow(clocks.data?.skew ?? 0);

  const sorted = [...(clocks.data?.clocks ?? [])].sort(
    (a, b) =>
      ORDER[a.state] - ORDER[b.state] ||
      (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9') ||
      a.ruleId.localeCompare(b.ruleId),
  );

  return (
    <Section title={<T id="app.clocks.title" />} intro={<T id="app.clocks.intro" />}>
      {may(session, 'editReports') && (
        <AssessmentForm incidentId={incident.id} onSaved={() => void clocks.reload().then(onChanged)} />
      )}
      <ErrorNotice error={clocks.error} />
      {clocks.loading && !clocks.data ? (
        <Loading />
      ) : sorted.length === 0 ? (
        <p className="empty">
          <T id="app.clocks.none" />
        </p>
      ) : (
        <div className="clocks" data-testid="clocks">
          {sorted.map((clock) => (
            <ClockCard
              key={clock.id}
              clock={clock}
              now={now}
              incidentId={incident.id}
              onChanged={() => void clocks.reload().then(onChanged)}
            />
          ))}
        </div>
      )}
    </Section>
  );
}

/** The current time (corrected by the server's skew), ticking every second. */
function useNow(skew: number): number {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setTick(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return tick + skew;
}

/** "2 days 4 hr 5 min" in the interface language, by the browser's own unit names. */
function useFormatDuration() {
  const intl = useIntl();
  return (seconds: number) => {
    const total = Math.abs(seconds);
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = Math.floor(total % 60);
    const unit = (value: number, name: string) =>
      intl.formatNumber(value, { style: 'unit', unit: name, unitDisplay: 'short' });
    const parts =
      days > 0 ? [unit(days, 'day'), unit(hours, 'hour')] : [unit(hours, 'hour'), unit(minutes, 'minute')];
    if (days === 0 && hours === 0) parts.push(unit(secs, 'second'));
    return intl.formatList(parts, { type: 'unit', style: 'narrow' });
  };
}

function ClockCard({
  clock,
  now,
  incidentId,
  onChanged,
}: {
  clock: Clock;
  now: number;
  incidentId: string;
  onChanged(): void;
}) {
  const t = useT();
  const keyed = useKeyed();
  const { session } = useSession();
  const formatInstant = useFormatInstant();
  const formatDuration = useFormatDuration();
  const regionName = useRegionName();
  const [action, setAction] = useState<'file' | 'waive'>();

  const due = clock.dueAt ? new Date(clock.dueAt).getTime() : null;
  const start = clock.startsAt ? new Date(clock.startsAt).getTime() : null;
  const running = clock.state === 'open' || clock.state === 'missed';
  const left = running && due !== null ? Math.round((due - now) / 1000) : null;
  // The share of the time still left: full when the clock starts, empty when it runs out.
  const share =
    clock.state === 'met'
      ? 1
      : running && due !== null && start !== null && due > start
        ? Math.min(1, Math.max(0, (due - now) / (due - start)))
        : 0;
  const urgent = clock.state === 'open' && share < 0.25;
  const state: ClockState = clock.state === 'open' && left !== null && left <= 0 ? 'missed' : clock.state;
  const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const title = keyed(clock.titleKey, `${clock.regime} ${clock.citation}`);

  return (
    <article
      className={`clock clock-${state}${urgent ? ' clock-urgent' : ''}`}
      data-testid={`clock-${clock.ruleId}`}
      aria-label={title}
    >
      <header className="clock-head">
        <span className="clock-title">{title}</span>
        <span className="tags">
          {clock.isExercise && <ExerciseBadge />}
          <Badge tone={STATE_TONE[state]}>
            <T id={`app.clocks.state.${state}`} />
          </Badge>
        </span>
      </header>
      <p className="muted">
        {clock.citation}
        {' · '}
        {clock.jurisdiction === 'EU' ? <T id="app.clocks.eu" /> : regionName(clock.jurisdiction)}
      </p>
      {running && left !== null && (
        <p className="clock-left" role="timer" aria-live="off">
          {left >= 0 ? (
            <T id="app.clocks.left" values={{ time: formatDuration(left) }} />
          ) : (
            <T id="app.clocks.overdue" values={{ time: formatDuration(left) }} />
          )}
        </p>
      )}
      <svg
        className="countdown"
        viewBox="0 0 100 4"
        preserveAspectRatio="none"
        role="img"
        aria-label={t('app.clocks.share', { percent: Math.round(share * 100) })}
      >
        <rect className="countdown-track" x="0" y="0" width="100" height="4" rx="2" />
        <rect className="countdown-fill" x="0" y="0" width={(share * 100).toFixed(2)} height="4" rx="2" />
      </svg>
      <dl>
        {clock.dueAt && (
          <>
            <div>
              <dt>
                <T id="app.clocks.due" />
              </dt>
              <dd>
                <time dateTime={clock.dueAt} data-testid="due-viewer">
                  {formatInstant(clock.dueAt)}
                </time>
              </dd>
            </div>
            {clock.timeZone !== viewerZone && (
              <div>
                <dt>
                  <T id="app.clocks.dueLocal" values={{ zone: clock.timeZone }} />
                </dt>
                <dd>
                  <time dateTime={clock.dueAt}>{formatInstant(clock.dueAt, clock.timeZone)}</time>
                </dd>
              </div>
            )}
          </>
        )}
        <div>
          <dt>
            <T id="app.clocks.starts" />
          </dt>
          <dd>
            {clock.startsAt ? (
              formatInstant(clock.startsAt)
            ) : clock.startMoment && isMessageId(`incident.moment.${clock.startMoment}`) ? (
              <T
                id="app.clocks.waitingFor"
                values={{ moment: keyed(`incident.moment.${clock.startMoment}`, clock.startMoment) }}
              />
            ) : (
              <T id="app.clocks.waitingForFiling" />
            )}
          </dd>
        </div>
        <div>
          <dt>
            <T id="app.clocks.who" />
          </dt>
          <dd>
            <T
              id="app.clocks.notifies"
              values={{
                notifier: keyed(clock.notifierKey, clock.notifierKey),
                recipient: keyed(clock.recipientKey, clock.recipientKey),
              }}
            />
          </dd>
        </div>
      </dl>
      {clock.state === 'not_applicable' && (
        <p data-testid="clock-reason">
          <T
            id="app.clocks.reason"
            values={{ reason: clock.waivedReason ?? keyed(clock.reasonKey, clock.reasonKey ?? '') }}
          />
        </p>
      )}
      {clock.noteKeys.length > 0 && (
        <ul className="plain-list muted">
          {clock.noteKeys.map((key) => (
            <li key={key}>{keyed(key, key)}</li>
          ))}
        </ul>
      )}
      {clock.uncertain && (
        <p className="muted">
          <T id="app.clocks.uncertain" />
        </p>
      )}
      {clock.filing && (
        <div className="notice notice-success">
          <p className="notice-title">
            <T id="app.clocks.filedAt" values={{ time: formatInstant(clock.filing.filedAt) }} />
          </p>
          {clock.filing.reference && (
            <p>
              <T id="app.clocks.reference" values={{ reference: clock.filing.reference }} />
            </p>
          )}
          {clock.filing.text && <p className="prose">{clock.filing.text}</p>}
          {clock.filing.document && (
            <a href={`/api/incidents/${incidentId}/clocks/${clock.id}/document`} download>
              {clock.filing.document.name}
            </a>
          )}
        </div>
      )}
      {(clock.state === 'open' || clock.state === 'missed' || clock.state === 'waiting') && !action && (
        <div className="row no-print">
          {may(session, 'fileReports') && (
            <Button onClick={() => setAction('file')}>
              <T id="app.clocks.markFiled" />
            </Button>
          )}
          {may(session, 'editReports') && (
            <Button variant="ghost" onClick={() => setAction('waive')}>
              <T id="app.clocks.markNotApplicable" />
            </Button>
          )}
        </div>
      )}
      {action === 'file' && (
        <FileForm
          incidentId={incidentId}
          clock={clock}
          onDone={() => {
            setAction(undefined);
            onChanged();
          }}
          onCancel={() => setAction(undefined)}
        />
      )}
      {action === 'waive' && (
        <WaiveForm
          incidentId={incidentId}
          clock={clock}
          onDone={() => {
            setAction(undefined);
            onChanged();
          }}
          onCancel={() => setAction(undefined)}
        />
      )}
    </article>
  );
}

function FileForm({
  incidentId,
  clock,
  onDone,
  onCancel,
}: {
  incidentId: string;
  clock: Clock;
  onDone(): void;
  onCancel(): void;
}) {
  const [reference, setReference] = useState('');
  const [filedAt, setFiledAt] = useState(() => toLocalInput(new Date().toISOString()));
  const [text, setText] = useState('');
  const { run, pending, error } = useAction();
  async function submit() {
    const done = await run(() =>
      post<Clock>(`/api/incidents/${incidentId}/clocks/${clock.id}/filed`, {
        reference: reference.trim(),
        ...(text.trim() ? { text: text.trim() } : {}),
        ...(toInstant(filedAt) ? { filedAt: toInstant(filedAt) } : {}),
      }),
    );
    if (done) onDone();
  }
  return (
    <Form onSubmit={submit}>
      <TextField
        label={<T id="app.clocks.file.reference" />}
        hint={<T id="app.clocks.file.reference.hint" />}
        required
        maxLength={500}
        value={reference}
        onChange={(event) => setReference(event.target.value)}
      />
      <TextField
        label={<T id="app.clocks.file.when" />}
        type="datetime-local"
        required
        value={filedAt}
        onChange={(event) => setFiledAt(event.target.value)}
      />
      <TextAreaField
        label={<T id="app.clocks.file.text" />}
        rows={2}
        maxLength={20000}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.clocks.markFiled" />
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}

function WaiveForm({
  incidentId,
  clock,
  onDone,
  onCancel,
}: {
  incidentId: string;
  clock: Clock;
  onDone(): void;
  onCancel(): void;
}) {
  const [reason, setReason] = useState('');
  const { run, pending, error } = useAction();
  async function submit() {
    const done = await run(() =>
      post<Clock>(`/api/incidents/${incidentId}/clocks/${clock.id}/not-applicable`, {
        reason: reason.trim(),
      }),
    );
    if (done) onDone();
  }
  return (
    <Form onSubmit={submit}>
      <TextAreaField
        label={<T id="app.clocks.waive.reason" />}
        required
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.clocks.markNotApplicable" />
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}

/** The risk assessment and NIS2 significance that decide whether some clocks apply. */
function AssessmentForm({ incidentId, onSaved }: { incidentId: string; onSaved(): void }) {
  const t = useT();
  const current = useLoad(() => get<Assessment>(`/api/incidents/${incidentId}/assessment`), incidentId);
  const [edited, setEdited] = useState<Assessment>();
  const form = edited ?? current.data;
  const { run, pending, error } = useAction();
  if (!form) return <ErrorNotice error={current.error} />;
  async function submit() {
    if (!form) return;
    const done = await run(() => put(`/api/incidents/${incidentId}/assessment`, form));
    if (done !== undefined) {
      setEdited(undefined);
      await current.reload();
      onSaved();
    }
  }
  const dirty = edited !== undefined;
  return (
    <Form onSubmit={submit} className="inline-form">
      <div className="jurisdiction-row">
        <SelectField
          label={<T id="app.clocks.risk" />}
          value={form.riskLevel ?? ''}
          onChange={(event) =>
            setEdited({ ...form, riskLevel: (event.target.value || null) as Assessment['riskLevel'] })
          }
        >
          <option value="">{t('app.clocks.notAssessed')}</option>
          <option value="unlikely">{t('app.clocks.risk.unlikely')}</option>
          <option value="risk">{t('app.clocks.risk.risk')}</option>
          <option value="high">{t('app.clocks.risk.high')}</option>
        </SelectField>
        <SelectField
          label={<T id="app.clocks.significant" />}
          value={form.significant === null ? '' : String(form.significant)}
          onChange={(event) =>
            setEdited({
              ...form,
              significant: event.target.value === '' ? null : event.target.value === 'true',
            })
          }
        >
          <option value="">{t('app.clocks.notAssessed')}</option>
          <option value="true">{t('report.choice.yes')}</option>
          <option value="false">{t('report.choice.no')}</option>
        </SelectField>
        <Button type="submit" pending={pending} disabled={!dirty}>
          <T id="app.clocks.assess" />
        </Button>
      </div>
      <ErrorNotice error={error} />
    </Form>
  );
}
