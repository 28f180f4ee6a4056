import { useState } from 'react';
import { api } from '../api';
import { T } from '../i18n';
import { loadPeople } from '../incidents/people';
import { useCan } from '../notices/notices-shared';
import { useSession } from '../session';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { LocalError } from '../ui/errors';
import {
  complete,
  written,
  type IncidentTrust,
  type PageText,
  type PerLanguage,
  type TrustSite,
} from './trust-api';
import { TrustErrorNotice } from './trust-errors';
import { PerLanguageFields, type TextFieldSpec } from './trust-texts';
import { UpdateCard } from './trust-update-card';
import { UpdateForm } from './trust-update-form';
import './trust.css';

const PAGE_FIELDS: readonly TextFieldSpec<keyof PageText>[] = [
  { key: 'title', label: 'app.trust.page.pageTitle', maxLength: 200 },
  { key: 'summary', label: 'app.trust.page.summary', multiline: true, maxLength: 2000 },
];

/**
 * The incident's public page on the trust center (issue 15): its title and summary per language,
 * then its updates: written per language, approved by someone who did not write them (when the
 * site asks for it), previewed as readers will see them, and published.
 */
export function TrustIncidentSection({ incidentId }: { incidentId: string }) {
  const { can } = useCan();
  const { session } = useSession();
  const trust = useLoad(() => api<IncidentTrust>('GET', `/api/incidents/${incidentId}/trust`), incidentId);
  const site = useLoad(() => api<{ site: TrustSite | null }>('GET', '/api/trust/site'));
  const people = useLoad(() => loadPeople(session), session?.user?.id);
  if (!can('trust.read')) return null;
  const view = trust.data;

  return (
    <Section title={<T id="app.trust.incident.title" />} intro={<T id="app.trust.incident.intro" />}>
      <div className="trust-incident" data-testid="trust-incident">
        <ErrorNotice error={trust.error} />
        {!view ? (
          trust.loading && <Loading />
        ) : (
          <>
            {!site.data?.site?.published && site.data && (
              <Notice tone="warning">
                <p data-testid="trust-site-unpublished">
                  <T id="app.trust.incident.siteNotPublic" />
                </p>
              </Notice>
            )}
            <PageForm
              incidentId={incidentId}
              view={view}
              canWrite={can('trust.write')}
              onSaved={(next) => trust.setData(() => next)}
            />
            {view.page && can('trust.write') && (
              <UpdateForm incidentId={incidentId} onSaved={(next) => trust.setData(() => next)} />
            )}
            <h3 className="trust-updates-title">
              <T id="app.trust.updates.title" />
            </h3>
            {view.updates.length === 0 ? (
              <p>
                <T id="app.trust.updates.none" />
              </p>
            ) : (
              <ol className="trust-updates" data-testid="trust-updates">
                {view.updates.map((update) => (
                  <UpdateCard
                    key={update.id}
                    incidentId={incidentId}
                    update={update}
                    view={view}
                    site={site.data?.site ?? null}
                    people={people.data ?? []}
                    onChanged={(next) => trust.setData(() => next)}
                  />
                ))}
              </ol>
            )}
          </>
        )}
      </div>
    </Section>
  );
}

function PageForm({
  incidentId,
  view,
  canWrite,
  onSaved,
}: {
  incidentId: string;
  view: IncidentTrust;
  canWrite: boolean;
  onSaved(view: IncidentTrust): void;
}) {
  const [texts, setTexts] = useState<PerLanguage<PageText>>();
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const shown = texts ?? view.page?.texts ?? {};

  async function submit() {
    setSaved(false);
    const chosen = written(shown);
    const next = await action.run(async () => {
      if (!complete(chosen, ['title', 'summary'])) throw new LocalError('app.trust.page.incomplete');
      return api<IncidentTrust>('PUT', `/api/incidents/${incidentId}/trust/page`, { texts: chosen });
    });
    if (next) {
      setTexts(undefined);
      setSaved(true);
      onSaved(next);
    }
  }

  return (
    <Form onSubmit={submit} className="trust-page-form">
      <h3>
        <T id="app.trust.page.title" />
      </h3>
      <p className="field-hint">
        <T id="app.trust.page.hint" />
      </p>
      <PerLanguageFields
        idPrefix="trust-page"
        fields={PAGE_FIELDS}
        texts={shown}
        onChange={(next) => {
          setSaved(false);
          setTexts(next);
        }}
        readOnly={!canWrite}
        error={action.error}
      />
      <TrustErrorNotice error={action.error} />
      {saved && (
        <Notice tone="success">
          <p>
            <T id="app.trust.page.saved" />
          </p>
        </Notice>
      )}
      {canWrite && (
        <Button
          type="submit"
          variant="primary"
          pending={action.pending}
          disabled={!texts}
          data-testid="trust-page-save"
        >
          <T id="app.trust.page.save" />
        </Button>
      )}
    </Form>
  );
}
