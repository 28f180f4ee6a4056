import { useEffect, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { get } from '../api';
import { isMessageId, T, useFormatDate, useT } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import {
  DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  detectDelimiter,
  formatOf,
  guessMapping,
  headerColumns,
  query,
  readHead,
  upload,
  type Delimiter,
  type ImportEncoding,
  type ImportField,
  type ImportSummary,
  type SavedMapping,
} from './model';
import './customers.css';

interface Options {
  format: 'csv' | 'jsonl';
  encoding: ImportEncoding | 'auto';
  delimiter: Delimiter | 'auto';
  defaultCountry: string;
}

interface Detected {
  encoding: ImportEncoding;
  guessed: boolean;
  delimiter: Delimiter;
  columns: string[];
}

const delimiterLabel = (d: Delimiter) =>
  d === ','
    ? 'app.import.delimiter.comma'
    : d === ';'
      ? 'app.import.delimiter.semicolon'
      : 'app.import.delimiter.tab';

/** The import: a file read in the browser for its header, mapped, uploaded with live progress, summarised. */
export function ImportPage() {
  const t = useT();
  const intl = useIntl();
  const { session } = useSession();
  const [file, setFile] = useState<File>();
  const [options, setOptions] = useState<Options>({
    format: 'csv',
    encoding: 'auto',
    delimiter: 'auto',
    defaultCountry: '',
  });
  const [detected, setDetected] = useState<Detected>();
  const [mapping, setMapping] = useState<Partial<Record<ImportField, string>>>({});
  const [saveAs, setSaveAs] = useState('');
  const [progress, setProgress] = useState<{ sent: number; total: number; rows?: ImportSummary }>();
  const [summary, setSummary] = useState<ImportSummary>();
  const [failure, setFailure] = useState<unknown>();
  const [uploading, setUploading] = useState(false);
  const abort = useRef<() => void>(undefined);
  const mappings = useLoad(() => get<SavedMapping[]>('/api/import-mappings'));
  const recent = useLoad(() => get<ImportSummary[]>('/api/imports?limit=20'));
  const formatDate = useFormatDate();

  useEffect(() => () => abort.current?.(), []);

  // The header is read again whenever the file or the way to read it changes.
  useEffect(() => {
    if (!file) return;
    let current = true;
    void readHead(file, options.encoding === 'auto' ? undefined : options.encoding).then((head) => {
      if (!current) return;
      const firstLine = head.text.split(/\r?\n/)[0] ?? '';
      const delimiter = detectDelimiter(firstLine);
      const columns = headerColumns(
        head.text,
        options.format,
        options.delimiter === 'auto' ? delimiter : options.delimiter,
      );
      setDetected({ encoding: head.encoding, guessed: head.guessed, delimiter, columns });
      setMapping(guessMapping(columns));
    });
    return () => {
      current = false;
    };
  }, [file, options.encoding, options.delimiter, options.format]);

  function choose(chosen: File | undefined) {
    setFile(chosen);
    setSummary(undefined);
    setFailure(undefined);
    setProgress(undefined);
    setDetected(undefined);
    if (chosen) setOptions((o) => ({ ...o, format: formatOf(chosen.name) }));
  }

  function applySaved(name: string) {
    const saved = mappings.data?.find((m) => m.name === name);
    if (!saved) return;
    const next: Partial<Record<ImportField, string>> = {};
    for (const field of IMPORT_FIELDS) {
      const column = saved.mapping[field];
      if (column) next[field] = column;
    }
    setMapping(next);
    setSaveAs(name);
  }

  async function start() {
    if (!file || !detected) return;
    const id = crypto.randomUUID();
    const columns = Object.fromEntries(Object.entries(mapping).filter(([, column]) => column));
    const params = query({
      id,
      format: options.format,
      // The browser's reading of the file is sent along: the server cannot tell code pages apart.
      encoding: options.encoding === 'auto' ? detected.encoding : options.encoding,
      delimiter: options.format === 'csv' && options.delimiter !== 'auto' ? options.delimiter : undefined,
      defaultCountry: options.defaultCountry.trim().toUpperCase(),
      columns: Object.keys(columns).length ? JSON.stringify(columns) : undefined,
      saveMapping: saveAs.trim() && Object.keys(columns).length ? saveAs.trim() : undefined,
    });
    setUploading(true);
    setSummary(undefined);
    setFailure(undefined);
    setProgress({ sent: 0, total: file.size });
    const contentType = options.format === 'jsonl' ? 'application/x-ndjson' : 'text/csv';
    const sending = upload<ImportSummary>(`/api/imports${params}`, file, contentType, (sent, total) =>
      setProgress((p) => ({ ...p, sent, total })),
    );
    abort.current = sending.abort;
    // Rows committed so far, read from the import's own record while the file is still on its way.
    let polling = true;
    const poll = async () => {
      while (polling) {
        // From the list (never a 404 while the server has not yet opened the import).
        const list = await get<ImportSummary[]>('/api/imports?limit=20').catch(() => undefined);
        const rows = list?.find((s) => s.id === id);
        if (rows && polling) setProgress((p) => (p ? { ...p, rows } : p));
        await new Promise((resolve) => window.setTimeout(resolve, 400));
      }
    };
    void poll();
    try {
      const done = await sending.done;
      setSummary(done);
      setProgress((p) => (p ? { ...p, sent: p.total, rows: done } : p));
    } catch (error) {
      setFailure(error);
    } finally {
      polling = false;
      abort.current = undefined;
      setUploading(false);
      void recent.reload();
      void mappings.reload();
    }
  }

  const bytes = (n: number) =>
    n >= 1024 * 1024
      ? intl.formatNumber(n / (1024 * 1024), { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 })
      : intl.formatNumber(n / 1024, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });

  return (
    <>
      <PageHeader
        heading="app.import.title"
        intro={<T id="app.import.intro" />}
        actions={
          <Link to="/customers" className="button button-secondary">
            <T id="app.customer.back" />
          </Link>
        }
      />
      <Section title={<T id="app.import.file" />}>
        <Form onSubmit={start}>
          <div className="field">
            <label htmlFor="import-file">
              <T id="app.import.file.choose" />
            </label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.txt,.tsv,.jsonl,.ndjson,text/csv"
              disabled={uploading}
              onChange={(event) => choose(event.target.files?.[0])}
            />
            <p className="field-hint">
              <T id="app.import.file.hint" />
            </p>
          </div>
          {file && (
            <>
              <div className="grid">
                <SelectField
                  label={<T id="app.import.format" />}
                  value={options.format}
                  onChange={(event) =>
                    setOptions({ ...options, format: event.target.value as Options['format'] })
                  }
                >
                  <option value="csv">{t('app.import.format.csv')}</option>
                  <option value="jsonl">{t('app.import.format.jsonl')}</option>
                </SelectField>
                <SelectField
                  label={<T id="app.import.encoding" />}
                  hint={
                    detected &&
                    options.encoding === 'auto' && (
                      <span data-testid="detected-encoding">
                        <T
                          id={
                            detected.guessed ? 'app.import.encoding.guessed' : 'app.import.encoding.detected'
                          }
                          values={{ encoding: t(`app.import.encoding.${detected.encoding}`) }}
                        />
                      </span>
                    )
                  }
                  value={options.encoding}
                  onChange={(event) =>
                    setOptions({ ...options, encoding: event.target.value as Options['encoding'] })
                  }
                >
                  <option value="auto">{t('app.import.auto')}</option>
                  {IMPORT_ENCODINGS.map((e) => (
                    <option key={e} value={e}>
                      {t(`app.import.encoding.${e}`)}
                    </option>
                  ))}
                </SelectField>
                {options.format === 'csv' && (
                  <SelectField
                    label={<T id="app.import.delimiter" />}
                    hint={
                      detected &&
                      options.delimiter === 'auto' && (
                        <span data-testid="detected-delimiter">
                          <T
                            id="app.import.delimiter.detected"
                            values={{ delimiter: t(delimiterLabel(detected.delimiter)) }}
                          />
                        </span>
                      )
                    }
                    value={options.delimiter}
                    onChange={(event) =>
                      setOptions({ ...options, delimiter: event.target.value as Options['delimiter'] })
                    }
                  >
                    <option value="auto">{t('app.import.auto')}</option>
                    {DELIMITERS.map((d) => (
                      <option key={d} value={d}>
                        {t(delimiterLabel(d))}
                      </option>
                    ))}
                  </SelectField>
                )}
                <TextField
                  label={<T id="app.import.defaultCountry" />}
                  hint={<T id="app.import.defaultCountry.hint" />}
                  name="default-country"
                  dir="ltr"
                  pattern="[A-Za-z]{2}"
                  maxLength={2}
                  value={options.defaultCountry}
                  onChange={(event) => setOptions({ ...options, defaultCountry: event.target.value })}
                />
              </div>
              <fieldset className="fieldset">
                <legend>
                  <T id="app.import.mapping" />
                </legend>
                <p className="field-hint">
                  <T id="app.import.mapping.hint" />
                </p>
                {(mappings.data?.length ?? 0) > 0 && (
                  <SelectField
                    label={<T id="app.import.mapping.saved" />}
                    value=""
                    onChange={(event) => applySaved(event.target.value)}
                  >
                    <option value="">{t('app.import.mapping.savedChoose')}</option>
                    {mappings.data!.map((m) => (
                      <option key={m.name} value={m.name}>
                        {m.name}
                      </option>
                    ))}
                  </SelectField>
                )}
                {detected && detected.columns.length === 0 && (
                  <Notice tone="warning">
                    <T id="app.import.mapping.noHeader" />
                  </Notice>
                )}
                <div className="mapping-grid" data-testid="mapping">
                  {IMPORT_FIELDS.map((field) => (
                    <SelectField
                      key={field}
                      label={<T id={`app.import.field.${field}`} />}
                      value={mapping[field] ?? ''}
                      onChange={(event) =>
                        setMapping({ ...mapping, [field]: event.target.value || undefined })
                      }
                    >
                      <option value="">{t('app.import.mapping.none')}</option>
                      {[
                        ...new Set([
                          ...(detected?.columns ?? []),
                          ...(mapping[field] ? [mapping[field]] : []),
                        ]),
                      ].map((column) => (
                        <option key={column} value={column}>
                          {column}
                        </option>
                      ))}
                    </SelectField>
                  ))}
                </div>
                <TextField
                  label={<T id="app.import.mapping.saveAs" />}
                  hint={<T id="app.import.mapping.saveAs.hint" />}
                  name="save-mapping"
                  maxLength={100}
                  value={saveAs}
                  onChange={(event) => setSaveAs(event.target.value)}
                />
              </fieldset>
              <div className="row">
                <Button type="submit" variant="primary" pending={uploading} disabled={!detected}>
                  <T id="app.import.start" />
                </Button>
              </div>
            </>
          )}
        </Form>
        {progress && (
          <div className="import-progress" data-testid="import-progress" aria-live="polite">
            <progress
              max={progress.total || 1}
              value={progress.sent}
              aria-label={t('app.import.progress.bytesLabel')}
            />
            <p data-testid="progress-bytes">
              <T
                id="app.import.progress.bytes"
                values={{ sent: bytes(progress.sent), total: bytes(progress.total) }}
              />
            </p>
            <p data-testid="progress-rows">
              <T id="app.import.progress.rows" values={{ count: progress.rows?.read ?? 0 }} />
            </p>
          </div>
        )}
        <ErrorNotice error={failure} />
        {summary && <SummaryView summary={summary} reveal={may(session, 'revealCustomers')} />}
      </Section>
      <Section title={<T id="app.import.recent" />}>
        <ErrorNotice error={recent.error} />
        {!recent.data ? (
          recent.loading && <Loading />
        ) : recent.data.length === 0 ? (
          <p className="empty">
            <T id="app.import.recent.none" />
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="recent-imports">
              <thead>
                <tr>
                  <th scope="col">
                    <T id="app.import.col.started" />
                  </th>
                  <th scope="col">
                    <T id="app.import.col.status" />
                  </th>
                  <th scope="col">
                    <T id="app.import.summary.read" />
                  </th>
                  <th scope="col">
                    <T id="app.import.summary.inserted" />
                  </th>
                  <th scope="col">
                    <T id="app.import.summary.updated" />
                  </th>
                  <th scope="col">
                    <T id="app.import.summary.unchanged" />
                  </th>
                  <th scope="col">
                    <T id="app.import.summary.rejected" />
                  </th>
                </tr>
              </thead>
              <tbody>
                {recent.data.map((s) => (
                  <tr key={s.id} data-status={s.status}>
                    <td className="nowrap">{formatDate(s.createdAt)}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>{intl.formatNumber(s.read)}</td>
                    <td>{intl.formatNumber(s.inserted)}</td>
                    <td>{intl.formatNumber(s.updated)}</td>
                    <td>{intl.formatNumber(s.unchanged)}</td>
                    <td>{intl.formatNumber(s.rejected)}</td>
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

function StatusBadge({ status }: { status: ImportSummary['status'] }) {
  const tone = status === 'completed' ? 'success' : status === 'failed' ? 'danger' : 'info';
  return (
    <Badge tone={tone}>
      <T id={`app.import.status.${status}`} />
    </Badge>
  );
}

/** The counts of a finished import: read = inserted + updated + unchanged + rejected. */
function SummaryView({ summary, reveal }: { summary: ImportSummary; reveal: boolean }) {
  const intl = useIntl();
  const failure = `app.import.failure.${summary.failure ?? ''}`;
  return (
    <div className="import-summary" data-testid="import-summary" data-status={summary.status}>
      {summary.status === 'failed' ? (
        <Notice tone="warning">
          <p className="notice-title">
            <T id={isMessageId(failure) ? failure : 'app.import.failure.other'} />
          </p>
        </Notice>
      ) : (
        <Notice tone="success">
          <p className="notice-title">
            <T id="app.import.done" />
          </p>
        </Notice>
      )}
      <dl className="facts facts-compact summary-counts">
        {(['read', 'inserted', 'updated', 'unchanged', 'rejected'] as const).map((key) => (
          <div key={key}>
            <dt>
              <T id={`app.import.summary.${key}`} />
            </dt>
            <dd data-testid={`summary-${key}`}>{intl.formatNumber(summary[key])}</dd>
          </div>
        ))}
      </dl>
      {summary.rejected > 0 &&
        (reveal ? (
          <a
            className="button button-secondary"
            href={`/api/imports/${summary.id}/errors`}
            download={`import-errors-${summary.id}.json`}
            data-testid="error-report"
          >
            <T id="app.import.errors.download" />
          </a>
        ) : (
          <p className="field-hint">
            <T id="app.import.errors.notAllowed" />
          </p>
        ))}
    </div>
  );
}
