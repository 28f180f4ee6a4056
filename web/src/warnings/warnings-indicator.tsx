import { useIntl } from 'react-intl';
import { useT } from '../i18n';
import { Link, usePathname } from '../router';
import { useUnreadWarnings } from './store';

/** The bell in the top bar: how many deadline warnings are unread, and the way to them. */
export function WarningsIndicator() {
  const t = useT();
  const intl = useIntl();
  const count = useUnreadWarnings() ?? 0;
  const path = usePathname();
  return (
    <Link
      to="/warnings"
      className={`warnings-link${count > 0 ? ' warnings-link-unread' : ''}`}
      data-testid="warnings-link"
      data-count={count}
      aria-current={path === '/warnings' ? 'page' : undefined}
      aria-label={t('app.warnings.indicator', { count })}
      title={t('app.warnings.indicator', { count })}
    >
      <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4l2-2Zm4 4h4" />
      </svg>
      {count > 0 && (
        <span className="warnings-count" aria-hidden="true">
          {intl.formatNumber(count)}
        </span>
      )}
    </Link>
  );
}
