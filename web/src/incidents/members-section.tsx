import { useState } from 'react';
import { del, post } from '../api';
import { T, useT } from '../i18n';
import { useSession } from '../session';
import { ConfirmButton } from '../ui/actions';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import type { SectionProps } from './incident-sections';
import { INCIDENT_ROLES, type IncidentRole, type IncidentView } from './model';
import { loadPeople } from './people';

/** The people on the incident and their incident roles. */
export function MembersSection({ incident, manage, onChanged }: SectionProps) {
  const t = useT();
  const { session } = useSession();
  const people = useLoad(() => (manage ? loadPeople(session) : Promise.resolve([])), manage);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<IncidentRole>('member');
  const add = useAction();
  const remove = useAction();
  const chosen = userId || people.data?.[0]?.id || '';

  async function submit() {
    const view = await add.run(() =>
      post<IncidentView>(`/api/incidents/${incident.id}/members`, { userId: chosen, role }),
    );
    if (view) onChanged(view);
  }

  async function removeOne(memberId: string, memberRole: IncidentRole) {
    const done = await remove.run(async () => {
      await del(`/api/incidents/${incident.id}/members/${memberId}/${memberRole}`);
      return true;
    });
    if (done) onChanged();
  }

  return (
    <Section title={<T id="app.incident.members" />} intro={<T id="app.incident.members.intro" />}>
      {incident.members.length === 0 ? (
        <p className="empty">
          <T id="app.incident.members.none" />
        </p>
      ) : (
        <ul className="list" data-testid="members">
          {incident.members.map((member) => (
            <li key={`${member.userId}-${member.role}`} className="list-item">
              <div className="list-main">
                <bdi className="person-name">{member.displayName}</bdi>
                <span className="muted">
                  <T id={`incident.role.${member.role}`} />
                </span>
              </div>
              {manage && (
                <ConfirmButton
                  question={
                    incident.restricted && member.userId === session?.user?.id ? (
                      <T id="app.incident.member.removeSelf" />
                    ) : (
                      <T id="app.incident.member.remove.question" />
                    )
                  }
                  confirmLabel={<T id="app.action.remove" />}
                  onConfirm={() => removeOne(member.userId, member.role)}
                >
                  <T id="app.action.remove" />
                </ConfirmButton>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={remove.error} />
      {manage && (
        <Form onSubmit={submit} className="subsection">
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.incident.member.person" />}
              value={chosen}
              onChange={(event) => setUserId(event.target.value)}
            >
              {(people.data ?? []).map((person) => (
                <option key={person.id} value={person.id}>
                  {person.displayName}
                </option>
              ))}
            </SelectField>
            <SelectField
              label={<T id="app.incident.member.role" />}
              value={role}
              onChange={(event) => setRole(event.target.value as IncidentRole)}
            >
              {INCIDENT_ROLES.map((value) => (
                <option key={value} value={value}>
                  {t(`incident.role.${value}`)}
                </option>
              ))}
            </SelectField>
            <Button type="submit" pending={add.pending} disabled={!chosen}>
              <T id="app.incident.member.add" />
            </Button>
          </div>
          {people.data && people.data.length <= 1 && (
            <Notice>
              <p>
                <T id="app.incident.member.directoryHint" />
              </p>
            </Notice>
          )}
          <ErrorNotice error={add.error ?? people.error} />
        </Form>
      )}
    </Section>
  );
}
