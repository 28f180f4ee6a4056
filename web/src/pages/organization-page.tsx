import { useState } from 'react';
import { get, patch } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useT, type Locale } from '../i18n';
import { useSession } from '../session';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';

interface Organization {
  id: string;
  name: string;
  defaultLocale: Locale;
  requireMfa: boolean;
}

export function OrganizationPage() {
  const t = useT();
  const { refresh } = useSession();
  const org = useLoad(() => get<Organization>('/api/organization'));
  const [edited, setForm] = useState<Organization>();
  const form = edited ?? org.data;
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();

  async function submit() {
    if (!form) return;
    setSaved(false);
    const updated = await run(() =>
      patch<Organization>('/api/organization', {
        name: form.name.trim(),
        defaultLocale: form.defaultLocale,
        requireMfa: form.requireMfa,
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
            <CheckboxField
              label={<T id="app.field.requireMfa" />}
              hint={<T id="app.organization.requireMfa.hint" />}
              checked={form.requireMfa}
              onChange={(event) => setForm({ ...form, requireMfa: event.target.checked })}
            />
            {!form.requireMfa && (
              <Notice tone="warning">
                <p>
                  <T id="app.organization.requireMfa.off" />
                </p>
              </Notice>
            )}
            <ErrorNotice error={error} />
            {saved && (
              <Notice tone="success">
                <p>
                  <T id="app.organization.saved" />
                </p>
              </Notice>
            )}
            <Button type="submit" variant="primary" pending={pending}>
              <T id="app.action.save" />
            </Button>
          </Form>
        )}
      </Section>
    </>
  );
}
