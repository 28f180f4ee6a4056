import { useState } from 'react';
import { get } from '../api';
import { T, useT } from '../i18n';
import { INCIDENT_TYPES, type IncidentType } from '../incidents/model';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button } from '../ui/form';
import { useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { PlanEditor } from './plan-editor';
import { PlaybookView } from './playbook-view';

interface PlanSummary {
  id: string;
  type: IncidentType;
  current: { version: number; name: string; taskCount: number; createdAt: string };
}

export function PlansPage() {
  const t = useT();
  const plans = useLoad(() => get<PlanSummary[]>('/api/plans'));
  const [type, setType] = useState<IncidentType>('data_breach');
  const plan = plans.data?.find((p) => p.type === type);

  return (
    <>
      <PageHeader heading="app.plans.title" intro={<T id="app.plans.intro" />} />
      <Section title={<T id="app.plans.list" />}>
        <ErrorNotice error={plans.error} />
        {!plans.data ? (
          <Loading />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="plan-list">
              <thead>
                <tr>
                  <th scope="col">
                    <T id="app.incident.type" />
                  </th>
                  <th scope="col">
                    <T id="app.plans.plan" />
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">
                      <T id="app.plans.open" />
                    </span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {INCIDENT_TYPES.map((value) => {
                  const own = plans.data?.find((p) => p.type === value);
                  return (
                    <tr key={value} aria-current={value === type ? 'true' : undefined}>
                      <td>
                        <T id={`incident.type.${value}`} />
                      </td>
                      <td>
                        {own ? (
                          <>
                            {own.current.name}
                            {' · '}
                            <T id="plan.source.organization" values={{ version: own.current.version }} />
                          </>
                        ) : (
                          <T id="plan.source.builtin" />
                        )}
                      </td>
                      <td>
                        <Button
                          variant={value === type ? 'primary' : 'secondary'}
                          onClick={() => setType(value)}
                          aria-label={t('app.plans.openType', { type: t(`incident.type.${value}`) })}
                        >
                          <T id="app.plans.open" />
                        </Button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {plans.data &&
        (plan ? (
          <PlanEditor key={plan.id} planId={plan.id} onSaved={() => void plans.reload()} />
        ) : (
          <PlaybookView key={type} type={type} onCopied={() => void plans.reload()} />
        ))}
    </>
  );
}
