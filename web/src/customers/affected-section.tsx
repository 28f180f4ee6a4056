import { Fragment, useState } from 'react';
import { useIntl } from 'react-intl';
import { get, post, query } from '../api';
import { T, isMessageId, useRegionName, useT } from '../i18n';
import { CategoryPicker } from '../incidents/fields';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ConfirmButton } from '../ui/actions';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import {
  upload,
  type AffectedCounts,
  type AffectedView,
  type DataCategory,
  type FileMarkResult,
} from './model';
import { RevealPanel } from './reveal';
import './customers.css';

type Method = 'file' | 'segment' | 'all';
const PAGE = 50;

/**
 * The incident's affected customers: counts per country, region and category (they replace the
 * jurisdictions' estimates), marking by an uploaded file, a segment or everyone, and the list with
 * an exact search. Personal fields only through an audited reveal.
 */
export function AffectedCustomersSection(props: {
  incidentId: string;
  version?: number;
  onChanged?(): void;
}) {
  const { session } = useSession();
  return may(session, 'readCustomers') ? <Affected {...props} /> : null;
}

function Affected({
  incidentId,
  version,
  onChanged,
}: {
  incidentId: string;
  version?: number;
  onChanged?(): void;
}) {
  const { session } = useSession();
  const base = `/api/incidents/${incidentId}/affected-customers`;
  const counts = useLoad(() => get<AffectedCounts>(`${base}/counts`), `${incidentId}:${version ?? 0}`);
  const [listVersion, setListVersion] = useState(0);

  const changed = (next?: AffectedCounts) => {
    if (next) counts.setData(() => next);
    else void counts.reload();
    setListVersion((v) => v + 1);
    onChanged?.();
  };

  return (
    <Section title={<T id="app.affected.title" />} intro={<T id="app.affected.intro" />}>
      <ErrorNotice error={counts.error} />
      {counts.data ? <CountsView counts={counts.data} /> : counts.loading && <Loading />}
      {may(session, 'manageCustomers') && <MarkForm base={base} onMarked={changed} />}
      <AffectedList base={base} version={listVersion} />
    </Section>
  );
}

