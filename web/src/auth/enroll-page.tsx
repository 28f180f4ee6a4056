import { useState } from 'react';
import { post } from '../api';
import { T } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { ErrorNotice } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import { PasskeyEnrollment } from './passkey-enrollment';
import { passkeysSupported } from './passkeys';
import { RecoveryCodes } from './recovery-codes';
import { Icon } from '../shell/icons';
import { PasskeyIcon } from './passkey-icon';
import { TotpEnrollment } from './totp-enrollment';

type Step = 'choose' | 'totp' | 'passkey' | 'codes';

/** The second factor every account needs before it can use Candor. */
export function EnrollPage() {
  const { refresh } = useSession();
  const [step, setStep] = useState<Step>('choose');
  const [codes, setCodes] = useState<string[]>([]);
  const codesAfterPasskey = useAction();

  async function passkeyRegistered() {
    // A passkey alone can be lost with its device: recovery codes are the way back in.
    const result = await codesAfterPasskey.run(() =>
      post<{ recoveryCodes: string[] }>('/api/me/mfa/recovery-codes'),
    );
    if (result) {
      setCodes(result.recoveryCodes);
      setStep('codes');
    }
  }

  async function done() {
    await refresh();
    navigate('/', { replace: true });
  }

  async function signOut() {
    await post('/api/auth/sign-out').catch(() => undefined);
    await refresh();
    navigate('/sign-in', { replace: true });
  }

  return (
    <AuthLayout
      heading={step === 'codes' ? 'app.recovery.pageTitle' : 'app.enroll.title'}
      intro={step === 'codes' ? undefined : <T id="app.enroll.intro" />}
      footer={
        step !== 'codes' && (
          <Button variant="ghost" onClick={() => void signOut()}>
            <T id="app.shell.signOut" />
          </Button>
        )
      }
    >
      {step === 'choose' && (
        <div className="choices">
          <button type="button" className="choice" onClick={() => setStep('totp')}>
            <span className="choice-title">
              <Icon name="authenticator" />
              <T id="app.enroll.totp" />
            </span>
            <span className="choice-text">
              <T id="app.enroll.totp.text" />
            </span>
          </button>
          {passkeysSupported() && (
            <button type="button" className="choice" onClick={() => setStep('passkey')}>
              <span className="choice-title">
                <PasskeyIcon />
                <T id="app.enroll.passkey" />
              </span>
              <span className="choice-text">
                <T id="app.enroll.passkey.text" />
              </span>
            </button>
          )}
        </div>
      )}
      {step === 'totp' && (
        <TotpEnrollment
          onEnrolled={(recoveryCodes) => {
            setCodes(recoveryCodes);
            setStep('codes');
          }}
          onCancel={() => setStep('choose')}
        />
      )}
      {step === 'passkey' && (
        <>
          <PasskeyEnrollment
            onRegistered={() => void passkeyRegistered()}
            onCancel={() => setStep('choose')}
          />
          <ErrorNotice error={codesAfterPasskey.error} />
        </>
      )}
      {step === 'codes' && <RecoveryCodes codes={codes} onContinue={() => void done()} />}
    </AuthLayout>
  );
}
