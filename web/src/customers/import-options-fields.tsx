import { T, useT } from '../i18n';
import { SelectField, TextField } from '../ui/form';
import type { Detected, Options } from './import-shared';
import { DELIMITERS, IMPORT_ENCODINGS, type Charset, type Delimiter } from './model';

const delimiterLabel = (d: Delimiter) =>
  d === ','
    ? 'app.import.delimiter.comma'
    : d === ';'
      ? 'app.import.delimiter.semicolon'
      : 'app.import.delimiter.tab';

/** What the hint under the encoding says: found for certain, guessed from the letters, or not recognised. */
const charsetHint = (by: Charset['by']) =>
  by === 'letters'
    ? 'app.import.encoding.guessed'
    : by === 'none'
      ? 'app.import.encoding.unrecognised'
      : 'app.import.encoding.detected';

/** How the file is read (format, encoding, delimiter: detected unless chosen) and the default country. */
export function ImportOptionsFields({
  options,
  detected,
  setOptions,
}: {
  options: Options;
  detected: Detected | undefined;
  setOptions(options: Options): void;
}) {
  const t = useT();
  return (
    <div className="grid">
      <SelectField
        label={<T id="app.import.format" />}
        value={options.format}
        onChange={(event) => setOptions({ ...options, format: event.target.value as Options['format'] })}
      >
        <option value="csv">{t('app.import.format.csv')}</option>
        <option value="jsonl">{t('app.import.format.jsonl')}</option>
      </SelectField>
      <SelectField
        label={<T id="app.import.encoding" />}
        hint={
          detected &&
          options.encoding === 'auto' && (
            <span data-testid="detected-encoding">
              <T
                id={charsetHint(detected.charset.by)}
                values={{ encoding: t(`app.import.encoding.${detected.charset.encoding}`) }}
              />
            </span>
          )
        }
        value={options.encoding}
        onChange={(event) => setOptions({ ...options, encoding: event.target.value as Options['encoding'] })}
      >
        {/* Preselected, and naming what was detected: another choice overrides it. */}
        <option value="auto">
          {detected
            ? t('app.import.auto.detected', {
                encoding: t(`app.import.encoding.${detected.charset.encoding}`),
              })
            : t('app.import.auto')}
        </option>
        {IMPORT_ENCODINGS.map((e) => (
          <option key={e} value={e}>
            {t(`app.import.encoding.${e}`)}
          </option>
        ))}
      </SelectField>
      {options.format === 'csv' && (
        <SelectField
          label={<T id="app.import.delimiter" />}
          hint={
            detected &&
            options.delimiter === 'auto' && (
              <span data-testid="detected-delimiter">
                <T
                  id="app.import.delimiter.detected"
                  values={{ delimiter: t(delimiterLabel(detected.delimiter)) }}
                />
              </span>
            )
          }
          value={options.delimiter}
          onChange={(event) =>
            setOptions({ ...options, delimiter: event.target.value as Options['delimiter'] })
          }
        >
          <option value="auto">{t('app.import.auto')}</option>
          {DELIMITERS.map((d) => (
            <option key={d} value={d}>
              {t(delimiterLabel(d))}
            </option>
          ))}
        </SelectField>
      )}
      <TextField
        label={<T id="app.import.defaultCountry" />}
        hint={<T id="app.import.defaultCountry.hint" />}
        name="default-country"
        dir="ltr"
        pattern="[A-Za-z]{2}"
        maxLength={2}
        value={options.defaultCountry}
        onChange={(event) => setOptions({ ...options, defaultCountry: event.target.value })}
      />
    </div>
  );
}
