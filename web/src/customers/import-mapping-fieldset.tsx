import { T, useT } from '../i18n';
import { Notice } from '../ui/feedback';
import { SelectField, TextField } from '../ui/form';
import type { Detected, Mapping } from './import-shared';
import { IMPORT_FIELDS, type SavedMapping } from './model';

/** Which column each customer field is read from: guessed from the header or a saved mapping, kept by name. */
export function MappingFieldset({
  saved,
  detected,
  mapping,
  setMapping,
  applySaved,
  saveAs,
  setSaveAs,
}: {
  saved: SavedMapping[] | undefined;
  detected: Detected | undefined;
  mapping: Mapping;
  setMapping(mapping: Mapping): void;
  applySaved(name: string): void;
  saveAs: string;
  setSaveAs(name: string): void;
}) {
  const t = useT();
  return (
    <fieldset className="fieldset">
      <legend>
        <T id="app.import.mapping" />
      </legend>
      <p className="field-hint">
        <T id="app.import.mapping.hint" />
      </p>
      {(saved?.length ?? 0) > 0 && (
        <SelectField
          label={<T id="app.import.mapping.saved" />}
          value=""
          onChange={(event) => applySaved(event.target.value)}
        >
          <option value="">{t('app.import.mapping.savedChoose')}</option>
          {saved!.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </SelectField>
      )}
      {detected && detected.columns.length === 0 && (
        <Notice tone="warning">
          <T id="app.import.mapping.noHeader" />
        </Notice>
      )}
      <div className="mapping-grid" data-testid="mapping">
        {IMPORT_FIELDS.map((field) => (
          <SelectField
            key={field}
            label={<T id={`app.import.field.${field}`} />}
            value={mapping[field] ?? ''}
            onChange={(event) => setMapping({ ...mapping, [field]: event.target.value || undefined })}
          >
            <option value="">{t('app.import.mapping.none')}</option>
            {[...new Set([...(detected?.columns ?? []), ...(mapping[field] ? [mapping[field]] : [])])].map(
              (column) => (
                <option key={column} value={column}>
                  {column}
                </option>
              ),
            )}
          </SelectField>
        ))}
      </div>
      <TextField
        label={<T id="app.import.mapping.saveAs" />}
        hint={<T id="app.import.mapping.saveAs.hint" />}
        name="save-mapping"
        maxLength={100}
        value={saveAs}
        onChange={(event) => setSaveAs(event.target.value)}
      />
    </fieldset>
  );
}
