import { useEffect, useState } from 'react';
import { post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT, type Locale } from '../i18n';
import { Link, clearFragment, fragmentParam, navigate } from '../router';
import { useSession, type SignInResult } from '../session';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import { NewPasswordFields, checkConfirmed } from './password-fields';

/** First-time setup: the organization and its first admin, through the link printed at start. */
export function SetupPage() {
  const [token] = useState(() => fragmentParam('token'));
  const { session, refresh } = useSession();
  // Known when the page opens: finishing setup changes it, and must not swap this page out.
  const [setupNeeded] = useState(() => session?.setupNeeded ?? false);
  const { locale } = useLocale();
  const t = useT();
  const [organizationName, setOrganizationName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState({ password: '', confirm: '' });
  const [orgLocale, setOrgLocale] = useState<Locale>(locale);
  const { run, pending, error } = useAction();

  useEffect(() => {
    if (token) clearFragment();
  }, [token]);

  async function submit() {
    await run(async () => {
      checkConfirmed(password);
      const result = await post<SignInResult>('/api/setup', {
        token,
        organizationName,
        email,
        displayName,
        password: password.password,
        locale: orgLocale,
        // The organization starts in this browser's zone; the organization page changes it.
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
      await refresh();
      navigate(result.state === 'enroll' ? '/enroll' : '/', { replace: true });
    });
  }

  if (!token || !setupNeeded) {
    return (
      <AuthLayout heading="app.setup.title">
        <Notice tone="warning">
          <p>
            <T id={setupNeeded ? 'app.setup.noToken' : 'app.setup.done'} />
          </p>
        </Notice>
        <p>
          <Link to="/sign-in">
            <T id="app.signIn.link" />
          </Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout heading="app.setup.title" intro={<T id="app.setup.intro" />}>
      <Form onSubmit={submit}>
        <TextField
          label={<T id="app.field.organizationName" />}
          name="organization"
          autoComplete="organization"
          required
          value={organizationName}
          onChange={(event) => setOrganizationName(event.target.value)}
        />
        <SelectField
          label={<T id="app.field.defaultLanguage" />}
          hint={<T id="app.field.defaultLanguage.hint" />}
          value={orgLocale}
          onChange={(event) => isLocale(event.target.value) && setOrgLocale(event.target.value)}
        >
          {LOCALES.map((code) => (
            <option key={code} value={code} lang={code}>
              {t(LANGUAGE_NAMES[code])}
            </option>
          ))}
        </SelectField>
        <fieldset className="fieldset">
          <legend>
            <T id="app.setup.adminLegend" />
          </legend>
          <TextField
            label={<T id="app.field.displayName" />}
            name="name"
            autoComplete="name"
            required
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
          <TextField
            label={<T id="app.field.email" />}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <NewPasswordFields value={password} onChange={setPassword} label="app.field.password" />
        </fieldset>
        <ErrorNotice error={error} />
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.setup.submit" />
        </Button>
      </Form>
    </AuthLayout>
  );
}
