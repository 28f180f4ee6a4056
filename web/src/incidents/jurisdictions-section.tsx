import { useState } from 'react';
import { put } from '../api';
import { T, useRegionName } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form } from '../ui/form';
import { useAction } from '../ui/hooks';
import { Section } from '../ui/layout';
import { JurisdictionRows, jurisdictionsOf } from './fields';
import type { SectionProps } from './incident-sections';
import type { IncidentView } from './model';

/** Where the affected people live, with estimates until customers are imported and counted. */
export function JurisdictionsSection({ incident, manage, onChanged }: SectionProps) {
  const regionName = useRegionName();
  const [editing, setEditing] = useState(false);
  const [rows, setRows] = useState(() => draftsOf(incident));
  const { run, pending, error } = useAction();

  async function save() {
    const view = await run(() =>
      put<IncidentView>(`/api/incidents/${incident.id}/jurisdictions`, jurisdictionsOf(rows)),
    );
    if (view) {
      setEditing(false);
      onChanged(view);
    }
  }

  return (
    <Section
      title={<T id="app.incident.jurisdictions" />}
      intro={<T id="app.incident.jurisdictions.intro" />}
      actions={
        manage &&
        !editing && (
          <Button
            variant="ghost"
            onClick={() => {
              setRows(draftsOf(incident));
              setEditing(true);
            }}
          >
            <T id="app.action.edit" />
          </Button>
        )
      }
    >
      {!editing ? (
        incident.jurisdictions.length === 0 ? (
          <p className="empty">
            <T id="app.incident.jurisdictions.none" />
          </p>
        ) : (
          <ul className="list" data-testid="jurisdiction-list">
            {incident.jurisdictions.map((j) => (
              <li key={j.code} className="list-item">
                <span className="person-name">{regionName(j.code)}</span>
                <span className="muted">
                  {j.countedAffected !== null ? (
                    <T id="app.incident.jurisdiction.counted" values={{ count: j.countedAffected }} />
                  ) : j.estimatedAffected !== null ? (
                    <T id="app.incident.jurisdiction.estimated" values={{ count: j.estimatedAffected }} />
                  ) : (
                    <T id="app.incident.jurisdiction.unknown" />
                  )}
                </span>
              </li>
            ))}
          </ul>
        )
      ) : (
        <Form onSubmit={save}>
          <JurisdictionRows rows={rows} onChange={setRows} />
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

const draftsOf = (incident: IncidentView) =>
  incident.jurisdictions.map((j) => ({
    code: j.code,
    estimate: j.estimatedAffected === null ? '' : String(j.estimatedAffected),
  }));
