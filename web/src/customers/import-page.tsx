import { useEffect, useRef, useState } from 'react';
import { get } from '../api';
import { T } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form } from '../ui/form';
import { useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { ImportCliBox } from './import-cli-box';
import { MappingFieldset } from './import-mapping-fieldset';
import { ImportOptionsFields } from './import-options-fields';
import { ImportProgress } from './import-progress';
import type { Detected, Mapping, Options, Progress } from './import-shared';
import { SummaryView } from './import-summary';
import {
  IMPORT_FIELDS,
  detectDelimiter,
  formatOf,
  guessMapping,
  headerColumns,
  query,
  readHead,
  upload,
  type ImportSummary,
  type SavedMapping,
} from './model';
import { RecentImports } from './recent-imports';
import './customers.css';

/** The import: a file read in the browser for its header, mapped, uploaded with live progress, summarised. */
export function ImportPage() {
  const { session } = useSession();
  const [file, setFile] = useState<File>();
  const [options, setOptions] = useState<Options>({
    format: 'csv',
    encoding: 'auto',
    delimiter: 'auto',
    defaultCountry: '',
  });
  const [detected, setDetected] = useState<Detected>();
  const [mapping, setMapping] = useState<Mapping>({});
  const [saveAs, setSaveAs] = useState('');
  const [progress, setProgress] = useState<Progress>();
  const [summary, setSummary] = useState<ImportSummary>();
  const [failure, setFailure] = useState<unknown>();
  const [uploading, setUploading] = useState(false);
  const abort = useRef<() => void>(undefined);
  const mappings = useLoad(() => get<SavedMapping[]>('/api/import-mappings'));
  const recent = useLoad(() => get<ImportSummary[]>('/api/imports?limit=20'));

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
      setDetected({ charset: head.charset, delimiter, columns });
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
    const next: Mapping = {};
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
    // Every field shown is sent, '' for "not imported": the server guesses only when the page read
    // no header (it completes a mapping with the same guess, import-mapping-model.ts).
    const columns = Object.fromEntries(
      IMPORT_FIELDS.map((field) => [field, mapping[field] ?? '']).filter(
        ([, column]) => column || detected.columns.length > 0,
      ),
    );
    const chosen = Object.values(columns).some(Boolean);
    const params = query({
      id,
      format: options.format,
      // The encoding the columns were shown in is sent along, so the server reads the file the same way.
      encoding: options.encoding === 'auto' ? detected.charset.encoding : options.encoding,
      delimiter: options.format === 'csv' && options.delimiter !== 'auto' ? options.delimiter : undefined,
      defaultCountry: options.defaultCountry.trim().toUpperCase(),
      columns: Object.keys(columns).length ? JSON.stringify(columns) : undefined,
      saveMapping: saveAs.trim() && chosen ? saveAs.trim() : undefined,
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
              <ImportOptionsFields options={options} detected={detected} setOptions={setOptions} />
              <MappingFieldset
                saved={mappings.data}
                detected={detected}
                mapping={mapping}
                setMapping={setMapping}
                applySaved={applySaved}
                saveAs={saveAs}
                setSaveAs={setSaveAs}
              />
              <div className="row">
                <Button type="submit" variant="primary" pending={uploading} disabled={!detected}>
                  <T id="app.import.start" />
                </Button>
              </div>
            </>
          )}
        </Form>
        {progress && <ImportProgress progress={progress} />}
        <ErrorNotice error={failure} />
        {summary && <SummaryView summary={summary} reveal={may(session, 'revealCustomers')} />}
        {session?.organization && (
          <ImportCliBox organizationId={session.organization.id} fileName={file?.name} />
        )}
      </Section>
      <RecentImports recent={recent} />
    </>
  );
}
