import { useState } from 'react';
import { get, post } from '../api';
import { T, useListFormat, useT, type MessageId, Time } from '../i18n';
import { ConfirmButton, CopyButton } from '../ui/actions';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The scopes a token may carry (the server refuses any other). */
const SCOPES: { scope: string; label: MessageId; hint: MessageId }[] = [
  { scope: 'audit.read', label: 'app.scope.audit.read', hint: 'app.scope.audit.read.hint' },
];
const EXPIRY_DAYS = [30, 90, 365];

export function TokensPage() {
  const t = useT();
  const tokens = useLoad(() => get<TokenView[]>('/api/tokens'));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('90');
  const [created, setCreated] = useState<{ token: string; name: string }>();
  const create = useAction();
  const revoke = useAction();

  async function submit() {
    const result = await create.run(() =>
      post<{ token: string; apiToken: TokenView }>('/api/tokens', {
        name,
        scopes,
        ...(expires ? { expiresInDays: Number(expires) } : {}),
      }),
    );
    if (!result) return;
    setCreated({ token: result.token, name: result.apiToken.name });
    setName('');
    setScopes([]);
    await tokens.reload();
  }

  async function revokeOne(id: string) {
    await revoke.run(() => post(`/api/tokens/${id}/revoke`));
    await tokens.reload();
  }

  return (
    <>
      <PageHeader heading="app.tokens.title" intro={<T id="app.tokens.intro" />} />
      {created && (
        <Notice tone="success">
          <p className="notice-title">
            <T id="app.tokens.created" values={{ name: created.name }} />
          </p>
          <p>
            <T id="app.tokens.once" />
          </p>
          <div className="secret-row">
            <code className="secret" data-testid="new-token" dir="ltr">
              {created.token}
            </code>
            <CopyButton text={created.token} />
          </div>
          <Button variant="ghost" onClick={() => setCreated(undefined)}>
            <T id="app.tokens.dismiss" />
          </Button>
        </Notice>
      )}
      <div className="grid grid-wide">
        <Section title={<T id="app.tokens.new" />}>
          <Form onSubmit={submit}>
            <TextField
              label={<T id="app.tokens.name" />}
              hint={<T id="app.tokens.name.hint" />}
              name="token-name"
              autoComplete="off"
              required
              maxLength={100}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
            <fieldset className="fieldset">
              <legend>
                <T id="app.tokens.scopes" />
              </legend>
              {SCOPES.map(({ scope, label, hint }) => (
                <CheckboxField
                  key={scope}
                  name="scopes"
                  value={scope}
                  checked={scopes.includes(scope)}
                  onChange={(event) =>
                    setScopes((list) =>
                      event.target.checked ? [...list, scope] : list.filter((s) => s !== scope),
                    )
                  }
                  label={<T id={label} />}
                  hint={<T id={hint} />}
                />
              ))}
            </fieldset>
            <SelectField
              label={<T id="app.tokens.expiry" />}
              value={expires}
              onChange={(event) => setExpires(event.target.value)}
            >
              {EXPIRY_DAYS.map((days) => (
                <option key={days} value={String(days)}>
                  {t('app.count.days', { count: days })}
                </option>
              ))}
              <option value="">{t('app.tokens.expiry.never')}</option>
            </SelectField>
            <ErrorNotice error={create.error} />
            <Button type="submit" variant="primary" pending={create.pending} disabled={scopes.length === 0}>
              <T id="app.tokens.create" />
            </Button>
          </Form>
        </Section>
        <Section title={<T id="app.tokens.list" />}>
          <ErrorNotice error={tokens.error ?? revoke.error} />
          {tokens.loading && !tokens.data ? (
            <Loading />
          ) : !tokens.data?.length ? (
            <p className="empty">
              <T id="app.tokens.none" />
            </p>
          ) : (
            <TokenList tokens={tokens.data} onRevoke={revokeOne} />
          )}
        </Section>
      </div>
    </>
  );
}

function TokenList({ tokens, onRevoke }: { tokens: TokenView[]; onRevoke(id: string): Promise<void> }) {
  const now = new Date();
  const listFormat = useListFormat();
  return (
    <ul className="list">
      {tokens.map((token) => {
        const expired = token.expiresAt !== null && new Date(token.expiresAt) <= now;
        const active = !token.revokedAt && !expired;
        return (
          <li key={token.id} className="list-item" data-testid={`token-${token.name}`}>
            <div className="list-main">
              <span className="person-name">
                {token.name}
                {token.revokedAt ? (
                  <Badge tone="danger">
                    <T id="app.tokens.revoked" />
                  </Badge>
                ) : expired ? (
                  <Badge tone="warning">
                    <T id="app.tokens.expired" />
                  </Badge>
                ) : (
                  <Badge tone="success">
                    <T id="app.tokens.active" />
                  </Badge>
                )}
              </span>
              <span className="muted">
                <code dir="ltr">
                  {token.prefix}
                  {'…'}
                </code>
                {' · '}
                {listFormat(token.scopes)}
              </span>
              <span className="muted">
                <T id="app.tokens.createdAt" values={{ time: <Time value={token.createdAt} /> }} />
                {' · '}
                {token.expiresAt ? (
                  <T id="app.tokens.expiresAt" values={{ time: <Time value={token.expiresAt} /> }} />
                ) : (
                  <T id="app.tokens.noExpiry" />
                )}
                {' · '}
                {token.lastUsedAt ? (
                  <T id="app.tokens.lastUsed" values={{ time: <Time value={token.lastUsedAt} /> }} />
                ) : (
                  <T id="app.tokens.neverUsed" />
                )}
              </span>
            </div>
            {active && (
              <ConfirmButton
                question={<T id="app.tokens.revoke.question" />}
                confirmLabel={<T id="app.tokens.revoke" />}
                onConfirm={() => onRevoke(token.id)}
              >
                <T id="app.tokens.revoke" />
              </ConfirmButton>
            )}
          </li>
        );
      })}
    </ul>
  );
}
