import { useState } from 'react';
import { del, get, patch, post } from '../api';
import { T, useT } from '../i18n';
import { may, useSession } from '../session';
import { ConfirmButton } from '../ui/actions';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';

const CHANNEL_TYPES = [
  'phone',
  'phone_bridge',
  'signal',
  'sms',
  'whatsapp',
  'threema',
  'satellite_phone',
  'personal_email',
  'radio',
  'other',
] as const;
type ChannelType = (typeof CHANNEL_TYPES)[number];

interface Contact {
  id: string;
  name: string;
  role: string;
  affiliation: string;
  phone: string;
  channels: { type: ChannelType; value: string }[];
  notes: string;
  position: number;
}

type Draft = Omit<Contact, 'id'>;
const EMPTY: Draft = { name: '', role: '', affiliation: '', phone: '', channels: [], notes: '', position: 0 };

/** The people to reach when e-mail and chat may be in the attacker's hands. */
export function ContactsPage() {
  const { session } = useSession();
  const contacts = useLoad(() => get<Contact[]>('/api/contacts'));
  const [editing, setEditing] = useState<string | 'new'>();
  const remove = useAction();
  const manage = may(session, 'manageContacts');

  async function removeOne(id: string) {
    await remove.run(() => del(`/api/contacts/${id}`));
    await contacts.reload();
  }

  return (
    <>
      <PageHeader
        heading="app.contacts.title"
        intro={<T id="app.contacts.intro" />}
        actions={
          <div className="row">
            <a className="button button-secondary" href="/api/contacts/print" target="_blank" rel="noopener">
              <T id="app.contacts.print" />
            </a>
            <a className="button button-secondary" href="/api/contacts/export.csv" download>
              <T id="app.contacts.exportCsv" />
            </a>
            <a className="button button-secondary" href="/api/contacts/export.json" download>
              <T id="app.contacts.exportJson" />
            </a>
          </div>
        }
      />
      <Section
        title={<T id="app.contacts.list" />}
        actions={
          manage &&
          editing !== 'new' && (
            <Button variant="primary" onClick={() => setEditing('new')}>
              <T id="app.contacts.add" />
            </Button>
          )
        }
      >
        {editing === 'new' && (
          <ContactForm
            initial={{ ...EMPTY, position: contacts.data?.length ?? 0 }}
            onCancel={() => setEditing(undefined)}
            onSaved={async () => {
              setEditing(undefined);
              await contacts.reload();
            }}
          />
        )}
        <ErrorNotice error={contacts.error ?? remove.error} />
        {!contacts.data ? (
          contacts.loading && <Loading />
        ) : contacts.data.length === 0 ? (
          <p className="empty">
            <T id="app.contacts.none" />
          </p>
        ) : (
          <ul className="list" data-testid="contacts">
            {contacts.data.map((contact) =>
              editing === contact.id ? (
                <li key={contact.id} className="list-item">
                  <ContactForm
                    id={contact.id}
                    initial={contact}
                    onCancel={() => setEditing(undefined)}
                    onSaved={async () => {
                      setEditing(undefined);
                      await contacts.reload();
                    }}
                  />
                </li>
              ) : (
                <li key={contact.id} className="list-item">
                  <ContactCard contact={contact} />
                  {manage && (
                    <div className="row-actions no-print">
                      <Button onClick={() => setEditing(contact.id)}>
                        <T id="app.action.edit" />
                      </Button>
                      <ConfirmButton
                        question={<T id="app.contacts.remove.question" />}
                        confirmLabel={<T id="app.action.remove" />}
                        onConfirm={() => removeOne(contact.id)}
                      >
                        <T id="app.action.remove" />
                      </ConfirmButton>
                    </div>
                  )}
                </li>
              ),
            )}
          </ul>
        )}
      </Section>
    </>
  );
}

