import { get, post } from '../api';
import { T, isMessageId, useFormatInstant, useT, Time, useTimeZone } from '../i18n';
import { ExerciseBadge } from '../incidents/badges';
import { Link } from '../router';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { refreshUnreadWarnings, type Warning } from './store';

const TONE: Record<Warning['threshold'], 'info' | 'warning' | 'danger'> = {
  '50': 'info',
  '75': 'warning',
  '90': 'danger',
  missed: 'danger',
};

/** The deadline warnings addressed to the signed-in user, newest first, each marked read on its own. */
export function WarningsPage() {
  const warnings = useLoad(() => get<Warning[]>('/api/me/warnings'));
  const list = warnings.data ?? [];
  const unread = list.filter((w) => !w.readAt);
  const read = list.filter((w) => w.readAt);
  const onRead = (updated: Warning) => {
    warnings.setData((data) => data?.map((w) => (w.id === updated.id ? updated : w)));
    void refreshUnreadWarnings();
  };

  return (
    <>
      <PageHeader heading="app.warnings.title" intro={<T id="app.warnings.intro" />} />
      <ErrorNotice error={warnings.error} />
      {warnings.loading && !warnings.data ? (
        <Loading />
      ) : (
        <>
          <Section title={<T id="app.warnings.unread" values={{ count: unread.length }} />}>
            {unread.length === 0 ? (
              <p className="empty">
                <T id="app.warnings.none" />
              </p>
            ) : (
              <ul className="warnings" data-testid="warnings-unread">
                {unread.map((w) => (
                  <WarningItem key={w.id} warning={w} onRead={onRead} />
                ))}
              </ul>
            )}
          </Section>
          {read.length > 0 && (
            <Section title={<T id="app.warnings.earlier" />}>
              <ul className="warnings" data-testid="warnings-read">
                {read.map((w) => (
                  <WarningItem key={w.id} warning={w} onRead={onRead} />
                ))}
              </ul>
            </Section>
          )}
        </>
      )}
    </>
  );
}

function WarningItem({ warning, onRead }: { warning: Warning; onRead(updated: Warning): void }) {
  const t = useT();
  const formatInstant = useFormatInstant();
  const { run, pending, error } = useAction();
  const title = isMessageId(warning.titleKey) ? t(warning.titleKey) : warning.ruleId;
  const viewerZone = useTimeZone();

  async function markRead() {
    const done = await run(() => post(`/api/me/warnings/${warning.id}/read`).then(() => true));
    if (done) onRead({ ...warning, readAt: new Date().toISOString() });
  }

  return (
    <li
      className={`warning warning-${warning.threshold}${warning.readAt ? ' warning-read' : ''}`}
      data-testid={`warning-${warning.id}`}
      data-threshold={warning.threshold}
      data-rule={warning.ruleId}
    >
      <header className="warning-head">
        <span className="warning-title">{title}</span>
        <span className="tags">
          {warning.isExercise && <ExerciseBadge />}
          <Badge tone={TONE[warning.threshold]}>
            <T id={`app.warnings.threshold.${warning.threshold}`} />
          </Badge>
        </span>
      </header>
      <p>
        <Link to={`/incidents/${warning.incidentId}`} data-testid="warning-incident">
          <T
            id="app.warnings.incident"
            values={{ number: warning.incidentNumber, title: warning.incidentTitle }}
          />
        </Link>
      </p>
      <dl className="warning-facts">
        <div>
          <dt>
            <T id="app.clocks.due" />
          </dt>
          <dd>
            <time dateTime={warning.dueAt} data-testid="warning-due">
              {formatInstant(warning.dueAt)}
            </time>
          </dd>
        </div>
        {warning.timeZone !== viewerZone && (
          <div>
            <dt>
              <T id="app.clocks.dueLocal" values={{ zone: warning.timeZone }} />
            </dt>
            <dd>
              <Time value={warning.dueAt} timeZone={warning.timeZone} />
            </dd>
          </div>
        )}
        <div>
          <dt>
            <T id="app.warnings.raised" />
          </dt>
          <dd>
            <Time value={warning.createdAt} />
          </dd>
        </div>
      </dl>
      <ErrorNotice error={error} />
      {warning.readAt ? (
        <p className="muted">
          <T id="app.warnings.readAt" values={{ time: <Time value={warning.readAt} /> }} />
        </p>
      ) : (
        <div className="row">
          <Button pending={pending} onClick={() => void markRead()}>
            <T id="app.warnings.markRead" />
          </Button>
        </div>
      )}
    </li>
  );
}
