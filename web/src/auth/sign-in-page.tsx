import { useState } from 'react';
import { post } from '../api';
import { T } from '../i18n';
import { Link, navigate } from '../router';
import { useSession, type SessionInfo, type SignInMethod, type SignInResult } from '../session';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import { MfaStep } from './mfa-step';
import { PasskeyIcon } from './passkey-icon';
import { passkeysSupported, signInWithPasskey } from './passkeys';

/** Where to go after signing in: a path of this app, never another site. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function methodsOf(session: SessionInfo | undefined): SignInMethod[] {
  const user = session?.user;
  if (!user) return ['totp', 'recovery'];
  return [
    ...(user.totp ? (['totp'] as const) : []),
    ...(user.passkeys > 0 ? (['passkey'] as const) : []),
    'recovery' as const,
  ];
}

export function SignInPage() {
  const { session, refresh } = useSession();
  // A page reloaded half-way through signing in continues with the second factor.
  const [methods, setMethods] = useState<SignInMethod[] | undefined>(() =>
    session?.state === 'mfa' ? methodsOf(session) : undefined,
  );
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, pending, error } = useAction();
  const passkey = useAction();

  async function finish(result: SignInResult) {
    if (result.state === 'mfa') {
      setMethods(result.methods);
      return;
    }
    await refresh();
    navigate(result.state === 'enroll' ? '/enroll' : nextPath(), { replace: true });
  }

  async function submit() {
    const result = await run(() => post<SignInResult>('/api/auth/sign-in', { email, password }));
    if (result) {
      setPassword('');
      await finish(result);
    }
  }

  async function passkeySignIn() {
    const result = await passkey.run(signInWithPasskey);
    if (result) await finish(result);
  }

  async function startOver() {
    await post('/api/auth/sign-out').catch(() => undefined);
    await refresh();
    setMethods(undefined);
  }

  if (methods) {
    return (
      <AuthLayout
        heading="app.mfa.title"
        intro={<T id="app.mfa.intro" />}
        footer={
          <Button variant="ghost" onClick={() => void startOver()}>
            <T id="app.mfa.startOver" />
          </Button>
        }
      >
        <MfaStep methods={methods} onDone={finish} />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      heading="app.signIn.title"
      footer={
        <Link to="/forgot-password">
          <T id="app.signIn.forgot" />
        </Link>
      }
    >
      <Form onSubmit={submit}>
        <TextField
          label={<T id="app.field.email" />}
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label={<T id="app.field.password" />}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorNotice error={error} />
        <Button type="submit" variant="primary" pending={pending} className="button-block">
          <T id="app.signIn.submit" />
        </Button>
      </Form>
      {passkeysSupported() && (
        <>
          <p className="divider">
            <span>
              <T id="app.signIn.or" />
            </span>
          </p>
          <ErrorNotice error={passkey.error} />
          <Button
            className="button-block"
            pending={passkey.pending}
            onClick={() => void passkeySignIn()}
            data-testid="passkey-sign-in"
          >
            <PasskeyIcon />
            <T id="app.signIn.passkey" />
          </Button>
        </>
      )}
    </AuthLayout>
  );
}
