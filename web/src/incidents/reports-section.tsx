import { useState } from 'react';
import { get, post } from '../api';
import { T, useLocale, useT, type Locale } from '../i18n';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { ReportCard } from './report-card';
import { LocaleSelect } from './report-locale-select';
import type { ReportView } from './reports-shared';
import { REPORT_KINDS, type ReportKind } from '../../../src/modules/reports/report-model';
import type { IncidentView } from './model';

// The report kinds come from the server's report model.
export { REPORT_KINDS };

/** Regulator reports of the incident: drafts pre-filled by the server, edited here, exported as kept versions. */
export function ReportsSection({
  incident,
  version,
  onChanged,
}: {
  incident: IncidentView;
  version: number;
  onChanged(): void;
}) {
  const t = useT();
  const { session } = useSession();
  const { locale: viewerLocale } = useLocale();
  const readable = may(session, 'readReports');
  const editable = may(session, 'editReports');
  const reports = useLoad(
    () => (readable ? get<ReportView[]>(`/api/incidents/${incident.id}/reports`) : Promise.resolve([])),
    `${incident.id}:${version}`,
  );
  const [kind, setKind] = useState<ReportKind>('gdpr_art33');
  const [locale, setLocale] = useState<Locale>(viewerLocale);
  const create = useAction();

  if (!readable) return null;

  async function submit() {
    const created = await create.run(() =>
      post<ReportView>(`/api/incidents/${incident.id}/reports`, { kind, locale }),
    );
    if (created) {
      await reports.reload();
      onChanged();
    }
  }

  return (
    <Section title={<T id="app.reports.title" />} intro={<T id="app.reports.intro" />}>
      <ErrorNotice error={reports.error} />
      {editable && (
        <Form onSubmit={submit} className="inline-form">
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.reports.kind" />}
              name="report-kind"
              value={kind}
              onChange={(event) => setKind(event.target.value as ReportKind)}
            >
              {REPORT_KINDS.map((value) => (
                <option key={value} value={value}>
                  {t(`report.kind.${value}`)}
                </option>
              ))}
            </SelectField>
            <LocaleSelect label={<T id="app.reports.language" />} value={locale} onChange={setLocale} />
            <Button type="submit" variant="primary" pending={create.pending}>
              <T id="app.reports.create" />
            </Button>
          </div>
          <ErrorNotice error={create.error} />
        </Form>
      )}
      {reports.loading && !reports.data ? (
        <Loading />
      ) : !reports.data?.length ? (
        <p className="empty">
          <T id="app.reports.none" />
        </p>
      ) : (
        <div className="stack">
          {reports.data.map((report) => (
            <ReportCard
              key={report.id}
              report={report}
              editable={editable}
              onSaved={(next) => reports.setData((list) => list?.map((r) => (r.id === next.id ? next : r)))}
            />
          ))}
        </div>
      )}
    </Section>
  );
}
