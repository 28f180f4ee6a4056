import { useState } from 'react';
import { post } from '../api';
import { T } from '../i18n';
import type { SignInMethod, SignInResult } from '../session';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { passkeysSupported, signInWithPasskey } from './passkeys';
import { PasskeyIcon } from './passkey-icon';

/** The second factor: an authenticator code, a passkey, or a recovery code. */
export function MfaStep({
  methods,
  onDone,
}: {
  methods: SignInMethod[];
  onDone(result: SignInResult): Promise<void>;
}) {
  const hasTotp = methods.includes('totp');
  const hasPasskey = methods.includes('passkey') && passkeysSupported();
  const [mode, setMode] = useState<'totp' | 'recovery'>(hasTotp ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const { run, pending, error, setError } = useAction();
  const passkey = useAction();

  async function submit() {
    const path = mode === 'totp' ? '/api/auth/mfa/totp' : '/api/auth/mfa/recovery';
    const result = await run(() => post<SignInResult>(path, { code: code.trim() }));
    if (result) await onDone(result);
  }

  async function passkeySignIn() {
    const result = await passkey.run(signInWithPasskey);
    if (result) await onDone(result);
  }

  function switchTo(next: 'totp' | 'recovery') {
    setMode(next);
    setCode('');
    setError(undefined);
  }

  return (
    <div className="stack">
      {hasPasskey && (
        <>
          <ErrorNotice error={passkey.error} />
          <Button
            variant={hasTotp ? 'secondary' : 'primary'}
            className="button-block"
            pending={passkey.pending}
            onClick={() => void passkeySignIn()}
          >
            <PasskeyIcon />
            <T id="app.mfa.passkey" />
          </Button>
          <p className="divider">
            <span>
              <T id="app.signIn.or" />
            </span>
          </p>
        </>
      )}
      <Form onSubmit={submit}>
        {mode === 'totp' ? (
          <TextField
            key="totp"
            label={<T id="app.mfa.totp.label" />}
            hint={<T id="app.mfa.totp.hint" />}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            required
            autoFocus
            className="field-code"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        ) : (
          <TextField
            key="recovery"
            label={<T id="app.mfa.recovery.label" />}
            hint={<T id="app.mfa.recovery.hint" />}
            name="recovery-code"
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
            className="field-code"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        <ErrorNotice error={error} />
        <Button type="submit" variant="primary" pending={pending} className="button-block">
          <T id="app.mfa.verify" />
        </Button>
      </Form>
      {hasTotp && (
        <Button variant="ghost" onClick={() => switchTo(mode === 'totp' ? 'recovery' : 'totp')}>
          <T id={mode === 'totp' ? 'app.mfa.useRecovery' : 'app.mfa.useTotp'} />
        </Button>
      )}
    </div>
  );
}
