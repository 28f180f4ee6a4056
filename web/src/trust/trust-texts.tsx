import { LANGUAGE_NAMES, LOCALES, T, useT, type Locale, type MessageId } from '../i18n';
import { TextAreaField, TextField } from '../ui/form';
import type { PerLanguage } from './trust-api';
import { FieldError } from './trust-errors';

export const dirOf = (locale: Locale) => (locale === 'ar' ? 'rtl' : 'ltr');

/** One text field of a per-language form: a line or a paragraph. */
export interface TextFieldSpec<K extends string> {
  key: K;
  label: MessageId;
  multiline?: boolean;
  maxLength: number;
}

/**
 * A form's words side by side in every language (each optional), each field in its language's
 * direction: Arabic is written right to left.
 */
export function PerLanguageFields<K extends string>({
  idPrefix,
  fields,
  texts,
  onChange,
  readOnly,
  error,
}: {
  idPrefix: string;
  fields: readonly TextFieldSpec<K>[];
  texts: PerLanguage<Record<K, string>>;
  onChange(texts: PerLanguage<Record<K, string>>): void;
  readOnly?: boolean;
  error: unknown;
}) {
  const t = useT();
  const empty = Object.fromEntries(fields.map((f) => [f.key, ''])) as Record<K, string>;
  return (
    <div className="trust-languages">
      {LOCALES.map((locale) => {
        const text = texts[locale] ?? empty;
        return (
          <fieldset key={locale} className="fieldset trust-language" data-testid={`${idPrefix}-${locale}`}>
            <legend lang={locale}>{t(LANGUAGE_NAMES[locale])}</legend>
            {fields.map((field) => {
              const props = {
                label: <T id={field.label} />,
                name: `${idPrefix}-${locale}-${field.key}`,
                lang: locale,
                dir: dirOf(locale),
                readOnly,
                maxLength: field.maxLength,
                value: text[field.key],
              };
              const change = (value: string) =>
                onChange({ ...texts, [locale]: { ...text, [field.key]: value } });
              return (
                <div key={field.key}>
                  {field.multiline ? (
                    <TextAreaField {...props} rows={3} onChange={(event) => change(event.target.value)} />
                  ) : (
                    <TextField {...props} onChange={(event) => change(event.target.value)} />
                  )}
                  <FieldError error={error} where={`body/texts/${locale}/${field.key}`} />
                </div>
              );
            })}
          </fieldset>
        );
      })}
    </div>
  );
}
