import { useState } from 'react';
import { ApiError, post } from '../api';
import { T, useT } from '../i18n';
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
        <Button
          variant="primary"
          disabled={!approved || channels.length === 0}
          pending={action.pending}
          onClick={() => void send(false)}
          data-testid="notice-send-now"
        >
          <T id="app.notices.send.now" />
        </Button>
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
