import { useState } from 'react';
import { get, post } from '../api';
import { T, useT } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { ExerciseBanner, ExerciseBadge, RestrictedBadge, SeverityBadge, StateBadge } from './badges';
import { AffectedCustomersSection } from '../customers/affected-section';
import { ClocksSection } from './clocks-section';
import { FactsSection, MomentsSection } from './incident-sections';
import { JurisdictionsSection } from './jurisdictions-section';
import { MembersSection } from './members-section';
import type { IncidentView, TimelineEvent } from './model';
import { ReportsSection } from './reports-section';
import { GuidanceSection } from '../lookup/guidance-section';
import { NoticesSection } from '../notices/notices-section';
import { TasksSection } from './tasks-section';
import { TrustIncidentSection } from '../trust/trust-incident-section';
import { NoteForm, Timeline } from './timeline';

export function IncidentPage({ id }: { id: string }) {
  const { session } = useSession();
  const incident = useLoad(() => get<IncidentView>(`/api/incidents/${id}`), id);
  const timeline = useLoad(() => get<TimelineEvent[]>(`/api/incidents/${id}/timeline`), id);
  // Everything derived from the incident (tasks, clocks, reports) reloads after a change.
  const [version, setVersion] = useState(0);

  const changed = (view?: IncidentView) => {
    if (view) incident.setData(() => view);
    else void incident.reload();
    void timeline.reload();
    setVersion((v) => v + 1);
  };

  if (!incident.data) {
    return (
      <>
        <PageHeader heading="app.incident.page" />
        <ErrorNotice error={incident.error} />
        {incident.loading && <Loading />}
      </>
    );
  }
  const view = incident.data;
  const manage = may(session, 'manageIncidents');

  return (
    <div className={view.isExercise ? 'incident incident-exercise' : 'incident'} data-testid="incident-page">
      {view.isExercise && <ExerciseBanner />}
      <PageHeader
        heading="app.incident.page"
        text={view.title}
        before={
          <p className="incident-meta">
            <span className="incident-number" data-testid="incident-number">
              <T id="app.incident.numbered" values={{ number: view.number }} />
            </span>
            <span className="tags">
              <T id={`incident.type.${view.type}`} />
              <SeverityBadge severity={view.severity} />
              <StateBadge state={view.state} />
              {view.isExercise && <ExerciseBadge />}
              {view.restricted && <RestrictedBadge />}
            </span>
          </p>
        }
        actions={
          <Link to="/incidents" className="button button-secondary">
            <T id="app.incident.backToList" />
          </Link>
        }
      />
      {manage && <Transitions incident={view} onChanged={changed} />}
      {/* The legal clocks come first: they are what cannot wait (issue 13, item 7). */}
      <ClocksSection incident={view} version={version} onChanged={() => changed()} />
      <div className="grid grid-wide">
        <FactsSection incident={view} manage={manage} onChanged={changed} />
        <MomentsSection incident={view} manage={manage} onChanged={changed} />
      </div>
      <div className="grid grid-wide">
        <JurisdictionsSection incident={view} manage={manage} onChanged={changed} />
        <MembersSection incident={view} manage={manage} onChanged={changed} />
      </div>
      <TasksSection incident={view} version={version} onChanged={() => changed()} />
      <ReportsSection incident={view} version={version} onChanged={() => changed()} />
      <GuidanceSection incident={view} onChanged={() => changed()} />
      <NoticesSection incident={view} />
      <TrustIncidentSection incidentId={view.id} />
      <AffectedCustomersSection incidentId={view.id} version={version} onChanged={() => changed()} />
      <Section title={<T id="app.timeline.title" />} intro={<T id="app.timeline.intro" />}>
        {may(session, 'workTasks') && <NoteForm incidentId={view.id} onAdded={() => changed()} />}
        <ErrorNotice error={timeline.error} />
        {timeline.data ? <Timeline events={timeline.data} incident={view} /> : <Loading />}
      </Section>
    </div>
  );
}

/** The lifecycle buttons the server allows from here, with an optional note; a refusal as the server words it. */
function Transitions({
  incident,
  onChanged,
}: {
  incident: IncidentView;
  onChanged(view: IncidentView): void;
}) {
  const t = useT();
  const [note, setNote] = useState('');
  const { run, pending, error } = useAction();
  async function go(to: string) {
    const view = await run(() =>
      post<IncidentView>(`/api/incidents/${incident.id}/transition`, {
        to,
        ...(note.trim() ? { note } : {}),
      }),
    );
    if (view) {
      setNote('');
      onChanged(view);
    }
  }
  return (
    <Section title={<T id="app.incident.lifecycle" />} intro={<T id="app.incident.lifecycle.intro" />}>
      <div className="transitions" data-testid="transitions">
        <TextField
          label={<T id="app.incident.transition.note" />}
          name="transition-note"
          maxLength={20000}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
        <div className="row">
          {incident.allowedTransitions.map((to) => (
            <Button key={to} pending={pending} onClick={() => void go(to)}>
              {t('app.incident.transition.to', { state: t(`incident.state.${to}`) })}
            </Button>
          ))}
        </div>
      </div>
      <ErrorNotice error={error} />
    </Section>
  );
}
