import { useState } from 'react';
import { ApiError, post } from '../api';
import { T, useFormatInstant, useLocale, useT, useTimeZone, ZoneName } from '../i18n';
import { instantFromLocal } from '../../../src/platform/time-format';
import { ConfirmButton } from '../ui/actions';
import { Link } from '../router';
import { ErrorNotice, Notice } from '../ui/feedback';
import { CheckboxField, TextField } from '../ui/form';
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
  const zone = useTimeZone();
  const formatInstant = useFormatInstant();
  // "Send at" is read in the organization's zone, as every other time in the app.
  const scheduledAt = at ? instantFromLocal(at, zone) : undefined;
  // Everyone the notice is for: a send reaches each on the chosen channels they have on record.
  const recipients = Object.values(view.latest.readers).reduce((n, count) => n + (count ?? 0), 0);
  const channelList = new Intl.ListFormat(locale, { type: 'conjunction' }).format(
    CHANNELS.filter((c) => channels.includes(c)).map((c) => t(`app.notices.send.by.${c}`)),
  );

  async function send(scheduled: boolean) {
    const done = await action.run(() =>
      post(`/api/notices/${view.id}/sends`, {
        channels,
        ...(scheduled && scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}),
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
        hint={<T id="app.notices.send.atZone" values={{ zone: <ZoneName zone={zone} /> }} />}
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
        <ConfirmButton
          disabled={!approved || channels.length === 0 || !scheduledAt}
          pending={action.pending}
          question={
            <span data-testid="notice-schedule-question">
              <T
                id={
                  view.isExercise
                    ? 'app.notices.send.confirmScheduleTest'
                    : 'app.notices.send.confirmSchedule'
                }
                values={{ count: recipients, channels: channelList, at: formatInstant(scheduledAt) }}
              />
            </span>
          }
          confirmLabel={<T id="app.notices.send.confirmScheduleYes" />}
          onConfirm={() => send(true)}
          data-testid="notice-send-schedule"
        >
          <T id="app.notices.send.schedule" />
        </ConfirmButton>
      </div>
    </div>
  );
}
