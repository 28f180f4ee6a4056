import { useState } from 'react';
import { del, get, patch, post } from '../api';
import { PasskeyEnrollment } from '../auth/passkey-enrollment';
import { passkeysSupported } from '../auth/passkeys';
import { NewPasswordFields, checkConfirmed } from '../auth/password-fields';
import { ReauthenticationPrompt, useReauthenticated } from '../auth/reauthenticate';
import { RecoveryCodes } from '../auth/recovery-codes';
import { TotpEnrollment } from '../auth/totp-enrollment';
import { LANGUAGE_NAMES, LOCALES, T, isLocale, useLocale, useT, Time } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { ConfirmButton } from '../ui/actions';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, SelectField, TextField, SaveFooter } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';

export function AccountPage() {
  return (
    <>
      <PageHeader heading="app.account.title" intro={<T id="app.account.intro" />} />
      <div className="grid grid-wide">
        <ProfileSection />
        <PasswordSection />
      </div>
      <SecondFactorSection />
      <SessionsSection />
    </>
  );
}

function ProfileSection() {
  const t = useT();
  const { session, refresh } = useSession();
  const { locale, setLocale } = useLocale();
  const [displayName, setDisplayName] = useState(session?.user?.displayName ?? '');
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();

  async function submit() {
    setSaved(false);
    const ok = await run(async () => {
      await patch('/api/me', { displayName: displayName.trim(), locale });
      return true;
    });
    if (ok) {
      setSaved(true);
      await refresh();
    }
  }

  return (
    <Section title={<T id="app.account.profile" />}>
      <Form onSubmit={submit}>
        <TextField
          label={<T id="app.field.displayName" />}
          name="name"
          autoComplete="name"
          required
          maxLength={200}
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
        />
        <TextField
          label={<T id="app.field.email" />}
          type="email"
          value={session?.user?.email ?? ''}
          readOnly
          disabled
        />
        <SelectField
          label={<T id="app.field.language" />}
          value={locale}
          onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)}
        >
          {LOCALES.map((code) => (
            <option key={code} value={code} lang={code}>
              {t(LANGUAGE_NAMES[code])}
            </option>
          ))}
        </SelectField>
        <SaveFooter error={error} saved={saved} savedMessage="app.account.saved" pending={pending} />
      </Form>
    </Section>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState({ password: '', confirm: '' });
  const [done, setDone] = useState(false);
  const { run, pending, error } = useAction();

  async function submit() {
    setDone(false);
    const ok = await run(async () => {
      checkConfirmed(next);
      await post('/api/me/password', { currentPassword: current, newPassword: next.password });
      return true;
    });
    if (ok) {
      setDone(true);
      setCurrent('');
      setNext({ password: '', confirm: '' });
    }
  }

  return (
    <Section title={<T id="app.account.password" />}>
      <Form onSubmit={submit}>
        <TextField
          label={<T id="app.field.currentPassword" />}
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <NewPasswordFields value={next} onChange={setNext} />
        <ErrorNotice error={error} />
        {done && (
          <Notice tone="success">
            <p>
              <T id="app.account.passwordChanged" />
            </p>
          </Notice>
        )}
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.account.changePassword" />
        </Button>
      </Form>
    </Section>
  );
}

interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Changing a factor may first ask for the password (the server wants a recent proof). */
function SecondFactorSection() {
  return (
    <ReauthenticationPrompt>
      <SecondFactors />
    </ReauthenticationPrompt>
  );
}

