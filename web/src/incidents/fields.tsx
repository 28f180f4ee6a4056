import { T, Time, useRegionName, useT, useTimeZone, ZoneName } from '../i18n';
import { Button, CheckboxField, TextField } from '../ui/form';
import { DATA_CATEGORIES, JURISDICTION_PATTERN, MOMENTS, type DataCategory, type Moment } from './model';

export interface JurisdictionDraft {
  code: string;
  estimate: string;
}

/** Jurisdictions concerned, each with the estimated number of affected people. */
export function JurisdictionRows({
  rows,
  onChange,
}: {
  rows: JurisdictionDraft[];
  onChange(rows: JurisdictionDraft[]): void;
}) {
  const regionName = useRegionName();
  const set = (index: number, row: JurisdictionDraft) =>
    onChange(rows.map((r, i) => (i === index ? row : r)));
  return (
    <div className="stack" data-testid="jurisdictions">
      {rows.length === 0 && (
        <p className="empty">
          <T id="app.incident.jurisdictions.none" />
        </p>
      )}
      {rows.map((row, index) => (
        <div className="jurisdiction-row" key={index}>
          <TextField
            label={<T id="app.incident.jurisdiction.code" />}
            hint={
              row.code.trim().length >= 2 ? (
                regionName(row.code.trim())
              ) : (
                <T id="app.incident.jurisdiction.code.hint" />
              )
            }
            name={`jurisdiction-${index}`}
            dir="ltr"
            required
            pattern={JURISDICTION_PATTERN}
            maxLength={6}
            autoComplete="off"
            spellCheck={false}
            value={row.code}
            onChange={(event) => set(index, { ...row, code: event.target.value.toUpperCase() })}
          />
          <TextField
            label={<T id="app.incident.jurisdiction.estimate" />}
            name={`estimate-${index}`}
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            value={row.estimate}
            onChange={(event) => set(index, { ...row, estimate: event.target.value })}
          />
          <Button variant="ghost" onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            <T id="app.action.remove" />
          </Button>
        </div>
      ))}
      <div>
        <Button onClick={() => onChange([...rows, { code: '', estimate: '' }])}>
          <T id="app.incident.jurisdiction.add" />
        </Button>
      </div>
    </div>
  );
}

export const jurisdictionsOf = (rows: JurisdictionDraft[]) =>
  rows
    .filter((row) => row.code.trim())
    .map((row) => ({
      code: row.code.trim().toUpperCase(),
      estimatedAffected: row.estimate === '' ? null : Number(row.estimate),
    }));

/** The affected data categories as checkboxes. */
export function CategoryPicker({
  value,
  onChange,
}: {
  value: DataCategory[];
  onChange(categories: DataCategory[]): void;
}) {
  return (
    <fieldset className="fieldset choice-grid">
      <legend>
        <T id="app.incident.dataCategories" />
      </legend>
      {DATA_CATEGORIES.map((category) => (
        <CheckboxField
          key={category}
          name="categories"
          value={category}
          checked={value.includes(category)}
          onChange={(event) =>
            onChange(
              DATA_CATEGORIES.filter((c) => (c === category ? event.target.checked : value.includes(c))),
            )
          }
          label={<T id={`incident.category.${category}`} />}
        />
      ))}
    </fieldset>
  );
}

/** One datetime-local field per key moment, in the organization's time zone. */
export function MomentInputs({
  value,
  onChange,
  only,
}: {
  value: Partial<Record<Moment, string>>;
  onChange(value: Partial<Record<Moment, string>>): void;
  only?: readonly Moment[];
}) {
  const t = useT();
  const zone = useTimeZone();
  return (
    <fieldset className="fieldset choice-grid">
      <legend>
        <T id="app.incident.moments" />
      </legend>
      <p className="field-hint">
        <T id="app.incident.moments.zone" values={{ zone: <ZoneName zone={zone} /> }} />
      </p>
      {(only ?? MOMENTS).map((moment) => (
        <TextField
          key={moment}
          label={t(`incident.moment.${moment}`)}
          type="datetime-local"
          name={`moment-${moment}`}
          value={value[moment] ?? ''}
          onChange={(event) => onChange({ ...value, [moment]: event.target.value })}
        />
      ))}
    </fieldset>
  );
}

/** An instant in the organization's zone (or the one given), as a <time> element. */
export function Instant({ value, timeZone }: { value: string | null | undefined; timeZone?: string }) {
  return <Time value={value} timeZone={timeZone} />;
}

/** Affected systems edited as one per line. */
export const systemsOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
