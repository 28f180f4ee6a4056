import { get } from '../api';
import { T } from '../i18n';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { useLoad, useNow } from '../ui/hooks';
import { Section } from '../ui/layout';
import { AssessmentForm } from './clock-assessment-form';
import { ClockCard } from './clock-card';
import type { Clock, ClockState } from './clocks-shared';
import type { IncidentView } from './model';

export type { Clock } from './clocks-shared';

const ORDER: Record<ClockState, number> = { missed: 0, open: 1, waiting: 2, met: 3, not_applicable: 4 };

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
