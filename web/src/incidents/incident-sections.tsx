import { useState } from 'react';
import { patch, put } from '../api';
import { T, useListFormat, useT, useTimeZone } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { Section } from '../ui/layout';
import { CategoryPicker, Instant, systemsOf } from './fields';
import {
  INCIDENT_TYPES,
  MOMENTS,
  SEVERITIES,
  toInstant,
  toLocalInput,
  type IncidentView,
  type Moment,
} from './model';

/** What each section of the incident page is given (the jurisdictions and members sections too). */
export interface SectionProps {
  incident: IncidentView;
  manage: boolean;
  onChanged(view?: IncidentView): void;
}

/** What happened and what it touches: the editable facts of the incident. */
export function FactsSection({ incident, manage, onChanged }: SectionProps) {
  const t = useT();
  const listFormat = useListFormat();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState(() => formOf(incident));
  const { run, pending, error } = useAction();

  async function save() {
    const view = await run(() =>
      patch<IncidentView>(`/api/incidents/${incident.id}`, {
        title: form.title.trim(),
        summary: form.summary,
        type: form.type,
        severity: form.severity,
        restricted: form.restricted,
        dataCategories: form.dataCategories,
        affectedSystems: systemsOf(form.systems),
      }),
    );
    if (view) {
      setEditing(false);
      onChanged(view);
    }
  }

  return (
    <Section
      title={<T id="app.incident.facts" />}
      actions={
        manage &&
        !editing && (
          <Button
            variant="ghost"
            onClick={() => {
              setForm(formOf(incident));
              setEditing(true);
            }}
          >
            <T id="app.action.edit" />
          </Button>
        )
      }
    >
      {!editing ? (
        <dl className="facts facts-compact">
          <div>
            <dt>
              <T id="app.incident.summary" />
            </dt>
            <dd className="prose" dir="auto">
              {incident.summary || <T id="app.incident.summary.none" />}
            </dd>
          </div>
          <div>
            <dt>
              <T id="app.incident.severity" />
            </dt>
            <dd>
              <T id={`incident.severity.${incident.severity}.definition`} />
            </dd>
          </div>
          <div>
            <dt>
              <T id="app.incident.dataCategories" />
            </dt>
            <dd data-testid="data-categories">
              {incident.dataCategories.length ? (
                listFormat(incident.dataCategories.map((c) => t(`incident.category.${c}`)))
              ) : (
                <T id="app.incident.none" />
              )}
            </dd>
          </div>
          <div>
            <dt>
              <T id="app.incident.affectedSystems" />
            </dt>
            <dd>
              {incident.affectedSystems.length ? (
                <ul className="plain-list">
                  {incident.affectedSystems.map((system) => (
                    <li key={system} dir="auto">
                      {system}
                    </li>
                  ))}
                </ul>
              ) : (
                <T id="app.incident.none" />
              )}
            </dd>
          </div>
        </dl>
      ) : (
        <Form onSubmit={save}>
          <TextField
            label={<T id="app.incident.title" />}
            required
            maxLength={300}
            value={form.title}
            onChange={(event) => setForm({ ...form, title: event.target.value })}
          />
          <TextAreaField
            label={<T id="app.incident.summary" />}
            maxLength={20000}
            value={form.summary}
            onChange={(event) => setForm({ ...form, summary: event.target.value })}
          />
          <SelectField
            label={<T id="app.incident.type" />}
            value={form.type}
            onChange={(event) => setForm({ ...form, type: event.target.value as IncidentView['type'] })}
          >
            {INCIDENT_TYPES.map((value) => (
              <option key={value} value={value}>
                {t(`incident.type.${value}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={<T id="app.incident.severity" />}
            hint={<T id={`incident.severity.${form.severity}.definition`} />}
            value={form.severity}
            onChange={(event) =>
              setForm({ ...form, severity: event.target.value as IncidentView['severity'] })
            }
          >
            {SEVERITIES.map((value) => (
              <option key={value} value={value}>
                {t(`incident.severity.${value}`)}
              </option>
            ))}
          </SelectField>
          <CheckboxField
            label={<T id="app.incident.restricted.label" />}
            hint={<T id="app.incident.restricted.hint" />}
            checked={form.restricted}
            onChange={(event) => setForm({ ...form, restricted: event.target.checked })}
          />
          <CategoryPicker
            value={form.dataCategories}
            onChange={(dataCategories) => setForm({ ...form, dataCategories })}
          />
          <TextAreaField
            label={<T id="app.incident.affectedSystems" />}
            hint={<T id="app.incident.affectedSystems.hint" />}
            value={form.systems}
            onChange={(event) => setForm({ ...form, systems: event.target.value })}
          />
          <ErrorNotice error={error} />
          <div className="row">
            <Button type="submit" variant="primary" pending={pending}>
              <T id="app.action.save" />
            </Button>
            <Button variant="ghost" onClick={() => setEditing(false)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
        </Form>
      )}
    </Section>
  );
}

function formOf(incident: IncidentView) {
  return {
    title: incident.title,
    summary: incident.summary,
    type: incident.type,
    severity: incident.severity,
    restricted: incident.restricted,
    dataCategories: incident.dataCategories,
    systems: incident.affectedSystems.join('\n'),
  };
}

/** Each key moment on its own line, saved on its own; shown and entered in the organization's time zone. */
export function MomentsSection({ incident, manage, onChanged }: SectionProps) {
  const zone = useTimeZone();
  return (
    <Section
      title={<T id="app.incident.moments" />}
      intro={<T id="app.incident.moments.zone" values={{ zone }} />}
    >
      <ul className="list" data-testid="moments">
        {MOMENTS.map((moment) => (
          <MomentRow key={moment} moment={moment} incident={incident} manage={manage} onChanged={onChanged} />
        ))}
      </ul>
    </Section>
  );
}

function MomentRow({ moment, incident, manage, onChanged }: { moment: Moment } & SectionProps) {
  const t = useT();
  const value = incident.moments[moment];
  const zone = useTimeZone();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const { run, pending, error } = useAction();

  async function save(to: string | null) {
    const view = await run(() =>
      put<IncidentView>(`/api/incidents/${incident.id}/moments`, { [moment]: to }),
    );
    if (view) {
      setEditing(false);
      onChanged(view);
    }
  }

  return (
    <li className="list-item" data-testid={`moment-${moment}`}>
      <div className="list-main">
        <span className="person-name">
          <T id={`incident.moment.${moment}`} />
        </span>
        <span className="muted">
          {value ? <Instant value={value} /> : <T id="app.incident.moment.unset" />}
        </span>
      </div>
      {manage && !editing && (
        <Button
          variant="ghost"
          onClick={() => {
            setDraft(toLocalInput(value, zone) || toLocalInput(new Date().toISOString(), zone));
            setEditing(true);
          }}
        >
          <T id={value ? 'app.action.edit' : 'app.incident.moment.set'} />
        </Button>
      )}
      {editing && (
        <Form onSubmit={() => save(toInstant(draft, zone))} className="inline-form">
          <TextField
            label={t(`incident.moment.${moment}`)}
            type="datetime-local"
            required
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <div className="row">
            <Button type="submit" variant="primary" pending={pending}>
              <T id="app.action.save" />
            </Button>
            {value && (
              <Button variant="ghost" onClick={() => void save(null)}>
                <T id="app.incident.moment.clear" />
              </Button>
            )}
            <Button variant="ghost" onClick={() => setEditing(false)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
          <ErrorNotice error={error} />
        </Form>
      )}
    </li>
  );
}
