import { useState } from 'react';
import { api, get, post, put } from '../api';
import { T, useT, type MessageId, Time } from '../i18n';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { HeldReports } from './held-reports';
import './email-settings.css';

interface DnsRecord {
  name: string;
  type: 'TXT';
  value: string;
  strings: string[];
}

interface EmailSettingsView {
  settings: {
    fromAddress: string;
    fromName: string | null;
    replyTo: string | null;
    domain: string;
    dkimSelector: string;
    publicKey: string;
    updatedAt: string;
  } | null;
  dns: {
    dkim: DnsRecord;
    spf: DnsRecord & { mechanism: string | null };
    dmarc: DnsRecord;
    aligned: boolean;
  } | null;
  bounceDomain: string;
}

type Channel = 'email' | 'sms' | 'webhook';
type Reason = 'hard_bounce' | 'complaint' | 'permanent_failure' | 'unsubscribed';
/** all: no notice reaches the address on its channel; optional: mandatory breach notices still do. */
type Scope = 'all' | 'optional';

interface Suppression {
  id: string;
  channel: Channel;
  reason: Reason;
  scope: Scope;
  source: string;
  deliveryId: string | null;
  createdAt: string;
}

const REASONS: Record<Reason, MessageId> = {
  hard_bounce: 'app.emailSettings.reason.hardBounce',
  complaint: 'app.emailSettings.reason.complaint',
  permanent_failure: 'app.emailSettings.reason.permanentFailure',
  unsubscribed: 'app.emailSettings.reason.unsubscribed',
};
const SCOPES: Record<Scope, MessageId> = {
  all: 'app.emailSettings.scope.all',
  optional: 'app.emailSettings.scope.optional',
};
const CHANNELS: Record<Channel, MessageId> = {
  email: 'app.emailSettings.channel.email',
  sms: 'app.emailSettings.channel.sms',
  webhook: 'app.emailSettings.channel.webhook',
};

/** A TXT record as a zone file writes it: each character-string quoted, at most 255 octets each. */
const zoneLine = (r: DnsRecord) => `${r.name}. IN TXT ${r.strings.map((s) => `"${s}"`).join(' ')}`;

function Record({ label, record, note }: { label: MessageId; record: DnsRecord; note?: MessageId }) {
  return (
    <div className="dns-record" data-testid={`dns-${label.split('.').pop()}`}>
      <h3>
        <T id={label} />
      </h3>
      <dl className="dns-record-fields">
        <dt>
          <T id="app.emailSettings.dns.name" />
        </dt>
        <dd dir="ltr">
          <code className="dns-name">{record.name}</code>
        </dd>
        <dt>
          <T id="app.emailSettings.dns.type" />
        </dt>
        <dd dir="ltr">
          <code>{record.type}</code>
        </dd>
        <dt>
          <T id="app.emailSettings.dns.value" />
        </dt>
        <dd dir="ltr">
          <pre className="dns-value">{record.value}</pre>
        </dd>
        <dt>
          <T id="app.emailSettings.dns.zone" />
        </dt>
        <dd dir="ltr">
          <pre className="dns-zone">{zoneLine(record)}</pre>
        </dd>
      </dl>
      {note && (
        <p className="field-hint">
          <T id={note} />
        </p>
      )}
    </div>
  );
}

const blank = { fromAddress: '', fromName: '', replyTo: '', dkimSelector: 'candor', rotateKey: false };

type Settings = NonNullable<EmailSettingsView['settings']>;

function SettingsForm({
  current,
  onSaved,
}: {
  current: Settings | null | undefined;
  onSaved: () => Promise<void>;
}) {
  const [form, setForm] = useState(
    current
      ? {
          fromAddress: current.fromAddress,
          fromName: current.fromName ?? '',
          replyTo: current.replyTo ?? '',
          dkimSelector: current.dkimSelector,
          rotateKey: false,
        }
      : blank,
  );
  const save = useAction();

  async function submit() {
    const body = {
      fromAddress: form.fromAddress.trim(),
      fromName: form.fromName.trim() || null,
      replyTo: form.replyTo.trim() || null,
      dkimSelector: form.dkimSelector.trim(),
      rotateKey: form.rotateKey,
    };
    if (await save.run(() => put<EmailSettingsView>('/api/email-settings', body))) await onSaved();
  }

  const set =
    (key: 'fromAddress' | 'fromName' | 'replyTo' | 'dkimSelector') =>
    (event: { target: { value: string } }) =>
      setForm({ ...form, [key]: event.target.value });

  return (
    <>
      <ErrorNotice error={save.error} />
      <Form onSubmit={submit}>
        <TextField
          label={<T id="app.emailSettings.fromAddress" />}
          hint={<T id="app.emailSettings.fromAddress.hint" />}
          name="fromAddress"
          type="email"
          required
          dir="ltr"
          value={form.fromAddress}
          onChange={set('fromAddress')}
        />
        <TextField
          label={<T id="app.emailSettings.fromName" />}
          name="fromName"
          maxLength={200}
          value={form.fromName}
          onChange={set('fromName')}
        />
        <TextField
          label={<T id="app.emailSettings.replyTo" />}
          name="replyTo"
          type="email"
          dir="ltr"
          value={form.replyTo}
          onChange={set('replyTo')}
        />
        <TextField
          label={<T id="app.emailSettings.selector" />}
          hint={<T id="app.emailSettings.selector.hint" />}
          name="dkimSelector"
          required
          dir="ltr"
          pattern="[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?"
          value={form.dkimSelector}
          onChange={set('dkimSelector')}
        />
        {current && (
          <CheckboxField
            label={<T id="app.emailSettings.rotate" />}
            hint={<T id="app.emailSettings.rotate.hint" />}
            name="rotateKey"
            checked={form.rotateKey}
            onChange={(event) => setForm({ ...form, rotateKey: event.target.checked })}
          />
        )}
        <Button type="submit" variant="primary" pending={save.pending}>
          <T id="app.emailSettings.save" />
        </Button>
      </Form>
    </>
  );
}

