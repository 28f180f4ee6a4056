import { useState } from 'react';
import { ApiError, post } from '../api';
import { T, Time } from '../i18n';
import { fragmentParam } from '../router';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import type { OrganizationBrand } from '../../../src/modules/accounts/organization-model';
import './verify.css';

type Verdict =
  | {
      status: 'genuine';
      organization: string;
      /** The organization's name, logo and colour: the page shows them once the code is genuine. */
      brand: OrganizationBrand;
      subject: string;
      subjectLocale: string | null;
      sentAt: string;
      channel: 'email' | 'sms' | 'webhook';
      maskedRecipient: string;
    }
  | { status: 'unknown' };

/**
 * Whether what was typed can be a code (12 of Crockford's base32 after folding case, O to 0 and
 * I or L to 1, as the server reads it): a code that cannot be one is told so without asking.
 */
function mayBeCode(typed: string): boolean {
  const raw = typed
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—_.]/gu, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(raw);
}

/** The code a link brought: `#code=` (never sent to a server) or `?code=`. */
function codeFromAddress(): string {
  const fromQuery = new URLSearchParams(window.location.search).get('code');
  return (fragmentParam('code') ?? fromQuery ?? '').slice(0, 40);
}

function Advice() {
  return (
    <section className="verify-advice" data-testid="verify-advice">
      <h2>
        <T id="verify.advice.title" />
      </h2>
      <ul>
        <li>
          <T id="verify.advice.links" />
        </li>
        <li>
          <T id="verify.advice.secrets" />
        </li>
        <li>
          <T id="verify.advice.contact" />
        </li>
        <li>
          <T id="verify.advice.report" />
        </li>
      </ul>
    </section>
  );
}

function Genuine({ verdict }: { verdict: Extract<Verdict, { status: 'genuine' }> }) {
  return (
    <div className="verify-result" data-testid="verify-genuine">
      <Notice tone="success">
        <strong>
          <T id="verify.genuine.title" />
        </strong>
      </Notice>
      <dl className="verify-details">
        <dt>
          <T id="verify.genuine.organization" />
        </dt>
        <dd>
          {/* Isolated: "Acme s.r.o." on an Arabic page keeps its full stop at its end, as sent. */}
          <bdi data-testid="verify-organization">{verdict.organization}</bdi>
        </dd>
        <dt>
          <T id="verify.genuine.subject" />
        </dt>
        <dd data-testid="verify-subject" dir="auto" lang={verdict.subjectLocale ?? undefined}>
          {verdict.subject}
        </dd>
        <dt>
          <T id="verify.genuine.sentAt" />
        </dt>
        <dd>
          <Time value={verdict.sentAt} />
        </dd>
        <dt>
          <T id="verify.genuine.channel" />
        </dt>
        <dd>
          <T id={`verify.channel.${verdict.channel}`} />
        </dd>
        <dt>
          <T id="verify.genuine.recipient" />
        </dt>
        <dd data-testid="verify-recipient" dir="ltr">
          {verdict.maskedRecipient}
        </dd>
      </dl>
      <p>
        <T id="verify.genuine.compare" />
      </p>
    </div>
  );
}

/** The public check of a notice's verification code: genuine, or a warning with advice on phishing. */
export function VerifyPage() {
  const [code, setCode] = useState(codeFromAddress);
  const [verdict, setVerdict] = useState<Verdict>();
  const check = useAction();

  const [malformedInput, setMalformedInput] = useState(false);

  async function submit() {
    setVerdict(undefined);
    setMalformedInput(!mayBeCode(code));
    if (!mayBeCode(code)) return;
    const answer = await check.run(() => post<Verdict>('/api/public/verify', { code }));
    if (answer) setVerdict(answer);
  }

  const malformed =
    malformedInput || (check.error instanceof ApiError && check.error.code === 'validation_failed');
  return (
    <AuthLayout
      heading="verify.title"
      intro={<T id="verify.intro" />}
      brand={verdict?.status === 'genuine' ? verdict.brand : undefined}
    >
      <div className="verify" data-testid="verify-page">
        <Form onSubmit={submit}>
          {malformed ? (
            <Notice tone="warning">
              <span data-testid="verify-malformed">
                <T id="verify.codeHint" />
              </span>
            </Notice>
          ) : (
            <ErrorNotice error={check.error} />
          )}
          <TextField
            label={<T id="verify.code" />}
            hint={<T id="verify.codeHint" />}
            name="code"
            dir="ltr"
            className="verify-code"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            required
            maxLength={40}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          <Button type="submit" variant="primary" pending={check.pending}>
            <T id="verify.submit" />
          </Button>
        </Form>
        {verdict?.status === 'genuine' && <Genuine verdict={verdict} />}
        {verdict?.status === 'unknown' && (
          <div className="verify-result" data-testid="verify-unknown">
            <div className="notice notice-error" role="alert">
              <p className="notice-title">
                <T id="verify.unknown.title" />
              </p>
              <p className="notice-detail">
                <T id="verify.unknown.body" />
              </p>
            </div>
          </div>
        )}
        <Advice />
      </div>
    </AuthLayout>
  );
}
