import { useIntl } from 'react-intl';
import { T, Time } from '../i18n';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Section } from '../ui/layout';
import type { ImportSummary } from './model';

/** The organization's latest imports, with their status and counts. */
export function RecentImports({
  recent,
}: {
  recent: { data?: ImportSummary[]; error?: unknown; loading: boolean };
}) {
  const intl = useIntl();
  return (
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
                  <td className="nowrap">
                    <Time value={s.createdAt} />
                  </td>
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
