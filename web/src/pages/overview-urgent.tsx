import { get } from '../api';
import { T, Time, useRegionName } from '../i18n';
import { Link } from '../router';
import { ErrorNotice, Loading } from '../ui/feedback';
import { useLoad, useNow } from '../ui/hooks';
import { ExerciseBadge, SeverityBadge, StateBadge } from '../incidents/badges';
import { useFormatDuration, useKeyed } from '../incidents/clock-card';
import type { Clock } from '../incidents/clocks-shared';
import type { IncidentSummary } from '../incidents/model';

const SEVERITY_ORDER = { SEV1: 0, SEV2: 1, SEV3: 2, SEV4: 3 } as const;

/** At most this many open incidents are asked for their clocks: the worst first. */
const CLOCKS_OF = 20;

interface RunningClock {
  incident: IncidentSummary;
  clock: Clock;
}

interface Urgent {
  open: IncidentSummary[];
  clocks: RunningClock[];
  skew: number;
}

async function loadUrgent(): Promise<Urgent> {
  const open = (await get<IncidentSummary[]>('/api/incidents?open=true')).sort(
    (a, b) =>
      Number(a.isExercise) - Number(b.isExercise) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.createdAt.localeCompare(b.createdAt),
  );
  let skew = 0;
  const lists = await Promise.all(
    open.slice(0, CLOCKS_OF).map(async (incident) => {
      const list = await get<{ now: string; clocks: Clock[] }>(`/api/incidents/${incident.id}/clocks`);
      skew = new Date(list.now).getTime() - Date.now();
      return list.clocks
        .filter((clock) => (clock.state === 'open' || clock.state === 'missed') && clock.dueAt)
        .map((clock) => ({ incident, clock }));
    }),
  );
  const clocks = lists.flat().sort((a, b) => (a.clock.dueAt ?? '').localeCompare(b.clock.dueAt ?? ''));
  return { open, clocks, skew };
}

/**
 * The top of the overview for people who may read incidents: the open SEV1 and SEV2 incidents,
 * then every running legal clock of the open incidents, soonest due first (issue 13, item 7).
 */
export function OverviewUrgent() {
  const urgent = useLoad(loadUrgent);
  const now = useNow(urgent.data?.skew ?? 0);
  if (!urgent.data) {
    return (
      <>
        <ErrorNotice error={urgent.error} />
        {urgent.loading && <Loading />}
      </>
    );
  }
  const severe = urgent.data.open.filter((i) => i.severity === 'SEV1' || i.severity === 'SEV2');
  return (
    <div className="overview-urgent">
      {severe.length > 0 && (
        <section className="card card-alert" aria-labelledby="overview-severe" data-testid="overview-severe">
          <header className="card-header">
            <h2 id="overview-severe">
              <T id="app.overview.severe.title" values={{ count: severe.length }} />
            </h2>
          </header>
          <ul className="list">
            {severe.map((incident) => (
              <li
                key={incident.id}
                className="list-item"
                data-testid={`overview-incident-${incident.number}`}
              >
                <span className="list-main">
                  <span className="person-name">
                    <SeverityBadge severity={incident.severity} />
                    <Link to={`/incidents/${incident.id}`}>
                      <T id="app.incident.numbered" values={{ number: incident.number }} />{' '}
                      <bdi>{incident.title}</bdi>
                    </Link>
                    {incident.isExercise && <ExerciseBadge />}
                  </span>
                  <span className="muted">
                    <StateBadge state={incident.state} />{' '}
                    <T
                      id="app.overview.severe.declared"
                      values={{ time: <Time value={incident.detectedAt ?? incident.createdAt} /> }}
                    />
                  </span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card" aria-labelledby="overview-clocks" data-testid="overview-clocks">
        <header className="card-header">
          <div>
            <h2 id="overview-clocks">
              <T id="app.overview.clocks.title" />
            </h2>
            <p className="card-intro">
              <T id="app.overview.clocks.intro" />
            </p>
          </div>
        </header>
        {urgent.data.clocks.length === 0 ? (
          <p className="empty">
            <T id="app.overview.clocks.none" />
          </p>
        ) : (
          <ul className="list">
            {urgent.data.clocks.map((running) => (
              <RunningClockItem key={running.clock.id} running={running} now={now} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function RunningClockItem({ running, now }: { running: RunningClock; now: number }) {
  const { incident, clock } = running;
  const keyed = useKeyed();
  const regionName = useRegionName();
  const formatDuration = useFormatDuration();
  const left = Math.round((new Date(clock.dueAt ?? 0).getTime() - now) / 1000);
  return (
    <li className="list-item" data-testid="overview-clock">
      <span className="list-main">
        <span className="person-name">
          {keyed(clock.titleKey, `${clock.regime} ${clock.citation}`)}
          {clock.isExercise && <ExerciseBadge />}
        </span>
        <span className="muted">
          {clock.jurisdiction === 'EU' ? <T id="app.clocks.eu" /> : regionName(clock.jurisdiction)}
          {' · '}
          <Link to={`/incidents/${incident.id}`}>
            <T id="app.incident.numbered" values={{ number: incident.number }} /> <bdi>{incident.title}</bdi>
          </Link>
        </span>
      </span>
      <span className="overview-clock-time">
        <strong className={left > 0 ? undefined : 'overdue'}>
          <T
            id={left > 0 ? 'app.clocks.left' : 'app.clocks.overdue'}
            values={{ time: formatDuration(left) }}
          />
        </strong>
        <span className="muted">
          <Time value={clock.dueAt} />
        </span>
      </span>
    </li>
  );
}
