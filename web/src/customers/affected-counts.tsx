import { useIntl } from 'react-intl';
import { T, isMessageId, useRegionName, useT } from '../i18n';
import type { AffectedCounts } from './model';

/** How many customers the incident affects, by country, region and data category. */
export function CountsView({ counts }: { counts: AffectedCounts }) {
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
