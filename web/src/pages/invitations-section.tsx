import { useState } from 'react';
import { get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useT, Time } from '../i18n';
import type { Role } from '../session';
import { ConfirmButton } from '../ui/actions';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, RolePicker, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { RoleList } from './roles';

interface InvitationView {
  id: string;
  email: string;
  roles: Role[];
  expiresAt: string;
  createdAt: string;
}

export function InvitationsSection() {
  const t = useT();
  const invitations = useLoad(() => get<InvitationView[]>('/api/invitations'));
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>(['viewer']);
  const [locale, setLocale] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const invite = useAction();
  const revoke = useAction();

  async function submit() {
    const created = await invite.run(() =>
      post<InvitationView>('/api/invitations', { email, roles, ...(locale ? { locale } : {}) }),
    );
    if (!created) return;
    setSentTo(created.email);
    setEmail('');
    await invitations.reload();
  }

  async function revokeOne(id: string) {
    await revoke.run(() => post(`/api/invitations/${id}/revoke`));
    await invitations.reload();
  }

  const pending = invitations.data ?? [];
  return (
    <div className="grid grid-wide">
      <Section title={<T id="app.invite.title" />} intro={<T id="app.invite.intro" values={{ days: 7 }} />}>
        <Form onSubmit={submit}>
          <TextField
            label={<T id="app.field.email" />}
            type="email"
            name="invite-email"
            autoComplete="off"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <RolePicker value={roles} onChange={setRoles} legend={<T id="app.field.roles" />} />
          <SelectField
            label={<T id="app.invite.language" />}
            value={locale}
            onChange={(event) => setLocale(event.target.value)}
          >
            <option value="">{t('app.invite.language.default')}</option>
            {LOCALES.map((code) => (
              <option key={code} value={code} lang={code}>
                {t(LANGUAGE_NAMES[code])}
              </option>
            ))}
          </SelectField>
          <ErrorNotice error={invite.error} />
          {sentTo && (
            <Notice tone="success">
              <p>
                <T id="app.invite.sent" values={{ email: sentTo }} />
              </p>
            </Notice>
          )}
          <Button type="submit" variant="primary" pending={invite.pending} disabled={roles.length === 0}>
            <T id="app.invite.submit" />
          </Button>
        </Form>
      </Section>
      <Section title={<T id="app.invitations.title" />}>
        <ErrorNotice error={invitations.error ?? revoke.error} />
        {invitations.loading && !invitations.data ? (
          <Loading />
        ) : pending.length === 0 ? (
          <p className="empty">
            <T id="app.invitations.none" />
          </p>
        ) : (
          <ul className="list">
            {pending.map((invitation) => (
              <li key={invitation.id} className="list-item" data-testid={`invitation-${invitation.email}`}>
                <div className="list-main">
                  <span className="person-name">{invitation.email}</span>
                  <RoleList roles={invitation.roles} />
                  <span className="muted">
                    <T
                      id="app.invitations.expires"
                      values={{ time: <Time value={invitation.expiresAt} /> }}
                    />
                  </span>
                </div>
                <ConfirmButton
                  question={<T id="app.invitations.revoke.question" />}
                  confirmLabel={<T id="app.invitations.revoke" />}
                  onConfirm={() => revokeOne(invitation.id)}
                >
                  <T id="app.invitations.revoke" />
                </ConfirmButton>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
