import { useState } from 'react';
import { ApiError, post } from '../api';
import { T, useLocale, useT } from '../i18n';
import { ConfirmButton } from '../ui/actions';
import { Link } from '../router';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, CheckboxField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { useCan, type NoticeView } from './notices-shared';

const CHANNELS = ['email', 'sms', 'webhook'] as const;
type Channel = (typeof CHANNELS)[number];

/** Sending the approved version now or at a set time, on the chosen channels. */
export function SendPanel({ view, onSent }: { view: NoticeView; onSent(): void }) {
  const t = useT();
  const { can } = useCan();
  const [channels, setChannels] = useState<Channel[]>(['email']);
  const [at, setAt] = useState('');
  const action = useAction();
  const approved = Boolean(view.latest.approvedBy);
  const { locale } = useLocale();
  // Everyone the notice is for: a send reaches each on the chosen channels they have on record.
  const recipients = Object.values(view.latest.readers).reduce((n, count) => n + (count ?? 0), 0);
  const channelList = new Intl.ListFormat(locale, { type: 'conjunction' }).format(
    CHANNELS.filter((c) => channels.includes(c)).map((c) => t(`app.notices.send.by.${c}`)),
  );

  async function send(scheduled: boolean) {
    const done = await action.run(() =>
      post(`/api/notices/${view.id}/sends`, {
        channels,
        ...(scheduled && at ? { scheduledAt: new Date(at).toISOString() } : {}),
      }),
    );
    if (done !== undefined) onSent();
  }

  return (
    <div className="notice-send" data-testid="notice-send-panel">
      <h4>
        <T id="app.notices.send.title" />
      </h4>
      {view.isExercise && (
        <Notice>
          <T id="app.notices.send.exercise" />{' '}
          {can('notices.test_recipients') && (
            <Link to="/notice-test-recipients">
              <T id="app.nav.testRecipients" />
            </Link>
          )}
        </Notice>
      )}
      {!approved && (
        <p>
          <T id="app.notices.send.needsApproval" />
        </p>
      )}
      <fieldset className="notice-channels">
        <legend>
          <T id="app.notices.send.channels" />
        </legend>
        {CHANNELS.map((c) => (
          <CheckboxField
            key={c}
            label={t(`app.notices.channel.${c}`)}
            name={`send-${c}`}
            checked={channels.includes(c)}
            onChange={(event) =>
              setChannels(event.target.checked ? [...channels, c] : channels.filter((x) => x !== c))
            }
          />
        ))}
      </fieldset>
      <TextField
        label={<T id="app.notices.send.at" />}
        name="send-at"
        type="datetime-local"
        value={at}
        onChange={(event) => setAt(event.target.value)}
      />
      <ErrorNotice error={action.error} />
      {/* The message says where e-mail is set up; one who may set it up gets the way there too. */}
      {action.error instanceof ApiError &&
        action.error.code === 'email_settings_missing' &&
        can('organization.manage') && (
          <p>
            <Link to="/email-settings" data-testid="notice-send-email-settings">
              <T id="app.nav.emailSettings" />
            </Link>
          </p>
        )}
      <div className="row">
        <ConfirmButton
          variant="primary"
          disabled={!approved || channels.length === 0}
          pending={action.pending}
          question={
            <span data-testid="notice-send-question">
              <T
                id={view.isExercise ? 'app.notices.send.confirmTest' : 'app.notices.send.confirm'}
                values={{ count: recipients, channels: channelList }}
              />
            </span>
          }
          confirmLabel={<T id="app.notices.send.confirmYes" />}
          onConfirm={() => send(false)}
          data-testid="notice-send-now"
        >
          <T id="app.notices.send.now" />
        </ConfirmButton>
        <Button
          disabled={!approved || channels.length === 0 || !at}
          pending={action.pending}
          onClick={() => void send(true)}
          data-testid="notice-send-schedule"
        >
          <T id="app.notices.send.schedule" />
        </Button>
      </div>
    </div>
  );
}
