import { useState } from 'react';
import { T, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { registerPasskey } from './passkeys';
import { useReauthenticated } from './reauthenticate';

/** Registers a passkey of this device or a security key under a name the person chooses. */
export function PasskeyEnrollment({ onRegistered, onCancel }: { onRegistered(): void; onCancel?(): void }) {
  const t = useT();
  const [name, setName] = useState(() => t('app.passkey.defaultName'));
  const { run, pending, error } = useAction();
  const reauthenticated = useReauthenticated();

  async function submit() {
    const result = await run(() => reauthenticated(() => registerPasskey(name.trim())));
    if (result) onRegistered();
  }

  return (
    <Form onSubmit={submit}>
      <p>
        <T id="app.passkey.explain" />
      </p>
      <TextField
        label={<T id="app.passkey.name" />}
        hint={<T id="app.passkey.name.hint" />}
        name="passkey-name"
        required
        maxLength={100}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.passkey.create" />
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            <T id="app.action.cancel" />
          </Button>
        )}
      </div>
    </Form>
  );
}
