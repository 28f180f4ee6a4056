import { useState } from 'react';
import { get, query } from '../api';
import { T, useT, Time } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField } from '../ui/form';
import { useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { ExerciseBadge, RestrictedBadge, SeverityBadge, StateBadge } from './badges';
import { INCIDENT_TYPES, SEVERITIES, STATES, type IncidentSummary } from './model';

interface Filters {
  state: string;
  type: string;
  severity: string;
  open: boolean;
  exercise: '' | 'true' | 'false';
  q: string;
}

const EMPTY: Filters = { state: '', type: '', severity: '', open: true, exercise: '', q: '' };

export function IncidentsPage() {
  const t = useT();
  const { session } = useSession();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const list = useLoad(
    () =>
      get<IncidentSummary[]>(
        `/api/incidents${query({
          state: filters.state,
          type: filters.type,
          severity: filters.severity,
          open: filters.open ? 'true' : undefined,
          exercise: filters.exercise,
          q: filters.q.trim(),
        })}`,
      ),
    filters,
  );

  return (
    <>
      <PageHeader
        heading="app.incidents.title"
        intro={<T id="app.incidents.intro" />}
        actions={
          may(session, 'manageIncidents') && (
            <Link to="/incidents/new" className="button button-primary" data-testid="declare-link">
              <T id="app.incidents.declare" />
            </Link>
          )
        }
      />
      <Section title={<T id="app.incidents.filters" />}>
        <Form onSubmit={() => setFilters(draft)} className="filters">
          <TextField
            label={<T id="app.incidents.search" />}
            hint={<T id="app.incidents.search.hint" />}
            type="search"
            name="q"
            value={draft.q}
            onChange={(event) => setDraft({ ...draft, q: event.target.value })}
          />
          <SelectField
            label={<T id="app.incident.state" />}
            value={draft.state}
            onChange={(event) => setDraft({ ...draft, state: event.target.value })}
          >
            <option value="">{t('app.incidents.any')}</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {t(`incident.state.${state}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={<T id="app.incident.type" />}
            value={draft.type}
            onChange={(event) => setDraft({ ...draft, type: event.target.value })}
          >
            <option value="">{t('app.incidents.any')}</option>
            {INCIDENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`incident.type.${type}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={<T id="app.incident.severity" />}
            value={draft.severity}
            onChange={(event) => setDraft({ ...draft, severity: event.target.value })}
          >
            <option value="">{t('app.incidents.any')}</option>
            {SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {t(`incident.severity.${severity}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={<T id="app.incidents.exercises" />}
            value={draft.exercise}
            onChange={(event) => setDraft({ ...draft, exercise: event.target.value as Filters['exercise'] })}
          >
            <option value="">{t('app.incidents.exercises.all')}</option>
            <option value="false">{t('app.incidents.exercises.real')}</option>
            <option value="true">{t('app.incidents.exercises.only')}</option>
          </SelectField>
          <CheckboxField
            label={<T id="app.incidents.openOnly" />}
            checked={draft.open}
            onChange={(event) => setDraft({ ...draft, open: event.target.checked })}
          />
          <div className="row filters-actions">
            <Button type="submit" variant="primary">
              <T id="app.audit.apply" />
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(EMPTY);
                setFilters(EMPTY);
              }}
            >
              <T id="app.audit.clear" />
            </Button>
          </div>
        </Form>
      </Section>
      <Section title={<T id="app.incidents.list" />}>
        <ErrorNotice error={list.error} />
        {list.loading && !list.data ? (
          <Loading />
        ) : !list.data?.length ? (
          <p className="empty">
            <T id="app.incidents.none" />
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="incident-list">
              <thead>
                <tr>
                  <th scope="col">
                    <T id="app.incident.number" />
                  </th>
                  <th scope="col">
                    <T id="app.incident.title" />
                  </th>
                  <th scope="col">
                    <T id="app.incident.severity" />
                  </th>
                  <th scope="col">
                    <T id="app.incident.state" />
                  </th>
                  <th scope="col">
                    <T id="app.incidents.declaredAt" />
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((incident) => (
                  <tr key={incident.id} className={incident.isExercise ? 'row-exercise' : undefined}>
                    <td className="nowrap">
                      <T id="app.incident.numbered" values={{ number: incident.number }} />
                    </td>
                    <td>
                      <span className="person-name">
                        <Link to={`/incidents/${incident.id}`}>
                          <bdi>{incident.title}</bdi>
                        </Link>
                        {incident.isExercise && <ExerciseBadge />}
                        {incident.restricted && <RestrictedBadge />}
                      </span>
                      <span className="muted">
                        <T id={`incident.type.${incident.type}`} />
                      </span>
                    </td>
                    <td>
                      <SeverityBadge severity={incident.severity} />
                    </td>
                    <td>
                      <StateBadge state={incident.state} />
                    </td>
                    <td className="nowrap">
                      <Time value={incident.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}
