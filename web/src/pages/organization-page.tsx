import { useState } from 'react';
import { get, patch, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useT, type Locale } from '../i18n';
import { useSession } from '../session';
import { TrustSiteSection } from '../trust/trust-site-section';
import { ConfirmButton, CopyButton } from '../ui/actions';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField, SaveFooter } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import {
  LogoSection,
  ProfileFields,
  RegulatoryProfile,
  profileBody,
  profileProblem,
  type OrganizationProfileFields,
} from './organization-profile';

interface Organization extends OrganizationProfileFields {
  id: string;
  name: string;
  defaultLocale: Locale;
  requireMfa: boolean;
  undueDelayTargetHours: number;
  intakeStartsPlan: boolean;
  timeZone: string;
  intakeWebhookConfigured: boolean;
}

/** Every zone this browser knows (IANA names), the organization's own first when it is not among them. */
function timeZones(current: string): string[] {
  const known = Intl.supportedValuesOf('timeZone');
  return known.includes(current) ? known : [current, ...known];
}

export function OrganizationPage() {
  const t = useT();
  const { refresh } = useSession();
  const org = useLoad(() => get<Organization>('/api/organization'));
  const [edited, setForm] = useState<Organization>();
  const form = edited ?? org.data;
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();
  const problem = form && profileProblem(form);

  async function submit() {
    if (!form || problem) return;
    setSaved(false);
    const updated = await run(() =>
      patch<Organization>('/api/organization', {
        name: form.name.trim(),
        defaultLocale: form.defaultLocale,
        requireMfa: form.requireMfa,
        undueDelayTargetHours: form.undueDelayTargetHours,
        intakeStartsPlan: form.intakeStartsPlan,
        timeZone: form.timeZone,
        ...profileBody(form),
      }),
    );
    if (updated) {
      setForm(updated);
      setSaved(true);
      await refresh();
    }
  }

  return (
    <>
      <PageHeader heading="app.organization.title" intro={<T id="app.organization.intro" />} />
      <Section title={<T id="app.organization.settings" />}>
        <ErrorNotice error={org.error} />
        {!form ? (
          org.loading && <Loading />
        ) : (
          <Form onSubmit={submit} className="form-narrow">
            <TextField
              label={<T id="app.field.organizationName" />}
              name="organization"
              required
              maxLength={200}
              value={form.name}
              onChange={(event) => setForm({ ...form, name: event.target.value })}
            />
            <SelectField
              label={<T id="app.field.defaultLanguage" />}
              hint={<T id="app.field.defaultLanguage.hint" />}
              value={form.defaultLocale}
              onChange={(event) =>
                isLocale(event.target.value) && setForm({ ...form, defaultLocale: event.target.value })
              }
            >
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {t(LANGUAGE_NAMES[code])}
                </option>
              ))}
            </SelectField>
            <SelectField
              label={<T id="app.field.timeZone" />}
              hint={<T id="app.field.timeZone.hint" />}
              name="time-zone"
              value={form.timeZone}
              onChange={(event) => setForm({ ...form, timeZone: event.target.value })}
            >
              {timeZones(form.timeZone).map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </SelectField>
            <CheckboxField
              label={<T id="app.field.requireMfa" />}
              hint={<T id="app.organization.requireMfa.hint" />}
              checked={form.requireMfa}
              onChange={(event) => setForm({ ...form, requireMfa: event.target.checked })}
            />
            <TextField
              label={<T id="app.organization.undueDelay" />}
              hint={<T id="app.organization.undueDelay.hint" />}
              name="undue-delay"
              type="number"
              min={1}
              max={720}
              step={1}
              required
              value={String(form.undueDelayTargetHours)}
              onChange={(event) => setForm({ ...form, undueDelayTargetHours: Number(event.target.value) })}
            />
            <CheckboxField
              label={<T id="app.organization.intakeStartsPlan" />}
              hint={<T id="app.organization.intakeStartsPlan.hint" />}
              checked={form.intakeStartsPlan}
              onChange={(event) => setForm({ ...form, intakeStartsPlan: event.target.checked })}
            />
            <ProfileFields<Organization> form={form} setForm={setForm} />
            {!form.requireMfa && (
              <Notice tone="warning">
                <p>
                  <T id="app.organization.requireMfa.off" />
                </p>
              </Notice>
            )}
            <SaveFooter
              error={error}
              saved={saved}
              savedMessage="app.organization.saved"
              pending={pending}
              disabled={Boolean(problem)}
            />
          </Form>
        )}
      </Section>
      {org.data && (
        <LogoSection logoUrl={org.data.logoUrl} name={org.data.name} onChanged={() => void org.reload()} />
      )}
      <RegulatoryProfile />
      <TrustSiteSection />
      {org.data && (
        <IntakeSecret configured={org.data.intakeWebhookConfigured} onRotated={() => void org.reload()} />
      )}
    </>
  );
}

/** The signing secret of the alert webhook: shown once, with the URL detection tools post to. */
function IntakeSecret({ configured, onRotated }: { configured: boolean; onRotated(): void }) {
  const [shown, setShown] = useState<{ secret: string; webhookUrl: string }>();
  const { run, pending, error } = useAction();
  async function rotate() {
    const result = await run(() =>
      post<{ secret: string; webhookUrl: string }>('/api/organization/intake-secret'),
    );
    if (result) {
      setShown(result);
      onRotated();
    }
  }
  return (
    <Section title={<T id="app.organization.intake" />} intro={<T id="app.organization.intake.intro" />}>
      <p>
        {configured ? (
          <Badge tone="success">
            <T id="app.organization.intake.configured" />
          </Badge>
        ) : (
          <Badge>
            <T id="app.organization.intake.none" />
          </Badge>
        )}
      </p>
      {shown && (
        <Notice tone="success">
          <p className="notice-title">
            <T id="app.organization.intake.once" />
          </p>
          <p>
            <T id="app.organization.intake.url" />
          </p>
          <div className="secret-row">
            <code className="secret" dir="ltr" data-testid="intake-url">
              {shown.webhookUrl}
            </code>
            <CopyButton text={shown.webhookUrl} />
          </div>
          <p>
            <T id="app.organization.intake.secret" />
          </p>
          <div className="secret-row">
            <code className="secret" dir="ltr" data-testid="intake-secret">
              {shown.secret}
            </code>
            <CopyButton text={shown.secret} />
          </div>
          <Button variant="ghost" onClick={() => setShown(undefined)}>
            <T id="app.tokens.dismiss" />
          </Button>
        </Notice>
      )}
      <ErrorNotice error={error} />
      {configured ? (
        <ConfirmButton
          question={<T id="app.organization.intake.rotate.question" />}
          confirmLabel={<T id="app.organization.intake.rotate" />}
          onConfirm={rotate}
          pending={pending}
        >
          <T id="app.organization.intake.rotate" />
        </ConfirmButton>
      ) : (
        <Button variant="primary" pending={pending} onClick={() => void rotate()}>
          <T id="app.organization.intake.create" />
        </Button>
      )}
    </Section>
  );
}
