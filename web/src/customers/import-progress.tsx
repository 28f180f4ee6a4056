import { useIntl } from 'react-intl';
import { T, useT } from '../i18n';
import type { Progress } from './import-shared';

/** The upload's progress: bytes sent, and rows the server has read so far. */
export function ImportProgress({ progress }: { progress: Progress }) {
  const t = useT();
  const intl = useIntl();
  const bytes = (n: number) =>
    n >= 1024 * 1024
      ? intl.formatNumber(n / (1024 * 1024), { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 })
      : intl.formatNumber(n / 1024, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });

  return (
    <div className="import-progress" data-testid="import-progress" aria-live="polite">
      <progress
        max={progress.total || 1}
        value={progress.sent}
        aria-label={t('app.import.progress.bytesLabel')}
      />
      <p data-testid="progress-bytes">
        <T
          id="app.import.progress.bytes"
          values={{ sent: bytes(progress.sent), total: bytes(progress.total) }}
        />
      </p>
      <p data-testid="progress-rows">
        <T id="app.import.progress.rows" values={{ count: progress.rows?.read ?? 0 }} />
      </p>
    </div>
  );
}
