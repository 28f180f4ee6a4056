import { useEffect, useState } from 'react';
import { post } from '../api';
import { T } from '../i18n';
import { Link, clearFragment, fragmentParam } from '../router';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import { NewPasswordFields, checkConfirmed } from './password-fields';

const backToSignIn = (
  <Link to="/sign-in">
    <T id="app.signIn.back" />
  </Link>
);

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { run, pending, error } = useAction();

  async function submit() {
    const done = await run(async () => {
      await post('/api/auth/password-reset', { email });
      return true;
    });
    if (done) setSent(true);
  }

  return (
    <AuthLayout heading="app.forgot.title" intro={<T id="app.forgot.intro" />} footer={backToSignIn}>
      {sent ? (
        <Notice tone="success">
          <p>
            <T id="app.forgot.sent" values={{ email: <strong>{email}</strong>, minutes: 60 }} />
          </p>
        </Notice>
      ) : (
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
          <ErrorNotice error={error} />
          <Button type="submit" variant="primary" pending={pending} className="button-block">
            <T id="app.forgot.submit" />
          </Button>
        </Form>
      )}
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  const [token] = useState(() => fragmentParam('token'));
  const [password, setPassword] = useState({ password: '', confirm: '' });
  const [done, setDone] = useState(false);
  const { run, pending, error } = useAction();

  useEffect(() => {
    if (token) clearFragment();
  }, [token]);

  async function submit() {
    const ok = await run(async () => {
      checkConfirmed(password);
      await post('/api/auth/password-reset/complete', { token, password: password.password });
      return true;
    });
    if (ok) setDone(true);
  }

  return (
    <AuthLayout heading="app.reset.title" footer={backToSignIn}>
      {done ? (
        <Notice tone="success">
          <p>
            <T id="app.reset.done" />
          </p>
          <p>
            <Link to="/sign-in" className="button button-primary">
              <T id="app.signIn.link" />
            </Link>
          </p>
        </Notice>
      ) : !token ? (
        <Notice tone="warning">
          <p>
            <T id="app.reset.noToken" />
          </p>
          <p>
            <Link to="/forgot-password">
              <T id="app.reset.again" />
            </Link>
          </p>
        </Notice>
      ) : (
        <Form onSubmit={submit}>
          <p>
            <T id="app.reset.intro" />
          </p>
          <NewPasswordFields value={password} onChange={setPassword} />
          <ErrorNotice error={error} />
          <Button type="submit" variant="primary" pending={pending} className="button-block">
            <T id="app.reset.submit" />
          </Button>
        </Form>
      )}
    </AuthLayout>
  );
}
