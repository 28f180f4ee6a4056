import { useState } from 'react';
import { post, query } from '../api';
import { T, useT } from '../i18n';
import { CategoryPicker } from '../incidents/fields';
import { ConfirmButton } from '../ui/actions';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { FileResult } from './affected-file-result';
import { upload, type AffectedCounts, type DataCategory, type FileMarkResult } from './model';

type Method = 'file' | 'segment' | 'all';

/** Marking customers affected: by an uploaded file of identifiers, a segment, or everyone. */
export function MarkForm({ base, onMarked }: { base: string; onMarked(counts: AffectedCounts): void }) {
  const t = useT();
  const [method, setMethod] = useState<Method>('file');
  const [categories, setCategories] = useState<DataCategory[]>([]);
  const [file, setFile] = useState<File>();
  const [fileKey, setFileKey] = useState(0);
  const [segment, setSegment] = useState({ country: '', region: '', tag: '' });
  const [sent, setSent] = useState<{ sent: number; total: number }>();
  const [result, setResult] = useState<FileMarkResult>();
  const [marked, setMarked] = useState<{ added: number; updated: number }>();
  const { run, pending, error } = useAction();

  async function markFile() {
    if (!file) return;
    setResult(undefined);
    setMarked(undefined);
    const done = await run(
      () =>
        upload<FileMarkResult>(
          `${base}/by-file${query({ categories: categories.join(',') })}`,
          file,
          'text/csv',
          (bytes, total) => setSent({ sent: bytes, total }),
        ).done,
    );
    if (done) {
      setResult(done);
      setFile(undefined);
      setFileKey((k) => k + 1);
      onMarked(done.counts);
    }
  }

  async function markSegment() {
    const body = {
      segment: {
        ...(segment.country.trim() ? { country: segment.country.trim().toUpperCase() } : {}),
        ...(segment.region.trim() ? { region: segment.region.trim().toUpperCase() } : {}),
        ...(segment.tag.trim() ? { tags: [segment.tag.trim()] } : {}),
      },
      categories,
    };
    const done = await run(() =>
      post<{ added: number; updated: number; counts: AffectedCounts }>(`${base}/by-segment`, body),
    );
    if (done) {
      setMarked(done);
      onMarked(done.counts);
    }
  }

  async function markAll() {
    const done = await run(() =>
      post<{ added: number; updated: number; counts: AffectedCounts }>(`${base}/all`, { categories }),
    );
    if (done) {
      setMarked(done);
      onMarked(done.counts);
    }
  }

  const segmentEmpty = !segment.country.trim() && !segment.region.trim() && !segment.tag.trim();
  return (
    <div className="subsection" data-testid="affected-mark">
      <div className="subsection-header">
        <h3>
          <T id="app.affected.mark" />
        </h3>
      </div>
      <Form onSubmit={method === 'file' ? markFile : method === 'segment' ? markSegment : () => undefined}>
        <SelectField
          label={<T id="app.affected.method" />}
          name="mark-method"
          value={method}
          onChange={(event) => {
            setMethod(event.target.value as Method);
            setResult(undefined);
            setMarked(undefined);
          }}
        >
          <option value="file">{t('app.affected.method.file')}</option>
          <option value="segment">{t('app.affected.method.segment')}</option>
          <option value="all">{t('app.affected.method.all')}</option>
        </SelectField>
        {method === 'file' && (
          <div className="field">
            <label htmlFor="affected-file">
              <T id="app.affected.file" />
            </label>
            <input
              key={fileKey}
              id="affected-file"
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              onChange={(event) => setFile(event.target.files?.[0])}
            />
            <p className="field-hint">
              <T id="app.affected.file.hint" />
            </p>
          </div>
        )}
        {method === 'segment' && (
          <div className="grid">
            <TextField
              label={<T id="app.customers.filter.country" />}
              name="segment-country"
              dir="ltr"
              pattern="[A-Za-z]{2}"
              maxLength={2}
              value={segment.country}
              onChange={(event) => setSegment({ ...segment, country: event.target.value })}
            />
            <TextField
              label={<T id="app.affected.segment.region" />}
              hint={<T id="app.affected.segment.region.hint" />}
              name="segment-region"
              dir="ltr"
              pattern="[A-Za-z]{2}-[A-Za-z0-9]{1,3}"
              maxLength={6}
              value={segment.region}
              onChange={(event) => setSegment({ ...segment, region: event.target.value })}
            />
            <TextField
              label={<T id="app.customers.filter.tag" />}
              name="segment-tag"
              maxLength={64}
              value={segment.tag}
              onChange={(event) => setSegment({ ...segment, tag: event.target.value })}
            />
          </div>
        )}
        <CategoryPicker value={categories} onChange={setCategories} />
        {method === 'file' && (
          <p className="field-hint">
            <T id="app.affected.file.categories" />
          </p>
        )}
        <ErrorNotice error={error} />
        <div className="row">
          {method === 'file' && (
            <Button type="submit" variant="primary" pending={pending} disabled={!file}>
              <T id="app.affected.file.submit" />
            </Button>
          )}
          {method === 'segment' && (
            <Button
              type="submit"
              variant="primary"
              pending={pending}
              disabled={segmentEmpty || categories.length === 0}
            >
              <T id="app.affected.segment.submit" />
            </Button>
          )}
          {method === 'all' && categories.length > 0 && (
            <ConfirmButton
              variant="secondary"
              question={<T id="app.affected.all.question" />}
              confirmLabel={<T id="app.affected.all.confirm" />}
              onConfirm={markAll}
              pending={pending}
            >
              <T id="app.affected.all.submit" />
            </ConfirmButton>
          )}
        </div>
        {pending && method === 'file' && sent && (
          <progress
            max={sent.total || 1}
            value={sent.sent}
            aria-label={t('app.import.progress.bytesLabel')}
          />
        )}
      </Form>
      {marked && (
        <Notice tone="success">
          <p className="notice-title" data-testid="mark-result">
            <T id="app.affected.marked" values={{ added: marked.added, updated: marked.updated }} />
          </p>
        </Notice>
      )}
      {result && <FileResult result={result} />}
    </div>
  );
}
