import { useState } from 'react';
import { post } from '../api';
import { T, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, SelectField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { REVEAL_REASONS, type Personal, type Revealed, type RevealReason } from './model';

/** The reason asked before personal data is opened; the server audits every reveal with it. */
export function ReasonField({
  value,
  onChange,
  name = 'reason',
}: {
  value: RevealReason | '';
  onChange(reason: RevealReason | ''): void;
  name?: string;
}) {
  const t = useT();
  return (
    <SelectField
      label={<T id="app.customer.reveal.reason" />}
      name={name}
      required
      value={value}
      onChange={(event) => onChange(event.target.value as RevealReason | '')}
    >
      <option value="">{t('app.customer.reveal.choose')}</option>
      {REVEAL_REASONS.map((reason) => (
        <option key={reason} value={reason}>
          {t(`app.customer.reveal.reason.${reason}`)}
        </option>
      ))}
    </SelectField>
  );
}

/** "Reveal": a reason and an optional note, then the personal fields of one customer. */
export function RevealPanel({ customerId }: { customerId: string }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState<RevealReason | ''>('');
  const [note, setNote] = useState('');
  const [personal, setPersonal] = useState<Personal>();
  const { run, pending, error } = useAction();

  async function reveal() {
    if (!reason) return;
    const body = { reason, ...(note.trim() ? { note: note.trim() } : {}) };
    const revealed = await run(() => post<Revealed>(`/api/customers/${customerId}/reveal`, body));
    if (revealed) {
      setPersonal(revealed.personal);
      setAsking(false);
    }
  }

  if (personal) {
    return (
      <div className="reveal" data-testid="revealed">
        <PersonalFacts personal={personal} />
        <Button variant="ghost" onClick={() => setPersonal(undefined)}>
          <T id="app.customer.reveal.hide" />
        </Button>
      </div>
    );
  }
  if (!asking) {
    return (
      <Button onClick={() => setAsking(true)} data-testid="reveal">
        <T id="app.customer.reveal" />
      </Button>
    );
  }
  return (
    <Form onSubmit={reveal} className="reveal">
      <p className="field-hint">
        <T id="app.customer.reveal.intro" />
      </p>
      <div className="grid">
        <ReasonField value={reason} onChange={setReason} />
        <TextField
          label={<T id="app.customer.reveal.note" />}
          name="note"
          maxLength={1000}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending} disabled={!reason}>
          <T id="app.customer.reveal.confirm" />
        </Button>
        <Button variant="ghost" onClick={() => setAsking(false)}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}

function PersonalFacts({ personal }: { personal: Personal }) {
  const none = (
    <span className="muted">
      <T id="app.customer.notSet" />
    </span>
  );
  const address = personal.address;
  return (
    <dl className="facts facts-compact">
      <div>
        <dt>
          <T id="app.customer.field.name" />
        </dt>
        <dd data-testid="personal-name" dir="auto">
          {personal.name ?? none}
        </dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.email" />
        </dt>
        <dd data-testid="personal-email" dir="ltr">
          {personal.email ?? none}
        </dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.phone" />
        </dt>
        <dd data-testid="personal-phone" dir="ltr">
          {personal.phone ?? none}
        </dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.webhookUrl" />
        </dt>
        <dd data-testid="personal-webhook" dir="ltr" className="break">
          {personal.webhookUrl ?? none}
        </dd>
      </div>
      <div>
        <dt>
          <T id="app.customer.field.address" />
        </dt>
        <dd dir="auto" className="prose">
          {address
            ? [
                ...address.lines,
                [address.postalCode, address.locality].filter(Boolean).join(' '),
                address.region,
                address.country,
              ]
                .filter(Boolean)
                .join('\n')
            : none}
        </dd>
      </div>
      {Object.entries(personal.attributes).map(([key, value]) => (
        <div key={key}>
          <dt dir="auto">{key}</dt>
          <dd dir="auto">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
