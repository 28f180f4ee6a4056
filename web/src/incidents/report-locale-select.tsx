import type { ReactNode } from 'react';
import { LANGUAGE_NAMES, LOCALES, isLocale, useT, type Locale } from '../i18n';
import { SelectField } from '../ui/form';

/** A choice of one of the interface's languages, each named in the viewer's. */
export function LocaleSelect({
  label,
  value,
  onChange,
}: {
  label: ReactNode;
  value: Locale;
  onChange(locale: Locale): void;
}) {
  const t = useT();
  return (
    <SelectField
      label={label}
      value={value}
      onChange={(event) => isLocale(event.target.value) && onChange(event.target.value)}
    >
      {LOCALES.map((code) => (
        <option key={code} value={code} lang={code}>
          {t(LANGUAGE_NAMES[code])}
        </option>
      ))}
    </SelectField>
  );
}
