import { useState } from 'react';
import { get, put } from '../api';
import { T, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';

interface Assessment {
  riskLevel: 'unlikely' | 'risk' | 'high' | null;
  significant: boolean | null;
}

/** The risk assessment and NIS2 significance that decide whether some clocks apply. */

export function AssessmentForm({ incidentId, onSaved }: { incidentId: string; onSaved(): void }) {
  const t = useT();
  const current = useLoad(() => get<Assessment>(`/api/incidents/${incidentId}/assessment`), incidentId);
  const [edited, setEdited] = useState<Assessment>();
  const form = edited ?? current.data;
  const { run, pending, error } = useAction();
  if (!form) return <ErrorNotice error={current.error} />;
  async function submit() {
    if (!form) return;
    const done = await run(() => put(`/api/incidents/${incidentId}/assessment`, form));
    if (done !== undefined) {
      setEdited(undefined);
      await current.reload();
      onSaved();
    }
  }
  const dirty = edited !== undefined;
  return (
    <Form onSubmit={submit} className="inline-form">
      <div className="jurisdiction-row">
        <SelectField
          label={<T id="app.clocks.risk" />}
          value={form.riskLevel ?? ''}
          onChange={(event) =>
            setEdited({ ...form, riskLevel: (event.target.value || null) as Assessment['riskLevel'] })
          }
        >
          <option value="">{t('app.clocks.notAssessed')}</option>
          <option value="unlikely">{t('app.clocks.risk.unlikely')}</option>
          <option value="risk">{t('app.clocks.risk.risk')}</option>
          <option value="high">{t('app.clocks.risk.high')}</option>
        </SelectField>
        <SelectField
          label={<T id="app.clocks.significant" />}
          value={form.significant === null ? '' : String(form.significant)}
          onChange={(event) =>
            setEdited({
              ...form,
              significant: event.target.value === '' ? null : event.target.value === 'true',
            })
          }
        >
          <option value="">{t('app.clocks.notAssessed')}</option>
          <option value="true">{t('report.choice.yes')}</option>
          <option value="false">{t('report.choice.no')}</option>
        </SelectField>
        <Button type="submit" pending={pending} disabled={!dirty}>
          <T id="app.clocks.assess" />
        </Button>
      </div>
      <ErrorNotice error={error} />
    </Form>
  );
}
