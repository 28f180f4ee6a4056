import { useState } from 'react';
import { useIntl } from 'react-intl';
import { T, isMessageId, useFormatInstant, useRegionName, useT, Time, useTimeZone, ZoneName } from '../i18n';
import { may, useSession } from '../session';
import { Badge } from '../ui/feedback';
import { Button } from '../ui/form';
import { ExerciseBadge } from './badges';
import { FileForm, WaiveForm } from './clock-forms';
import type { Clock, ClockState } from './clocks-shared';

const STATE_TONE: Record<ClockState, 'info' | 'success' | 'danger' | 'neutral' | 'warning'> = {
  waiting: 'neutral',
  open: 'info',
  met: 'success',
  missed: 'danger',
  not_applicable: 'neutral',
};

/** A catalog text named by the server, or what the server said when the catalog has none. */
export function useKeyed() {
  const t = useT();
  return (key: string | null | undefined, fallback = '') => (key && isMessageId(key) ? t(key) : fallback);
}

/** "2 days 4 hr 5 min" in the interface language, by the browser's own unit names. */
export function useFormatDuration() {
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

/** One clock: its countdown, due time in both zones, what starts it, who notifies whom, and its filing. */
export function ClockCard({
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
  const viewerZone = useTimeZone();
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
                  <T id="app.clocks.dueLocal" values={{ zone: <ZoneName zone={clock.timeZone} /> }} />
                </dt>
                <dd>
                  <Time value={clock.dueAt} timeZone={clock.timeZone} />
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
            <T id="app.clocks.filedAt" values={{ time: <Time value={clock.filing.filedAt} /> }} />
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
