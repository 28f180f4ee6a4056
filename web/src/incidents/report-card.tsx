import { useState } from 'react';
import { get, patch, post } from '../api';
import { LANGUAGE_NAMES, T, useT, type Locale } from '../i18n';
import { Badge, ErrorNotice } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { ExerciseBadge } from './badges';
import { Instant } from './fields';
import { FieldEditor, FieldValue } from './report-fields';
import { LocaleSelect } from './report-locale-select';
import type { Fields, ReportView } from './reports-shared';

interface VersionView {
  id: string;
  number: number;
  format: 'html' | 'pdf';
  locale: Locale;
  isExercise: boolean;
  reportRevision: number;
  sha256: string;
  size: number;
  filename: string;
  createdAt: string;
}

/** One report: its fields by section, read or edited, exported as kept versions to download. */
export function ReportCard({
  report,
  editable,
  onSaved,
}: {
  report: ReportView;
  editable: boolean;
  onSaved(report: ReportView): void;
}) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const [fields, setFields] = useState<Fields>(report.fields);
  const [format, setFormat] = useState<'pdf' | 'html'>('pdf');
  const [locale, setLocale] = useState<Locale>(report.locale);
  const save = useAction();
  const exporting = useAction();
  const versions = useLoad(() => get<VersionView[]>(`/api/reports/${report.id}/versions`), report.id);

  async function submit() {
    const next = await save.run(() =>
      patch<ReportView>(`/api/reports/${report.id}`, { fields, revision: report.revision }),
    );
    if (next) {
      setEditing(false);
      onSaved(next);
    }
  }

  async function exportNow() {
    const done = await exporting.run(() =>
      post<VersionView>(`/api/reports/${report.id}/exports`, { format, locale }),
    );
    if (done) await versions.reload();
  }

  return (
    <article className="report" data-testid={`report-${report.kind}`}>
      <header className="subsection-header">
        <h3>
          <T id={`report.kind.${report.kind}`} />
        </h3>
        <Badge>{t(LANGUAGE_NAMES[report.locale])}</Badge>
        <Badge>
          <T id="app.reports.revision" values={{ revision: report.revision }} />
        </Badge>
        {report.isExercise && <ExerciseBadge />}
      </header>
      <p className="muted">
        <T id={`report.basis.${report.kind}`} />
      </p>
      {editing ? (
        <Form onSubmit={submit}>
          {report.sections.map((section) => (
            <fieldset className="fieldset" key={section.id}>
              <legend>
                <T id={`report.section.${section.id}`} />
              </legend>
              {section.fields.map((name) => (
                <FieldEditor
                  key={name}
                  name={name}
                  value={fields[name]}
                  onChange={(value) => setFields({ ...fields, [name]: value })}
                />
              ))}
            </fieldset>
          ))}
          <ErrorNotice error={save.error} />
          <div className="row">
            <Button type="submit" variant="primary" pending={save.pending}>
              <T id="app.action.save" />
            </Button>
            <Button variant="ghost" onClick={() => setEditing(false)}>
              <T id="app.action.cancel" />
            </Button>
          </div>
        </Form>
      ) : (
        <dl className="facts facts-compact">
          {report.sections.flatMap((section) =>
            section.fields.map((name) => (
              <div key={`${section.id}-${name}`}>
                <dt>
                  <T id={`report.field.${name}`} />
                </dt>
                <dd className="prose">
                  <FieldValue name={name} value={report.fields[name]} />
                </dd>
              </div>
            )),
          )}
        </dl>
      )}
      {editable && !editing && (
        <div className="row">
          <Button
            onClick={() => {
              setFields(report.fields);
              setEditing(true);
            }}
          >
            <T id="app.reports.edit" />
          </Button>
        </div>
      )}
      {editable && (
        <Form onSubmit={exportNow} className="inline-form">
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.reports.format" />}
              name="export-format"
              value={format}
              onChange={(event) => setFormat(event.target.value === 'html' ? 'html' : 'pdf')}
            >
              <option value="pdf">{t('app.reports.format.pdf')}</option>
              <option value="html">{t('app.reports.format.html')}</option>
            </SelectField>
            <LocaleSelect label={<T id="app.reports.exportLanguage" />} value={locale} onChange={setLocale} />
            <Button type="submit" pending={exporting.pending} data-testid="export-report">
              <T id="app.reports.export" />
            </Button>
          </div>
          <ErrorNotice error={exporting.error} />
        </Form>
      )}
      <h4 className="versions-heading">
        <T id="app.reports.versions" />
      </h4>
      <ErrorNotice error={versions.error} />
      {!versions.data?.length ? (
        <p className="empty">
          <T id="app.reports.versions.none" />
        </p>
      ) : (
        <ul className="list" data-testid="report-versions">
          {versions.data.map((v) => (
            <li key={v.id} className="list-item" data-testid={`version-${v.number}`}>
              <div className="list-main">
                <span className="person-name">
                  <T id="app.reports.version" values={{ number: v.number }} />
                  <Badge>{v.format.toUpperCase()}</Badge>
                  <Badge>{t(LANGUAGE_NAMES[v.locale])}</Badge>
                  {v.isExercise && <ExerciseBadge />}
                </span>
                <span className="muted">
                  <Instant value={v.createdAt} />
                  {' · '}
                  <T id="app.reports.size" values={{ size: v.size }} />
                </span>
                <span className="muted">
                  <T
                    id="app.reports.hash"
                    values={{
                      hash: (
                        <code dir="ltr" className="break" title={v.sha256}>
                          {v.sha256}
                        </code>
                      ),
                    }}
                  />
                </span>
              </div>
              <a
                className="button button-secondary"
                href={`/api/report-versions/${v.id}`}
                download={v.filename}
                data-testid="download-version"
              >
                <T id="app.reports.download" />
              </a>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
