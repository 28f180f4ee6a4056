import { useState } from 'react';
import { get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT, type Locale } from '../i18n';
import type { IncidentType } from '../incidents/model';
import { may, useSession } from '../session';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import type { PlanTask } from './model';
import { CheckResult, type Check } from './plan-check-result';
import { TaskTable } from './plan-task-table';

interface Playbook {
  type: IncidentType;
  name: string;
  summary: string;
  tasks: PlanTask[];
}

/**
 * A built-in playbook, for a type the organization has no plan of its own for yet: its check, and a
 * copy in a chosen language to start one from.
 */
export function PlaybookView({ type, onCopied }: { type: IncidentType; onCopied(): void }) {
  const { session } = useSession();
  const { locale: viewerLocale } = useLocale();
  const playbook = useLoad(() => get<Playbook>(`/api/playbooks/${type}`), type);
  const check = useLoad(() => get<Check>(`/api/playbooks/${type}/check`), type);
  const [locale, setLocale] = useState<Locale>(viewerLocale);
  const copy = useAction();
  const t = useT();

  async function copyNow() {
    const done = await copy.run(() => post('/api/plans', { type, locale }));
    if (done !== undefined) onCopied();
  }

  return (
    <Section title={playbook.data?.name ?? <T id={`incident.type.${type}`} />} intro={playbook.data?.summary}>
      <Badge>
        <T id="plan.source.builtin" />
      </Badge>
      <CheckResult check={check.data} />
      <ErrorNotice error={playbook.error ?? check.error} />
      {may(session, 'managePlans') && (
        <Form onSubmit={copyNow} className="inline-form">
          <div className="jurisdiction-row">
            <SelectField
              label={<T id="app.plans.copyLanguage" />}
              value={locale}
              onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)}
            >
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {t(LANGUAGE_NAMES[code])}
                </option>
              ))}
            </SelectField>
            <Button type="submit" variant="primary" pending={copy.pending}>
              <T id="app.plans.copy" />
            </Button>
          </div>
          <ErrorNotice error={copy.error} />
        </Form>
      )}
      {playbook.data ? <TaskTable tasks={playbook.data.tasks} /> : <Loading />}
    </Section>
  );
}