/** E-mail for notices: the From address and DKIM key, the DNS records to publish, and the suppression list. */
export function EmailSettingsPage() {
  const t = useT();
  const loaded = useLoad(() => get<EmailSettingsView>('/api/email-settings'));
  const [channel, setChannel] = useState<Channel>('email');
  const suppressions = useLoad(() => get<Suppression[]>(`/api/suppressions?channel=${channel}`), channel);
  const [address, setAddress] = useState('');
  const [found, setFound] = useState<Suppression[] | undefined>();
  const list = useAction();

  const current = loaded.data?.settings;
  async function search() {
    const rows = await list.run(() =>
      post<Suppression[]>('/api/suppressions/search', { channel, address: address.trim() }),
    );
    if (rows) setFound(rows);
  }

  async function remove(id: string) {
    if (await list.run(() => api('DELETE', `/api/suppressions/${id}`).then(() => true))) {
      setFound(found?.filter((s) => s.id !== id));
      await suppressions.reload();
    }
  }

  const rows = (items: Suppression[]) => (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">
              <T id="app.emailSettings.suppressions.channel" />
            </th>
            <th scope="col">
              <T id="app.emailSettings.suppressions.reason" />
            </th>
            <th scope="col">
              <T id="app.emailSettings.suppressions.scope" />
            </th>
            <th scope="col">
              <T id="app.emailSettings.suppressions.since" />
            </th>
            <th scope="col">
              <span className="visually-hidden">
                <T id="app.emailSettings.suppressions.remove" />
              </span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id}>
              <td>{t(CHANNELS[s.channel])}</td>
              <td>{t(REASONS[s.reason])}</td>
              <td data-testid="suppression-scope" data-scope={s.scope}>
                {t(SCOPES[s.scope])}
              </td>
              <td className="nowrap">
                <Time value={s.createdAt} />
              </td>
              <td>
                <Button onClick={() => void remove(s.id)}>
                  <T id="app.emailSettings.suppressions.remove" />
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

  return (
    <div className="page">
      <PageHeader heading="app.emailSettings.title" intro={<T id="app.emailSettings.intro" />} />
      <Section title={<T id="app.emailSettings.sending" />}>
        <ErrorNotice error={loaded.error} />
        {loaded.loading && !loaded.data && <Loading />}
        {loaded.data && (
          <SettingsForm key={current?.updatedAt ?? 'new'} current={current} onSaved={loaded.reload} />
        )}
      </Section>
      {loaded.data?.dns && (
        <Section title={<T id="app.emailSettings.dns" />} intro={<T id="app.emailSettings.dns.intro" />}>
          <Record
            label="app.emailSettings.dns.dkim"
            record={loaded.data.dns.dkim}
            note="app.emailSettings.dns.dkim.note"
          />
          {loaded.data.dns.aligned && (
            <p data-testid="dkim-aligned">
              <T id="app.emailSettings.dns.aligned" values={{ domain: loaded.data.settings!.domain }} />
            </p>
          )}
          <Record
            label="app.emailSettings.dns.spf"
            record={loaded.data.dns.spf}
            note="app.emailSettings.dns.spf.note"
          />
          <Record
            label="app.emailSettings.dns.dmarc"
            record={loaded.data.dns.dmarc}
            note="app.emailSettings.dns.dmarc.note"
          />
          <p>
            <T id="app.emailSettings.dns.bounces" values={{ domain: loaded.data.bounceDomain }} />
          </p>
        </Section>
      )}
      <Section
        title={<T id="app.emailSettings.suppressions" />}
        intro={<T id="app.emailSettings.suppressions.intro" />}
      >
        <ErrorNotice error={list.error ?? suppressions.error} />
        <Form onSubmit={search}>
          <SelectField
            label={<T id="app.emailSettings.suppressions.channel" />}
            name="channel"
            value={channel}
            onChange={(event) => {
              setChannel(event.target.value as Channel);
              setFound(undefined);
            }}
          >
            {(Object.keys(CHANNELS) as Channel[]).map((c) => (
              <option key={c} value={c}>
                {t(CHANNELS[c])}
              </option>
            ))}
          </SelectField>
          <TextField
            label={<T id="app.emailSettings.suppressions.address" />}
            name="address"
            required
            dir="ltr"
            value={address}
            onChange={(event) => setAddress(event.target.value)}
          />
          <Button type="submit" pending={list.pending}>
            <T id="app.emailSettings.suppressions.find" />
          </Button>
        </Form>
        {found &&
          (found.length === 0 ? (
            <p data-testid="suppression-not-found">
              <T id="app.emailSettings.suppressions.notFound" />
            </p>
          ) : (
            rows(found)
          ))}
        <h3>
          <T id="app.emailSettings.suppressions.recent" />
        </h3>
        {suppressions.loading && !suppressions.data && <Loading />}
        {suppressions.data?.length === 0 && (
          <p>
            <T id="app.emailSettings.suppressions.none" />
          </p>
        )}
        {suppressions.data && suppressions.data.length > 0 && rows(suppressions.data)}
      </Section>
      <Section
        title={<T id="app.emailSettings.reports" />}
        intro={<T id="app.emailSettings.reports.intro" />}
      >
        <HeldReports />
      </Section>
    </div>
  );
}
