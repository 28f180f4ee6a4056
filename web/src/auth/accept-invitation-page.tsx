import { useEffect, useState } from 'react';
import { post } from '../api';
import {
  LANGUAGE_NAMES,
  LOCALES,
  T,
  isLocale,
  useLocale,
  useSuggestedLocale,
  useT,
  type Locale,
} from '../i18n';
import { Link, clearFragment, fragmentParam, navigate } from '../router';
import { useSession, type Role, type SignInResult } from '../session';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import { RoleList } from '../pages/roles';
import { NewPasswordFields, checkConfirmed } from './password-fields';

interface Invitation {
  organizationName: string;
  email: string;
  roles: Role[];
}

export function AcceptInvitationPage() {
  const t = useT();
  const { refresh } = useSession();
  const { locale, setLocale } = useLocale();
  const [token] = useState(() => fragmentParam('token'));
  // The language the invitation was written in (the link carries it): the page opens in it.
  const [invitedIn] = useState(() => fragmentParam('lang'));
  useSuggestedLocale(invitedIn);
  const invitation = useLoad(
    () => (token ? post<Invitation>('/api/auth/invitation', { token }) : Promise.resolve(undefined)),
    token,
  );
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState({ password: '', confirm: '' });
  const { run, pending, error } = useAction();

  useEffect(() => {
    if (token) clearFragment();
  }, [token]);

  async function submit() {
    const result = await run(async () => {
      checkConfirmed(password);
      return post<SignInResult>('/api/auth/invitation/accept', {
        token,
        displayName,
        password: password.password,
        locale,
      });
    });
    if (!result) return;
    await refresh();
    navigate(result.state === 'enroll' ? '/enroll' : '/', { replace: true });
  }

  const invited = invitation.data;
  return (
    <AuthLayout
      heading="app.invitation.title"
      footer={
        <Link to="/sign-in">
          <T id="app.invitation.haveAccount" />
        </Link>
      }
    >
      {!token ? (
        <Notice tone="warning">
          <p>
            <T id="app.invitation.noToken" />
          </p>
        </Notice>
      ) : invitation.error ? (
        <ErrorNotice error={invitation.error} />
      ) : !invited ? (
        <Loading />
      ) : (
        <Form onSubmit={submit}>
          <p className="lead">
            <T
              id="app.invitation.intro"
              values={{
                organization: (
                  <strong>
                    <bdi>{invited.organizationName}</bdi>
                  </strong>
                ),
              }}
            />
          </p>
          <dl className="facts">
            <div>
              <dt>
                <T id="app.field.email" />
              </dt>
              <dd data-testid="invited-email">
                <bdi>{invited.email}</bdi>
              </dd>
            </div>
            <div>
              <dt>
                <T id="app.field.roles" />
              </dt>
              <dd>
                <RoleList roles={invited.roles} />
              </dd>
            </div>
          </dl>
          {/* Lets a password manager file the new password under the right address. */}
          <input type="email" name="username" autoComplete="username" value={invited.email} readOnly hidden />
          <TextField
            label={<T id="app.field.displayName" />}
            name="name"
            autoComplete="name"
            required
            autoFocus
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
          <SelectField
            label={<T id="app.field.language" />}
            value={locale}
            onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value as Locale)}
          >
            {LOCALES.map((code) => (
              <option key={code} value={code} lang={code}>
                {t(LANGUAGE_NAMES[code])}
              </option>
            ))}
          </SelectField>
          <NewPasswordFields value={password} onChange={setPassword} label="app.field.password" />
          <ErrorNotice error={error} />
          <Button type="submit" variant="primary" pending={pending} className="button-block">
            <T id="app.invitation.accept" />
          </Button>
        </Form>
      )}
    </AuthLayout>
  );
}