function ContactCard({ contact }: { contact: Contact }) {
  return (
    <div className="list-main">
      <span className="person-name">{contact.name}</span>
      {(contact.role || contact.affiliation) && (
        <span className="muted">{[contact.role, contact.affiliation].filter(Boolean).join(' · ')}</span>
      )}
      {contact.phone && (
        <a href={`tel:${contact.phone.replace(/[^+0-9]/g, '')}`} dir="ltr">
          {contact.phone}
        </a>
      )}
      {contact.channels.length > 0 && (
        <ul className="plain-list">
          {contact.channels.map((channel, index) => (
            <li key={index}>
              <T id={`plan.contacts.channel.${channel.type}`} />
              {': '}
              <span dir="auto">{channel.value}</span>
            </li>
          ))}
        </ul>
      )}
      {contact.notes && <span className="muted prose">{contact.notes}</span>}
    </div>
  );
}

function ContactForm({
  id,
  initial,
  onCancel,
  onSaved,
}: {
  id?: string;
  initial: Draft;
  onCancel(): void;
  onSaved(): Promise<void>;
}) {
  const t = useT();
  const [draft, setDraft] = useState<Draft>({
    name: initial.name,
    role: initial.role,
    affiliation: initial.affiliation,
    phone: initial.phone,
    channels: initial.channels,
    notes: initial.notes,
    position: initial.position,
  });
  const { run, pending, error } = useAction();

  async function submit() {
    const body = { ...draft, channels: draft.channels.filter((c) => c.value.trim()) };
    const done = await run(() => (id ? patch(`/api/contacts/${id}`, body) : post('/api/contacts', body)));
    if (done !== undefined) await onSaved();
  }

  const setChannel = (index: number, channel: Draft['channels'][number]) =>
    setDraft({ ...draft, channels: draft.channels.map((c, i) => (i === index ? channel : c)) });

  return (
    <Form onSubmit={submit} className="inline-form">
      <div className="grid">
        <TextField
          label={<T id="plan.contacts.column.name" />}
          required
          maxLength={200}
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.target.value })}
        />
        <TextField
          label={<T id="plan.contacts.column.role" />}
          maxLength={200}
          value={draft.role}
          onChange={(event) => setDraft({ ...draft, role: event.target.value })}
        />
        <TextField
          label={<T id="plan.contacts.column.affiliation" />}
          maxLength={200}
          value={draft.affiliation}
          onChange={(event) => setDraft({ ...draft, affiliation: event.target.value })}
        />
        <TextField
          label={<T id="plan.contacts.column.phone" />}
          type="tel"
          dir="ltr"
          maxLength={40}
          value={draft.phone}
          onChange={(event) => setDraft({ ...draft, phone: event.target.value })}
        />
      </div>
      <fieldset className="fieldset">
        <legend>
          <T id="plan.contacts.column.channels" />
        </legend>
        {draft.channels.map((channel, index) => (
          <div className="jurisdiction-row" key={index}>
            <SelectField
              label={<T id="app.contacts.channelType" />}
              value={channel.type}
              onChange={(event) => setChannel(index, { ...channel, type: event.target.value as ChannelType })}
            >
              {CHANNEL_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`plan.contacts.channel.${type}`)}
                </option>
              ))}
            </SelectField>
            <TextField
              label={<T id="app.contacts.channelValue" />}
              maxLength={300}
              dir="auto"
              value={channel.value}
              onChange={(event) => setChannel(index, { ...channel, value: event.target.value })}
            />
            <Button
              variant="ghost"
              onClick={() => setDraft({ ...draft, channels: draft.channels.filter((_, i) => i !== index) })}
            >
              <T id="app.action.remove" />
            </Button>
          </div>
        ))}
        <div>
          <Button
            onClick={() =>
              setDraft({ ...draft, channels: [...draft.channels, { type: 'signal', value: '' }] })
            }
          >
            <T id="app.contacts.addChannel" />
          </Button>
        </div>
      </fieldset>
      <TextAreaField
        label={<T id="plan.contacts.column.notes" />}
        rows={2}
        maxLength={2000}
        value={draft.notes}
        onChange={(event) => setDraft({ ...draft, notes: event.target.value })}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.action.save" />
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}
