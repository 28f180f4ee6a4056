import { Fragment, useState } from 'react';
import { useIntl } from 'react-intl';
import { get, post, query } from '../api';
import { T, isMessageId, useRegionName, useT } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import type { AffectedView } from './model';
import { RevealPanel } from './reveal';

const PAGE = 50;

/** The affected customers, page by page, with an exact search; personal fields only through a reveal. */
export function AffectedList({ base, version }: { base: string; version: number }) {
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