function CountsView({ counts }: { counts: AffectedCounts }) {
  const intl = useIntl();
  const regionName = useRegionName();
  const t = useT();
  if (counts.total === 0) {
    return (
      <p className="empty" data-testid="affected-total">
        <T id="app.affected.none" />
      </p>
    );
  }
  const table = (
    title: 'app.affected.byCountry' | 'app.affected.byRegion' | 'app.affected.byCategory',
    rows: { label: string; count: number }[],
    testId: string,
  ) => (
    <div className="table-wrap">
      <table className="table table-compact" data-testid={testId}>
        <caption>
          <T id={title} />
        </caption>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td className="number">{intl.formatNumber(row.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <div className="affected-counts" data-testid="affected-counts">
      <p className="affected-total" data-testid="affected-total">
        <T id="app.affected.total" values={{ count: counts.total }} />
      </p>
      <div className="grid">
        {table(
          'app.affected.byCountry',
          counts.byCountry.map((c) => ({
            label: c.country ? regionName(c.country) : t('app.affected.noCountry'),
            count: c.count,
          })),
          'affected-by-country',
        )}
        {counts.byRegion.length > 0 &&
          table(
            'app.affected.byRegion',
            counts.byRegion.map((r) => ({ label: regionName(r.region), count: r.count })),
            'affected-by-region',
          )}
        {table(
          'app.affected.byCategory',
          counts.byCategory.map((c) => ({
            label: isMessageId(`incident.category.${c.category}`)
              ? t(`incident.category.${c.category}` as 'incident.category.other')
              : c.category,
            count: c.count,
          })),
          'affected-by-category',
        )}
      </div>
    </div>
  );
}

function MarkForm({ base, onMarked }: { base: string; onMarked(counts: AffectedCounts): void }) {
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

function FileResult({ result }: { result: FileMarkResult }) {
  const t = useT();
  return (
    <div data-testid="file-result">
      <Notice tone={result.rejected + result.unmatched > 0 ? 'warning' : 'success'}>
        <p className="notice-title">
          <T
            id="app.affected.file.result"
            values={{
              read: result.read,
              matched: result.matched,
              rejected: result.rejected,
              unmatched: result.unmatched,
            }}
          />
        </p>
        <p>
          <T id="app.affected.marked" values={{ added: result.added, updated: result.updated }} />
        </p>
      </Notice>
      {result.problems.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="file-problems">
            <thead>
              <tr>
                <th scope="col">
                  <T id="app.affected.problem.line" />
                </th>
                <th scope="col">
                  <T id="app.affected.problem.column" />
                </th>
                <th scope="col">
                  <T id="app.affected.problem.reason" />
                </th>
              </tr>
            </thead>
            <tbody>
              {result.problems.map((p) => {
                const key = `app.affected.problem.${p.reason}`;
                return (
                  <tr key={`${p.line}:${p.reason}`}>
                    <td className="number">{p.line}</td>
                    <td dir="auto">{p.column ?? ''}</td>
                    <td>{isMessageId(key) ? t(key) : p.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function AffectedList({ base, version }: { base: string; version: number }) {
  const t = useT();
  const intl = useIntl();
  const { session } = useSession();
  const regionName = useRegionName();
  const [rows, setRows] = useState<AffectedView[]>([]);
  const [more, setMore] = useState(false);
  const [by, setBy] = useState<'email' | 'phone' | 'externalId'>('email');
  const [value, setValue] = useState('');
  const [found, setFound] = useState<AffectedView[]>();
  const [open, setOpen] = useState<string>();
  const search = useAction();
  const next = useAction();
  const first = useLoad(async () => {
    const page = await get<AffectedView[]>(`${base}${query({ limit: PAGE })}`);
    setRows(page);
    setMore(page.length === PAGE);
    return page;
  }, `${base}:${version}`);

  async function loadMore() {
    const last = rows[rows.length - 1];
    if (!last) return;
    const page = await next.run(() =>
      get<AffectedView[]>(`${base}${query({ limit: PAGE, after: last.customer.externalId })}`),
    );
    if (!page) return;
    setRows((list) => [...list, ...page]);
    setMore(page.length === PAGE);
  }

  async function find() {
    const result = await search.run(() => post<AffectedView[]>(`${base}/search`, { [by]: value.trim() }));
    if (result) setFound(result);
  }

  const reveal = may(session, 'revealCustomers');
  const shown = found ?? rows;
  return (
    <div className="subsection">
      <div className="subsection-header">
        <h3>
          <T id="app.affected.list" />
        </h3>
      </div>
      <Form onSubmit={find} className="filters">
        <SelectField
          label={<T id="app.customers.search.by" />}
          name="affected-search-by"
          value={by}
          onChange={(event) => setBy(event.target.value as typeof by)}
        >
          <option value="email">{t('app.customer.field.email')}</option>
          <option value="phone">{t('app.customer.field.phone')}</option>
          <option value="externalId">{t('app.customer.field.externalId')}</option>
        </SelectField>
        <TextField
          label={<T id="app.customers.search.value" />}
          name="affected-search-value"
          dir="ltr"
          autoComplete="off"
          required
          maxLength={320}
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <div className="row filters-actions">
          <Button type="submit" variant="primary" pending={search.pending}>
            <T id="app.customers.search.submit" />
          </Button>
          {found && (
            <Button
              variant="ghost"
              onClick={() => {
                setFound(undefined);
                setValue('');
              }}
            >
              <T id="app.customers.search.clear" />
            </Button>
          )}
        </div>
      </Form>
      <ErrorNotice error={search.error ?? first.error ?? next.error} />
      {first.loading && rows.length === 0 && !found ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p className="empty">
          <T id={found ? 'app.customers.search.none' : 'app.affected.list.none'} />
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="affected-list">
            <thead>
              <tr>
                <th scope="col">
                  <T id="app.customer.field.externalId" />
                </th>
                <th scope="col">
                  <T id="app.customer.field.country" />
                </th>
                <th scope="col">
                  <T id="app.affected.col.categories" />
                </th>
                <th scope="col">
                  <T id="app.affected.col.source" />
                </th>
                {reveal && (
                  <th scope="col">
                    <span className="visually-hidden">
                      <T id="app.customer.reveal" />
                    </span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => (
                <Fragment key={a.customer.id}>
                  <tr>
                    <td>
                      <Link to={`/customers/${a.customer.id}`} dir="auto">
                        {a.customer.externalId}
                      </Link>
                    </td>
                    <td>
                      {a.customer.region
                        ? regionName(a.customer.region)
                        : a.customer.country
                          ? regionName(a.customer.country)
                          : ''}
                    </td>
                    <td>
                      {intl.formatList(
                        a.dataCategories.map((c) =>
                          isMessageId(`incident.category.${c}`)
                            ? t(`incident.category.${c}` as 'incident.category.other')
                            : c,
                        ),
                        { type: 'unit' },
                      )}
                    </td>
                    <td>
                      {isMessageId(`app.affected.source.${a.source}`)
                        ? t(`app.affected.source.${a.source}` as 'app.affected.source.file')
                        : a.source}
                    </td>
                    {reveal && (
                      <td>
                        <Button
                          variant="ghost"
                          aria-expanded={open === a.customer.id}
                          onClick={() => setOpen(open === a.customer.id ? undefined : a.customer.id)}
                        >
                          <T id="app.affected.personal" />
                        </Button>
                      </td>
                    )}
                  </tr>
                  {reveal && open === a.customer.id && (
                    <tr className="row-editor">
                      <td colSpan={5}>
                        <RevealPanel customerId={a.customer.id} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!found && more && (
        <Button onClick={() => void loadMore()} pending={next.pending}>
          <T id="app.customers.more" />
        </Button>
      )}
    </div>
  );
}
