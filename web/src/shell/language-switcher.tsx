import { useId } from 'react';
import { patch } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT } from '../i18n';
import { useSession } from '../session';

/** The interface language: remembered on this device, and on the account once signed in. */
export function LanguageSwitcher() {
  const { locale, setLocale } = useLocale();
  const { session } = useSession();
  const t = useT();
  const id = useId();
  const signedIn = session?.state === 'active' || session?.state === 'enroll';
  function change(value: string) {
    if (!isLocale(value)) return;
    setLocale(value);
    // The session keeps working in the new language even if saving fails; the next change retries.
    if (signedIn) patch('/api/me', { locale: value }).catch(() => undefined);
  }
  return (
    <div className="language">
      <label htmlFor={id} className="visually-hidden">
        <T id="app.language.label" />
      </label>
      <svg className="language-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="9" />
        <path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3Z" />
      </svg>
      <select
        id={id}
        value={locale}
        onChange={(event) => change(event.target.value)}
        title={t('app.language.label')}
        data-testid="language"
      >
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {t(LANGUAGE_NAMES[code])}
          </option>
        ))}
      </select>
    </div>
  );
}
