import { useState } from 'react';
import { get } from '../api';
import { T } from '../i18n';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { CountsView } from './affected-counts';
import { AffectedList } from './affected-list';
import { MarkForm } from './affected-mark-form';
import type { AffectedCounts } from './model';
import './customers.css';

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
