import { useState } from 'react';
import { post } from '../api';
import { T, useT, useTimeZone } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import {
  CategoryPicker,
  JurisdictionRows,
  MomentInputs,
  jurisdictionsOf,
  systemsOf,
  type JurisdictionDraft,
} from './fields';
import {
  INCIDENT_ROLES,
  INCIDENT_TYPES,
  MOMENTS,
  SEVERITIES,
  toInstant,
  type DataCategory,
  type IncidentRole,
  type IncidentType,
  type IncidentView,
  type Moment,
  type Severity,
} from './model';
import { loadPeople } from './people';

interface MemberDraft {
  userId: string;
  role: IncidentRole;
}

export function DeclarePage() {
  const t = useT();
  const { session } = useSession();
  const people = useLoad(() => loadPeople(session));
  const [type, setType] = useState<IncidentType>('data_breach');
  const [severity, setSeverity] = useState<Severity>('SEV2');
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  const [restricted, setRestricted] = useState(false);
  const [exercise, setExercise] = useState(false);
  const [startPlan, setStartPlan] = useState(true);
  const [categories, setCategories] = useState<DataCategory[]>([]);
  const [systems, setSystems] = useState('');
  const [jurisdictions, setJurisdictions] = useState<JurisdictionDraft[]>([]);
  const [moments, setMoments] = useState<Partial<Record<Moment, string>>>({});
  const zone = useTimeZone();
  const [members, setMembers] = useState<MemberDraft[]>(() =>
    session?.user ? [{ userId: session.user.id, role: 'commander' }] : [],
  );
  const { run, pending, error } = useAction();

  async function submit() {
    const momentValues = Object.fromEntries(
      MOMENTS.flatMap((m) => {
        const value = toInstant(moments[m] ?? '', zone);
        return value ? [[m, value]] : [];
      }),
    );
    const created = await run(() =>
      post<IncidentView>('/api/incidents', {
        type,
        severity,
        title: title.trim(),
        summary,
        restricted,
        isExercise: exercise,
        startPlan,
        dataCategories: categories,
        affectedSystems: systemsOf(systems),
        jurisdictions: jurisdictionsOf(jurisdictions),
        ...(Object.keys(momentValues).length ? { moments: momentValues } : {}),
        members: members.filter((m) => m.userId),
      }),
    );
    if (created) navigate(`/incidents/${created.id}`);
  }

  return (
    <>
      <PageHeader
        heading="app.declare.title"
        intro={<T id="app.declare.intro" />}
        actions={
          <Link to="/incidents" className="button button-secondary">
            <T id="app.declare.back" />
          </Link>
        }
      />
      <Form onSubmit={submit}>
        <Section title={<T id="app.declare.what" />}>
          <div className="form">
            <div className="grid">
              <SelectField
                label={<T id="app.incident.type" />}
                name="type"
                value={type}
                onChange={(event) => setType(event.target.value as IncidentType)}
              >
                {INCIDENT_TYPES.map((value) => (
                  <option key={value} value={value}>
                    {t(`incident.type.${value}`)}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label={<T id="app.incident.severity" />}
                name="severity"
                value={severity}
                onChange={(event) => setSeverity(event.target.value as Severity)}
              >
                {SEVERITIES.map((value) => (
                  <option key={value} value={value}>
                    {t(`incident.severity.${value}`)}
                  </option>
                ))}
              </SelectField>
            </div>
            <Notice>
              <p className="notice-title">
                <T id={`incident.severity.${severity}`} />
              </p>
              <p data-testid="severity-definition">
                <T id={`incident.severity.${severity}.definition`} />
              </p>
            </Notice>
            <TextField
              label={<T id="app.incident.title" />}
              name="title"
              required
              maxLength={300}
              value={title}
              onChange={(event) => setTitle(event.target.value)}
            />
            <TextAreaField
              label={<T id="app.incident.summary" />}
              name="summary"
              maxLength={20000}
              value={summary}
              onChange={(event) => setSummary(event.target.value)}
            />
            <CheckboxField
              label={<T id="app.incident.restricted.label" />}
              hint={<T id="app.incident.restricted.hint" />}
              checked={restricted}
              onChange={(event) => setRestricted(event.target.checked)}
            />
            <CheckboxField
              label={<T id="app.incident.exercise.label" />}
              hint={<T id="app.incident.exercise.hint" />}
              checked={exercise}
              onChange={(event) => setExercise(event.target.checked)}
            />
            <CheckboxField
              label={<T id="app.declare.startPlan" />}
              hint={<T id="app.declare.startPlan.hint" />}
              checked={startPlan}
              onChange={(event) => setStartPlan(event.target.checked)}
            />
          </div>
        </Section>
        <Section title={<T id="app.declare.scope" />}>
          <div className="form">
            <CategoryPicker value={categories} onChange={setCategories} />
            <TextAreaField
              label={<T id="app.incident.affectedSystems" />}
              hint={<T id="app.incident.affectedSystems.hint" />}
              name="systems"
              value={systems}
              onChange={(event) => setSystems(event.target.value)}
            />
            <fieldset className="fieldset">
              <legend>
                <T id="app.incident.jurisdictions" />
              </legend>
              <JurisdictionRows rows={jurisdictions} onChange={setJurisdictions} />
            </fieldset>
          </div>
        </Section>
        <Section title={<T id="app.declare.when" />}>
          <MomentInputs value={moments} onChange={setMoments} />
        </Section>
        <Section title={<T id="app.incident.members" />}>
          <div className="stack">
            <ErrorNotice error={people.error} />
            {members.map((member, index) => (
              <div className="jurisdiction-row" key={index}>
                <SelectField
                  label={<T id="app.incident.member.person" />}
                  value={member.userId}
                  onChange={(event) =>
                    setMembers(
                      members.map((m, i) => (i === index ? { ...m, userId: event.target.value } : m)),
                    )
                  }
                >
                  {(people.data ?? []).map((person) => (
                    <option key={person.id} value={person.id}>
                      {person.displayName}
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label={<T id="app.incident.member.role" />}
                  value={member.role}
                  onChange={(event) =>
                    setMembers(
                      members.map((m, i) =>
                        i === index ? { ...m, role: event.target.value as IncidentRole } : m,
                      ),
                    )
                  }
                >
                  {INCIDENT_ROLES.map((role) => (
                    <option key={role} value={role}>
                      {t(`incident.role.${role}`)}
                    </option>
                  ))}
                </SelectField>
                <Button variant="ghost" onClick={() => setMembers(members.filter((_, i) => i !== index))}>
                  <T id="app.action.remove" />
                </Button>
              </div>
            ))}
            <div>
              <Button
                onClick={() =>
                  setMembers([...members, { userId: people.data?.[0]?.id ?? '', role: 'member' }])
                }
              >
                <T id="app.incident.member.add" />
              </Button>
            </div>
          </div>
        </Section>
        <ErrorNotice error={error} />
        <div className="row">
          <Button type="submit" variant="primary" pending={pending}>
            <T id="app.declare.submit" />
          </Button>
        </div>
      </Form>
    </>
  );
}
