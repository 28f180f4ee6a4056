import { useIntl } from 'react-intl';
import { isMessageId, T } from '../i18n';
import { Notice } from '../ui/feedback';
import type { ImportSummary } from './model';

/** The counts of a finished import: read = inserted + updated + unchanged + rejected. */
export function SummaryView({ summary, reveal }: { summary: ImportSummary; reveal: boolean }) {
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