function SecondFactors() {
  const { session, refresh } = useSession();
  const reauthenticated = useReauthenticated();
  const passkeys = useLoad(() => get<Passkey[]>('/api/me/passkeys'));
  const [mode, setMode] = useState<'idle' | 'totp' | 'passkey'>('idle');
  const [codes, setCodes] = useState<string[]>();
  const remove = useAction();
  const regenerate = useAction();
  const user = session?.user;
  const factors = (user?.totp ? 1 : 0) + (passkeys.data?.length ?? 0);

  async function removePasskey(id: string) {
    await remove.run(() => reauthenticated(() => del(`/api/me/passkeys/${id}`)));
    await Promise.all([passkeys.reload(), refresh()]);
  }

  async function newCodes() {
    const result = await regenerate.run(() =>
      reauthenticated(() => post<{ recoveryCodes: string[] }>('/api/me/mfa/recovery-codes')),
    );
    if (result) setCodes(result.recoveryCodes);
  }

  if (codes) {
    return (
      <Section title={<T id="app.recovery.pageTitle" />}>
        <RecoveryCodes codes={codes} onContinue={() => setCodes(undefined)} />
      </Section>
    );
  }

  return (
    <Section title={<T id="app.account.mfa" />} intro={<T id="app.account.mfa.intro" />}>
      {factors === 0 && (
        <Notice tone="warning">
          <p>
            <T id="app.account.mfa.none" />
          </p>
        </Notice>
      )}
      <div className="subsection">
        <div className="subsection-header">
          <h3>
            <T id="app.enroll.totp" />
          </h3>
          {user?.totp ? (
            <Badge tone="success">
              <T id="app.status.on" />
            </Badge>
          ) : (
            <Badge>
              <T id="app.status.off" />
            </Badge>
          )}
        </div>
        {mode === 'totp' ? (
          <TotpEnrollment
            onEnrolled={(recoveryCodes) => {
              setMode('idle');
              setCodes(recoveryCodes);
              void refresh();
            }}
            onCancel={() => setMode('idle')}
          />
        ) : (
          <Button onClick={() => setMode('totp')}>
            <T id={user?.totp ? 'app.account.totp.replace' : 'app.account.totp.setUp'} />
          </Button>
        )}
      </div>
      <div className="subsection">
        <div className="subsection-header">
          <h3>
            <T id="app.account.passkeys" />
          </h3>
        </div>
        <ErrorNotice error={passkeys.error ?? remove.error} />
        {passkeys.loading && !passkeys.data ? (
          <Loading />
        ) : !passkeys.data?.length ? (
          <p className="empty">
            <T id="app.account.passkeys.none" />
          </p>
        ) : (
          <ul className="list">
            {passkeys.data.map((passkey) => (
              <li key={passkey.id} className="list-item" data-testid="passkey">
                <div className="list-main">
                  <span className="person-name">{passkey.name}</span>
                  <span className="muted">
                    <T
                      id="app.account.passkeys.added"
                      values={{ time: <Time value={passkey.createdAt} /> }}
                    />
                    {' · '}
                    {passkey.lastUsedAt ? (
                      <T id="app.tokens.lastUsed" values={{ time: <Time value={passkey.lastUsedAt} /> }} />
                    ) : (
                      <T id="app.tokens.neverUsed" />
                    )}
                  </span>
                </div>
                <ConfirmButton
                  question={
                    <T
                      id={
                        factors <= 1
                          ? 'app.account.passkeys.removeLast'
                          : 'app.account.passkeys.remove.question'
                      }
                    />
                  }
                  confirmLabel={<T id="app.action.remove" />}
                  onConfirm={() => removePasskey(passkey.id)}
                >
                  <T id="app.action.remove" />
                </ConfirmButton>
              </li>
            ))}
          </ul>
        )}
        {passkeysSupported() &&
          (mode === 'passkey' ? (
            <PasskeyEnrollment
              onRegistered={() => {
                setMode('idle');
                void Promise.all([passkeys.reload(), refresh()]);
              }}
              onCancel={() => setMode('idle')}
            />
          ) : (
            <Button onClick={() => setMode('passkey')}>
              <T id="app.passkey.add" />
            </Button>
          ))}
      </div>
      <div className="subsection">
        <div className="subsection-header">
          <h3>
            <T id="app.account.recovery" />
          </h3>
        </div>
        <p className="muted">
          <T id="app.account.recovery.text" />
        </p>
        <ErrorNotice error={regenerate.error} />
        <ConfirmButton
          variant="secondary"
          question={<T id="app.account.recovery.question" />}
          confirmLabel={<T id="app.account.recovery.generate" />}
          onConfirm={newCodes}
          pending={regenerate.pending}
        >
          <T id="app.account.recovery.generate" />
        </ConfirmButton>
      </div>
    </Section>
  );
}

function SessionsSection() {
  const { refresh } = useSession();
  const { run, error } = useAction();
  async function everywhere() {
    await run(() => post('/api/auth/sign-out-everywhere'));
    await refresh();
    navigate('/sign-in', { replace: true });
  }
  return (
    <Section title={<T id="app.account.sessions" />} intro={<T id="app.account.sessions.text" />}>
      <ErrorNotice error={error} />
      <ConfirmButton
        question={<T id="app.account.sessions.question" />}
        confirmLabel={<T id="app.shell.signOutEverywhere" />}
        onConfirm={everywhere}
      >
        <T id="app.shell.signOutEverywhere" />
      </ConfirmButton>
    </Section>
  );
}
