import { T } from '../i18n';
import { Badge } from '../ui/feedback';
import { SEVERITY_TONE, isOpenState, type IncidentState, type Severity } from './model';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={SEVERITY_TONE[severity]}>
      <T id={`incident.severity.${severity}`} />
    </Badge>
  );
}

export function StateBadge({ state }: { state: IncidentState }) {
  return (
    <Badge tone={isOpenState(state) ? 'info' : 'neutral'}>
      <T id={`incident.state.${state}`} />
    </Badge>
  );
}

export function ExerciseBadge() {
  return (
    <span className="badge badge-exercise" data-testid="exercise-badge">
      <T id="incident.exercise" />
    </span>
  );
}

export function RestrictedBadge() {
  return (
    <Badge tone="warning">
      <T id="incident.restricted" />
    </Badge>
  );
}

/** Across the top of every screen of an exercise incident: nothing here reaches real people. */
export function ExerciseBanner() {
  return (
    <div className="exercise-banner" role="note" data-testid="exercise-banner">
      <strong>
        <T id="incident.exercise" />
      </strong>
      <span>
        <T id="app.incident.exercise.banner" />
      </span>
    </div>
  );
}
