import { useState } from 'react';
import { get, post, query } from '../api';
import { T, useLanguageName, useRegionName, useT, Time } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import type { CustomerView } from './model';
import './customers.css';

const PAGE = 50;

interface Filters {
  tag: string;
  country: string;
}
const EMPTY: Filters = { tag: '', country: '' };

/** The customer vault: clear fields only, pages of 50, filters and an exact search by e-mail or phone. */
export function CustomersPage() {
  const { session } = useSession();
  const t = useT();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<CustomerView[]>([]);
  const [more, setMore] = useState(false);
  const [found, setFound] = useState<CustomerView[]>();
  const [by, setBy] = useState<'email' | 'phone'>('email');
  const [value, setValue] = useState('');
  const search = useAction();
  const next = useAction();

  const listQuery = (after?: string) =>
    query({ limit: PAGE, tag: filters.tag.trim(), country: filters.country.trim().toUpperCase(), after });

  const first = useLoad(async () => {
    const page = await get<CustomerView[]>(`/api/customers${listQuery()}`);
    setRows(page);
    setMore(page.length === PAGE);
    return page;
  }, filters);

  async function loadMore() {
    const last = rows[rows.length - 1];
    if (!last) return;
    const page = await next.run(() => get<CustomerView[]>(`/api/customers${listQuery(last.externalId)}`));
    if (!page) return;
    setRows((list) => [...list, ...page]);
    setMore(page.length === PAGE);
  }

  async function find() {
    const result = await search.run(() =>
      post<CustomerView[]>('/api/customers/search', { [by]: value.trim() }),
    );
    if (result) setFound(result);
  }

  return (
    <>
      <PageHeader
        heading="app.customers.title"
        intro={<T id="app.customers.intro" />}
        actions={
          may(session, 'manageCustomers') && (
            <Link to="/customers/import" className="button button-primary" data-testid="import-link">
              <T id="app.customers.import" />
            </Link>
          )
        }
      />
      <Section title={<T id="app.customers.search" />} intro={<T id="app.customers.search.intro" />}>
        <Form onSubmit={find} className="filters">
          <SelectField
            label={<T id="app.customers.search.by" />}
            name="search-by"
            value={by}
            onChange={(event) => setBy(event.target.value as 'email' | 'phone')}
          >
            <option value="email">{t('app.customer.field.email')}</option>
            <option value="phone">{t('app.customer.field.phone')}</option>
          </SelectField>
          <TextField
            label={<T id="app.customers.search.value" />}
            name="search-value"
            type={by === 'email' ? 'email' : 'tel'}
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
        <ErrorNotice error={search.error} />
        {found &&
          (found.length === 0 ? (
            <p className="empty" data-testid="search-none">
              <T id="app.customers.search.none" />
            </p>
          ) : (
            <CustomerTable rows={found} testId="search-results" />
          ))}
      </Section>
      <Section title={<T id="app.customers.list" />}>
        <Form onSubmit={() => setFilters(draft)} className="filters">
          <TextField
            label={<T id="app.customers.filter.tag" />}
            name="tag"
            maxLength={64}
            value={draft.tag}
            onChange={(event) => setDraft({ ...draft, tag: event.target.value })}
          />
          <TextField
            label={<T id="app.customers.filter.country" />}
            hint={<T id="app.customers.filter.country.hint" />}
            name="country"
            dir="ltr"
            pattern="[A-Za-z]{2}"
            maxLength={2}
            value={draft.country}
            onChange={(event) => setDraft({ ...draft, country: event.target.value })}
          />
          <div className="row filters-actions">
            <Button type="submit" variant="primary">
              <T id="app.audit.apply" />
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(EMPTY);
                setFilters(EMPTY);
              }}
            >
              <T id="app.audit.clear" />
            </Button>
          </div>
        </Form>
        <ErrorNotice error={first.error ?? next.error} />
        {first.loading && rows.length === 0 ? (
          <Loading />
        ) : rows.length === 0 ? (
          <p className="empty">
            <T id="app.customers.none" />
          </p>
        ) : (
          <>
            <CustomerTable rows={rows} testId="customers" />
            {more && (
              <Button onClick={() => void loadMore()} pending={next.pending}>
                <T id="app.customers.more" />
              </Button>
            )}
          </>
        )}
      </Section>
    </>
  );
}

export function CustomerTable({ rows, testId }: { rows: CustomerView[]; testId?: string }) {
  const regionName = useRegionName();
  const languageName = useLanguageName();
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">
              <T id="app.customer.field.externalId" />
            </th>
            <th scope="col">
              <T id="app.customer.field.country" />
            </th>
            <th scope="col">
              <T id="app.customer.field.language" />
            </th>
            <th scope="col">
              <T id="app.customer.field.tags" />
            </th>
            <th scope="col">
              <T id="app.customer.field.updated" />
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/customers/${c.id}`} dir="auto">
                  {c.externalId}
                </Link>
              </td>
              <td>{c.region ? regionName(c.region) : c.country ? regionName(c.country) : ''}</td>
              <td>{c.language ? languageName(c.language) : ''}</td>
              <td>
                <span className="tags">
                  {c.tags.map((tag) => (
                    <span key={tag} className="badge" dir="auto">
                      {tag}
                    </span>
                  ))}
                </span>
              </td>
              <td className="nowrap">
                <Time value={c.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
