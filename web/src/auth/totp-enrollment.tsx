import { useState } from 'react';
import { post } from '../api';
import { T, useT } from '../i18n';
import { CopyButton } from '../ui/actions';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { useReauthenticated } from './reauthenticate';

interface TotpStart {
  secret: string;
  uri: string;
  qrDataUrl: string;
}

/** Groups of four, the way authenticator apps show a key typed by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * Enrols an authenticator app: a new secret (QR code and key), then one code
 * from the app to prove it holds the secret. Replaces any earlier app.
 */
export function TotpEnrollment({
  onEnrolled,
  onCancel,
}: {
  onEnrolled(recoveryCodes: string[]): void;
  onCancel?(): void;
}) {
  const t = useT();
  const [started, setStarted] = useState<TotpStart>();
  const [code, setCode] = useState('');
  const start = useAction();
  const confirm = useAction();
  const reauthenticated = useReauthenticated();

  async function begin() {
    const result = await start.run(() => reauthenticated(() => post<TotpStart>('/api/me/mfa/totp/start')));
    if (result) setStarted(result);
  }

  async function submit() {
    const result = await confirm.run(() =>
      reauthenticated(() =>
        post<{ recoveryCodes: string[] }>('/api/me/mfa/totp/confirm', { code: code.replace(/\s/g, '') }),
      ),
    );
    if (result) onEnrolled(result.recoveryCodes);
  }

  if (!started) {
    return (
      <div className="stack">
        <p>
          <T id="app.totp.explain" />
        </p>
        <ErrorNotice error={start.error} />
        <div className="row">
          <Button variant="primary" pending={start.pending} onClick={() => void begin()}>
            <T id="app.totp.start" />
          </Button>
          {onCancel && (
            <Button variant="ghost" onClick={onCancel}>
              <T id="app.action.cancel" />
            </Button>
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="totp">
      <ol className="steps">
        <li>
          <p>
            <T id="app.totp.scan" />
          </p>
          <img className="qr" src={started.qrDataUrl} alt={t('app.totp.qrAlt')} width={180} height={180} />
        </li>
        <li>
          <p>
            <T id="app.totp.manual" />
          </p>
          <div className="secret-row">
            <code className="secret" data-testid="totp-secret" dir="ltr">
              {grouped(started.secret)}
            </code>
            <CopyButton text={started.secret} />
          </div>
        </li>
        <li>
          <Form onSubmit={submit}>
            <TextField
              label={<T id="app.totp.code" />}
              hint={<T id="app.mfa.totp.hint" />}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              required
              autoFocus
              className="field-code"
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
            <ErrorNotice error={confirm.error} />
            <div className="row">
              <Button type="submit" variant="primary" pending={confirm.pending}>
                <T id="app.totp.confirm" />
              </Button>
              {onCancel && (
                <Button variant="ghost" onClick={onCancel}>
                  <T id="app.action.cancel" />
                </Button>
              )}
            </div>
          </Form>
        </li>
      </ol>
    </div>
  );
}
