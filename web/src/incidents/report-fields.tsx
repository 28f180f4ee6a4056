import { T, useT, useTimeZone } from '../i18n';
import { Button, SelectField, TextAreaField, TextField } from '../ui/form';
import { Instant } from './fields';
import { JURISDICTION_PATTERN, toInstant, toLocalInput } from './model';
import type { FieldName, Fields, People } from './reports-shared';
import { CHOICES, FIELD_TYPES, type Choice } from '../../../src/modules/reports/report-model';

/** A report field's value as read: an instant, a choice, people per jurisdiction, or text. */
export function FieldValue({ name, value }: { name: FieldName; value: Fields[FieldName] }) {
  const t = useT();
  const type = FIELD_TYPES[name];
  if (value === null || value === undefined || value === '')
    return <span className="muted">{t('app.reports.empty')}</span>;
  if (type === 'instant' && typeof value === 'string') return <Instant value={value} />;
  if (type === 'choice' && typeof value === 'string' && (CHOICES as readonly string[]).includes(value))
    return <T id={`report.choice.${value as Choice}`} />;
  if (type === 'people' && Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">{t('app.reports.empty')}</span>;
    return (
      <ul className="plain-list">
        {value.map((row) => (
          <li key={row.jurisdiction}>
            {row.jurisdiction}
            {': '}
            {row.people === null ? t('report.notKnown') : row.people}
          </li>
        ))}
      </ul>
    );
  }
  return <>{String(value)}</>;
}

/** A report field's editor, by the field's type in the report model. */
export function FieldEditor({
  name,
  value,
  onChange,
}: {
  name: FieldName;
  value: Fields[FieldName];
  onChange(value: Fields[FieldName]): void;
}) {
  const t = useT();
  const zone = useTimeZone();
  const label = <T id={`report.field.${name}`} />;
  switch (FIELD_TYPES[name]) {
    case 'text':
      return (
        <TextField
          label={label}
          maxLength={300}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'longtext':
      return (
        <TextAreaField
          label={label}
          maxLength={20000}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'instant':
      return (
        <TextField
          label={label}
          type="datetime-local"
          value={toLocalInput(typeof value === 'string' ? value : null, zone)}
          onChange={(event) => onChange(toInstant(event.target.value, zone))}
        />
      );
    case 'count':
      return (
        <TextField
          label={label}
          type="number"
          min={0}
          step={1}
          value={typeof value === 'number' ? String(value) : ''}
          onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
        />
      );
    case 'choice':
      return (
        <SelectField
          label={label}
          value={typeof value === 'string' ? value : 'unknown'}
          onChange={(event) => onChange(event.target.value)}
        >
          {CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {t(`report.choice.${choice}`)}
            </option>
          ))}
        </SelectField>
      );
    case 'people': {
      const rows = Array.isArray(value) ? value : [];
      const set = (next: People) => onChange(next);
      return (
        <fieldset className="fieldset">
          <legend>{label}</legend>
          {rows.map((row, index) => (
            <div className="jurisdiction-row" key={index}>
              <TextField
                label={<T id="report.table.jurisdiction" />}
                dir="ltr"
                required
                pattern={JURISDICTION_PATTERN}
                value={row.jurisdiction}
                onChange={(event) =>
                  set(
                    rows.map((r, i) =>
                      i === index ? { ...r, jurisdiction: event.target.value.toUpperCase() } : r,
                    ),
                  )
                }
              />
              <TextField
                label={<T id="report.table.people" />}
                type="number"
                min={0}
                value={row.people === null ? '' : String(row.people)}
                onChange={(event) =>
                  set(
                    rows.map((r, i) =>
                      i === index
                        ? { ...r, people: event.target.value === '' ? null : Number(event.target.value) }
                        : r,
                    ),
                  )
                }
              />
              <Button variant="ghost" onClick={() => set(rows.filter((_, i) => i !== index))}>
                <T id="app.action.remove" />
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => set([...rows, { jurisdiction: '', people: null }])}>
              <T id="app.incident.jurisdiction.add" />
            </Button>
          </div>
        </fieldset>
      );
    }
  }
}
