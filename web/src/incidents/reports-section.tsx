import { useState, type ReactNode } from 'react';
import { get, patch, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT, type Locale } from '../i18n';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { ExerciseBadge } from './badges';
import { Instant } from './fields';
import {
  CHOICES,
  FIELD_TYPES,
  REPORT_KINDS,
  type Choice,
  type ReportKind,
} from '../../../src/modules/reports/report-model';
import { JURISDICTION_PATTERN, toInstant, toLocalInput, type IncidentView } from './model';

// The report kinds, choices and how each field is edited come from the server's report model.
export { REPORT_KINDS };
type FieldName = keyof typeof FIELD_TYPES;
type People = { jurisdiction: string; people: number | null }[];
type Fields = Partial<Record<FieldName, string | number | null | People>>;

type SectionId =
  | 'reporter'
  | 'timing'
  | 'nature'
  | 'consequences'
  | 'measures'
  | 'earlyWarning'
  | 'assessment'
  | 'impact'
  | 'indicators'
  | 'description'
  | 'rootCause'
  | 'mitigation'
  | 'crossBorder';

interface ReportView {
  id: string;
  incidentId: string;
  kind: ReportKind;
  locale: Locale;
  revision: number;
  isExercise: boolean;
  sections: { id: SectionId; fields: FieldName[] }[];
  fields: Fields;
  createdAt: string;
  updatedAt: string;
}

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

function LocaleSelect({
  label,
  value,
  onChange,
}: {
  label: ReactNode;
  value: Locale;
  onChange(locale: Locale): void;
}) {
  const t = useT();
  return (
    <SelectField
      label={label}
      value={value}
      onChange={(event) => isLocale(event.target.value) && onChange(event.target.value)}
    >
      {LOCALES.map((code) => (
        <option key={code} value={code} lang={code}>
          {t(LANGUAGE_NAMES[code])}
        </option>
      ))}
    </SelectField>
  );
}

function ReportCard({
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

function FieldValue({ name, value }: { name: FieldName; value: Fields[FieldName] }) {
  const t = useT();
  const type = FIELD_TYPES[name];
  if (value === null || value === undefined || value === '')
    return <span className="muted">{t('app.reports.empty')}</span>;
  if (type === 'instant' && typeof value === 'string') return <Instant value={value} />;
  if (type === 'choice' && typeof value === 'string' && (CHOICES as readonly string[]).includes(value))
    return <T id={`report.choice.${value as Choice}`} />;
  if (type === 'people' && Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">{t('app.reports.empty')}</span>;
    return (
      <ul className="plain-list">
        {value.map((row) => (
          <li key={row.jurisdiction}>
            {row.jurisdiction}
            {': '}
            {row.people === null ? t('report.notKnown') : row.people}
          </li>
        ))}
      </ul>
    );
  }
  return <>{String(value)}</>;
}

function FieldEditor({
  name,
  value,
  onChange,
}: {
  name: FieldName;
  value: Fields[FieldName];
  onChange(value: Fields[FieldName]): void;
}) {
  const t = useT();
  const label = <T id={`report.field.${name}`} />;
  switch (FIELD_TYPES[name]) {
    case 'text':
      return (
        <TextField
          label={label}
          maxLength={300}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'longtext':
      return (
        <TextAreaField
          label={label}
          maxLength={20000}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'instant':
      return (
        <TextField
          label={label}
          type="datetime-local"
          value={toLocalInput(typeof value === 'string' ? value : null)}
          onChange={(event) => onChange(toInstant(event.target.value))}
        />
      );
    case 'count':
      return (
        <TextField
          label={label}
          type="number"
          min={0}
          step={1}
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
        />
      );
    case 'choice':
      return (
        <SelectField
          label={label}
          value={typeof value === 'string' ? value : 'unknown'}
          onChange={(event) => onChange(event.target.value)}
        >
          {CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {t(`report.choice.${choice}`)}
            </option>
          ))}
        </SelectField>
      );
    case 'people': {
      const rows = Array.isArray(value) ? value : [];
      const set = (next: People) => onChange(next);
      return (
        <fieldset className="fieldset">
          <legend>{label}</legend>
          {rows.map((row, index) => (
            <div className="jurisdiction-row" key={index}>
              <TextField
                label={<T id="report.table.jurisdiction" />}
                dir="ltr"
                required
                pattern={JURISDICTION_PATTERN}
                value={row.jurisdiction}
                onChange={(event) =>
                  set(
                    rows.map((r, i) =>
                      i === index ? { ...r, jurisdiction: event.target.value.toUpperCase() } : r,
                    ),
                  )
                }
              />
              <TextField
                label={<T id="report.table.people" />}
                type="number"
                min={0}
                value={row.people === null ? '' : String(row.people)}
                onChange={(event) =>
                  set(
                    rows.map((r, i) =>
                      i === index
                        ? { ...r, people: event.target.value === '' ? null : Number(event.target.value) }
                        : r,
                    ),
                  )
                }
              />
              <Button variant="ghost" onClick={() => set(rows.filter((_, i) => i !== index))}>
                <T id="app.action.remove" />
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => set([...rows, { jurisdiction: '', people: null }])}>
              <T id="app.incident.jurisdiction.add" />
            </Button>
          </div>
        </fieldset>
      );
    }
  }
}
