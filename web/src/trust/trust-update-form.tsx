import { useState } from 'react';
import { api } from '../api';
import { T, useT, useTimeZone, ZoneName } from '../i18n';
import { toInstant, toLocalInput } from '../incidents/model';
import { LocalError } from '../ui/errors';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import {
  complete,
  UPDATE_STATUSES,
  written,
  type IncidentTrust,
  type PerLanguage,
  type TrustUpdate,
  type UpdateStatus,
  type UpdateText,
} from './trust-api';
import { FieldError, TrustErrorNotice } from './trust-errors';
import { PerLanguageFields, type TextFieldSpec } from './trust-texts';

const UPDATE_FIELDS: readonly TextFieldSpec<keyof UpdateText>[] = [
  { key: 'message', label: 'app.trust.update.message', multiline: true, maxLength: 5000 },
  { key: 'customerActions', label: 'app.trust.update.customerActions', multiline: true, maxLength: 3000 },
];

/**
 * A new update (`incidentId`) or the change of an unpublished one (`editing`; an approved one goes
 * back to draft): its status, its words per language and the promise of the next update.
 */
export function UpdateForm({
  incidentId,
  editing,
  onSaved,
  onCancel,
}: {
  incidentId: string;
  editing?: TrustUpdate;
  onSaved(view: IncidentTrust): void;
  onCancel?(): void;
}) {
  const t = useT();
  const zone = useTimeZone();
  const [status, setStatus] = useState<UpdateStatus>(editing?.status ?? 'investigating');
  const [texts, setTexts] = useState<PerLanguage<UpdateText>>(editing?.texts ?? {});
  const [next, setNext] = useState(toLocalInput(editing?.nextUpdateBy, zone));
  const action = useAction();
  const prefix = editing ? `trust-edit-${editing.id}` : 'trust-update';

  async function submit() {
    const chosen = written(texts);
    const body = {
      status,
      texts: chosen,
      // "Next update by" is read in the organization's zone, as every other time in the app.
      nextUpdateBy: status === 'resolved' ? null : toInstant(next, zone),
    };
    const view = await action.run(async () => {
      if (!complete(chosen, ['message'])) throw new LocalError('app.trust.update.incomplete');
      return editing
        ? api<IncidentTrust>('PUT', `/api/trust/updates/${editing.id}`, body)
        : api<IncidentTrust>('POST', `/api/incidents/${incidentId}/trust/updates`, body);
    });
    if (view) {
      if (!editing) {
        setTexts({});
        setNext('');
      }
      onSaved(view);
    }
  }

  return (
    <Form onSubmit={submit} className={editing ? 'trust-update-form trust-update-edit' : 'trust-update-form'}>
      <h3>
        <T id={editing ? 'app.trust.update.edit' : 'app.trust.update.new'} />
      </h3>
      <div className="row trust-update-meta">
        <SelectField
          label={<T id="app.trust.update.status" />}
          name={`${prefix}-status`}
          value={status}
          onChange={(event) => setStatus(event.target.value as UpdateStatus)}
        >
          {UPDATE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`app.trust.status.${s}`)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={<T id="app.trust.update.nextUpdateBy" />}
          hint={<T id="app.trust.update.nextUpdateBy.hint" values={{ zone: <ZoneName zone={zone} /> }} />}
          name={`${prefix}-next`}
          type="datetime-local"
          disabled={status === 'resolved'}
          value={next}
          onChange={(event) => setNext(event.target.value)}
        />
      </div>
      <FieldError
        error={action.error}
        where="body/nextUpdateBy"
        message="app.trust.update.nextUpdateBy.invalid"
      />
      <PerLanguageFields
        idPrefix={prefix}
        fields={UPDATE_FIELDS}
        texts={texts}
        onChange={setTexts}
        error={action.error}
      />
      <TrustErrorNotice error={action.error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={action.pending} data-testid={`${prefix}-save`}>
          <T id={editing ? 'app.trust.update.saveEdit' : 'app.trust.update.save'} />
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            <T id="app.action.cancel" />
          </Button>
        )}
      </div>
    </Form>
  );
}
