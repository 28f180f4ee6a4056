import { useState } from 'react';
import { api, get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useT, type Locale } from '../i18n';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';

interface TestRecipient {
  id: string;
  name: string;
  locale: Locale;
  email?: string;
  phone?: string;
  webhookUrl?: string;
}

const blank = { name: '', locale: 'en' as Locale, email: '', phone: '', webhookUrl: '' };

/** The organization's test recipients: exercises send their notices to them only. */
export function TestRecipientsPage() {
  const t = useT();
  const list = useLoad(() => get<TestRecipient[]>('/api/notice-test-recipients'));
  const [form, setForm] = useState(blank);
  const action = useAction();

  async function add() {
    const body = {
      name: form.name.trim(),
      locale: form.locale,
      ...(form.email.trim() ? { email: form.email.trim() } : {}),
      ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      ...(form.webhookUrl.trim() ? { webhookUrl: form.webhookUrl.trim() } : {}),
    };
    if (await action.run(() => post<TestRecipient>('/api/notice-test-recipients', body))) {
      setForm(blank);
      await list.reload();
    }
  }

  async function remove(id: string) {
    await action.run(() => api('DELETE', `/api/notice-test-recipients/${id}`));
    await list.reload();
  }

  const set = (key: keyof typeof blank) => (event: { target: { value: string } }) =>
    setForm({ ...form, [key]: event.target.value });

  return (
    <div className="page">
      <PageHeader heading="app.testRecipients.title" intro={<T id="app.testRecipients.intro" />} />
      <Section title={<T id="app.testRecipients.title" />}>
        <ErrorNotice error={action.error ?? list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.length === 0 && (
          <p>
            <T id="app.testRecipients.none" />
          </p>
        )}
        <ul data-testid="test-recipients">
          {list.data?.map((r) => (
            <li key={r.id}>
              <span lang={r.locale}>{r.name}</span> · {t(LANGUAGE_NAMES[r.locale])}
              {r.email && ` · ${r.email}`}
              {r.phone && ` · ${r.phone}`}
              {r.webhookUrl && ` · ${r.webhookUrl}`}{' '}
              <Button onClick={() => void remove(r.id)}>
                <T id="app.testRecipients.remove" />
              </Button>
            </li>
          ))}
        </ul>
        <Form onSubmit={add}>
          <TextField
            label={<T id="app.testRecipients.name" />}
            name="name"
            required
            maxLength={200}
            value={form.name}
            onChange={set('name')}
          />
          <SelectField
            label={<T id="app.notices.preview.locale" />}
            name="locale"
            value={form.locale}
            onChange={set('locale')}
          >
            {LOCALES.map((code) => (
              <option key={code} value={code}>
                {t(LANGUAGE_NAMES[code])}
              </option>
            ))}
          </SelectField>
          <TextField
            label={<T id="app.testRecipients.email" />}
            name="email"
            type="email"
            value={form.email}
            onChange={set('email')}
          />
          <TextField
            label={<T id="app.testRecipients.phone" />}
            name="phone"
            type="tel"
            value={form.phone}
            onChange={set('phone')}
          />
          <TextField
            label={<T id="app.testRecipients.webhookUrl" />}
            name="webhookUrl"
            type="url"
            value={form.webhookUrl}
            onChange={set('webhookUrl')}
          />
          <Button type="submit" variant="primary" pending={action.pending}>
            <T id="app.testRecipients.add" />
          </Button>
        </Form>
      </Section>
    </div>
  );
}
