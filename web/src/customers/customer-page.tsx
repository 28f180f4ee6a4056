import { useState } from 'react';
import { del, get, query } from '../api';
import { T, useLanguageName, useRegionName, Time } from '../i18n';
import { Link, navigate } from '../router';
import { may, useSession } from '../session';
import { ConfirmButton } from '../ui/actions';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import type { CustomerView, RevealReason } from './model';
import { ReasonField, RevealPanel } from './reveal';
import './customers.css';

/** One customer: clear fields; personal ones only after a reveal with a reason; erase; data-subject export. */
export function CustomerPage({ id }: { id: string }) {
  const { session } = useSession();
  const customer = useLoad(() => get<CustomerView>(`/api/customers/${id}`), id);
  const remove = useAction();

  async function erase() {
    const done = await remove.run(async () => {
      await del(`/api/customers/${id}`);
      return true;
    });
    if (done) navigate('/customers', { replace: true });
  }

  const back = (
    <Link to="/customers" className="button button-secondary">
      <T id="app.customer.back" />
    </Link>
  );
  if (!customer.data) {
    return (
      <>
        <PageHeader heading="app.customer.page" actions={back} />
        <ErrorNotice error={customer.error} />
        {customer.loading && <Loading />}
      </>
    );
  }
  const c = customer.data;
  const reveal = may(session, 'revealCustomers');
  return (
    <>
      <PageHeader heading="app.customer.page" text={c.externalId} actions={back} />
      <Section title={<T id="app.customer.clear" />} intro={<T id="app.customer.clear.intro" />}>
        <ClearFacts customer={c} />
      </Section>
      {reveal && (
        <Section title={<T id="app.customer.personal" />} intro={<T id="app.customer.personal.intro" />}>
          <RevealPanel customerId={c.id} />
        </Section>
      )}
      {reveal && (
        <Section title={<T id="app.customer.export" />} intro={<T id="app.customer.export.intro" />}>
          <ExportForm customerId={c.id} />
        </Section>
      )}
      {may(session, 'manageCustomers') && (
        <Section title={<T id="app.customer.erase" />} intro={<T id="app.customer.erase.intro" />}>
          <ErrorNotice error={remove.error} />
          <div className="row">
            <ConfirmButton
              question={<T id="app.customer.erase.question" />}
              confirmLabel={<T id="app.customer.erase.confirm" />}
              onConfirm={erase}
              pending={remove.pending}
            >
              <T id="app.customer.erase" />
            </ConfirmButton>
          </div>
        </Section>
      )}
    </>
  );
}

function ClearFacts({ customer: c }: { customer: CustomerView }) {
  const regionName = useRegionName();
  const languageName = useLanguageName();
  const notSet = (
    <span className="muted">
      <T id="app.customer.notSet" />
    </span>
  );
  const yesNo = (on: boolean) => <T id={on ? 'app.customer.consent.yes' : 'app.customer.consent.no'} />;
  return (
    <dl className="facts facts-compact" data-testid="customer-facts">
      <div>
        <dt>
          <T id="app.customer.field.externalId" />
        </dt>
        <dd dir="auto">{c.externalId}</dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.country" />
        </dt>
        <dd>{c.country ? regionName(c.country) : notSet}</dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.region" />
        </dt>
        <dd>{c.region ? regionName(c.region) : notSet}</dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.language" />
        </dt>
        <dd>{c.language ? languageName(c.language) : notSet}</dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.timeZone" />
        </dt>
        <dd dir="ltr">{c.timeZone ?? notSet}</dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.tags" />
        </dt>
        <dd>
          {c.tags.length ? (
            <span className="tags">
              {c.tags.map((tag) => (
                <Badge key={tag}>{tag}</Badge>
              ))}
            </span>
          ) : (
            notSet
          )}
        </dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.consent" />
        </dt>
        <dd>
          <ul className="plain-list">
            <li>
              <T id="app.customer.consent.email" values={{ answer: yesNo(c.consent.email) }} />
            </li>
            <li>
              <T id="app.customer.consent.sms" values={{ answer: yesNo(c.consent.sms) }} />
            </li>
            <li>
              <T id="app.customer.consent.webhook" values={{ answer: yesNo(c.consent.webhook) }} />
            </li>
          </ul>
        </dd>
      </div>
      {Object.entries(c.attributes).map(([key, value]) => (
        <div key={key}>
          <dt dir="auto">{key}</dt>
          <dd dir="auto">{value}</dd>
        </div>
      ))}
      <div>
        <dt>
          <T id="app.customer.field.updated" />
        </dt>
        <dd>
          <Time value={c.updatedAt} />
        </dd>
      </div>
    </dl>
  );
}

/** The data-subject export: a reason, then the JSON file (the server audits the download). */
function ExportForm({ customerId }: { customerId: string }) {
  const [reason, setReason] = useState<RevealReason | ''>('');
  return (
    <div className="row export-row">
      <ReasonField value={reason} onChange={setReason} name="export-reason" />
      {reason ? (
        <a
          className="button button-secondary"
          href={`/api/customers/${customerId}/export${query({ reason })}`}
          download
          data-testid="customer-export"
        >
          <T id="app.customer.export.download" />
        </a>
      ) : null}
    </div>
  );
}
