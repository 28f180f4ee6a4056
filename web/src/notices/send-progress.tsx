import { useEffect, useState } from 'react';
import { useIntl } from 'react-intl';
import { get, post } from '../api';
import { T, Time, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction } from '../ui/hooks';
import './send-progress.css';

export type SendStatus = 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';
type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'paused' | 'suppressed';
type Channel = 'email' | 'sms' | 'webhook';

export interface SendProgressView {
  sendId: string;
  status: SendStatus;
  chunks: { total: number; done: number };
  recipients: number;
  totals: Record<DeliveryStatus, number>;
  byChannel: { channel: Channel; status: DeliveryStatus; count: number }[];
  ratePerSecond: number;
  etaSeconds: number | null;
}

interface RecipientRow {
  deliveryId: string;
  externalId: string | null;
  testRecipient: boolean;
  channel: Channel;
  locale: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  /** An SMS the provider reported delivered to the phone: when. */
  deliveredAt: string | null;
  /** The channels the customer has on record now: how to reach one a suppression or failure stopped. */
  channelsOnRecord: Channel[];
}

const STATUSES: DeliveryStatus[] = [
  'sent',
  'failed',
  'suppressed',
  'pending',
  'sending',
  'paused',
  'cancelled',
];
/** The statuses whose customers staff may need to reach another way. */
const UNREACHED: DeliveryStatus[] = ['failed', 'suppressed'];
const finished = (s: SendStatus) => s === 'completed' || s === 'cancelled';

/**
 * A send's live progress: a bar of the messages out of all, totals by status and channel, the
 * rate and the time left, streamed by the server (server-sent events); pause, resume, cancel and
 * resend to the failed; the recipients of one status (their customer id, never personal data).
 * Mount it for each send request: <SendProgress sendId={send.id} canControl={can('notices.send')} />;
 * onStatus keeps a header outside it (the send's row) in step with the stream.
 */
export function SendProgress({
  sendId,
  canControl = false,
  onStatus,
}: {
  sendId: string;
  canControl?: boolean;
  /** Told each status the send reaches, for a header kept outside this view. */
  onStatus?(status: SendStatus): void;
}) {
  const t = useT();
  const intl = useIntl();
  const [view, setView] = useState<SendProgressView>();
  const status = view?.status;
  useEffect(() => {
    if (status) onStatus?.(status);
  }, [status, onStatus]);
  const [streamError, setStreamError] = useState(false);
  const [listed, setListed] = useState<{ status: DeliveryStatus; rows: RecipientRow[] }>();
  const action = useAction();

  useEffect(() => {
    // EventSource sends the session cookie (same origin) and reconnects on its own.
    const source = new EventSource(`/api/notice-sends/${encodeURIComponent(sendId)}/events`);
    source.addEventListener('progress', (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as SendProgressView;
      setView(next);
      setStreamError(false);
      if (finished(next.status)) source.close();
    });
    source.onerror = () => setStreamError(true);
    return () => source.close();
  }, [sendId]);

  const control = (path: string) =>
    void action.run(async () => {
      await post(`/api/notice-sends/${encodeURIComponent(sendId)}/${path}`, {});
      setView(await get<SendProgressView>(`/api/notice-sends/${encodeURIComponent(sendId)}/progress`));
    });

  const list = (status: DeliveryStatus) =>
    void action.run(async () => {
      const { recipients } = await get<{ recipients: RecipientRow[] }>(
        // The server's default page of 100: its integer ?limit= is refused, query strings are not coerced.
        `/api/notice-sends/${encodeURIComponent(sendId)}/recipients?status=${status}`,
      );
      setListed({ status, rows: recipients });
    });

  if (!view) {
    return streamError ? (
      <p role="alert">
        <T id="app.notices.progress.streamLost" />
      </p>
    ) : null;
  }
  const total = STATUSES.reduce((n, s) => n + view.totals[s], 0);
  const done = view.totals.sent + view.totals.failed + view.totals.suppressed + view.totals.cancelled;
  // Resending retries the suppressed too (after an address is taken off the suppression list).
  const unreached = view.totals.failed + view.totals.suppressed;
  const showChannels = listed !== undefined && UNREACHED.includes(listed.status);
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);

  return (
    <div className="send-progress" data-testid="send-progress" data-status={view.status}>
      <div className="send-progress-head">
        <strong>
          <T id={`app.notices.sendStatus.${view.status}`} />
        </strong>
        {view.status === 'fanning_out' && (
          <span>
            <T
              id="app.notices.progress.preparing"
              values={{ done: view.chunks.done, total: view.chunks.total }}
            />
          </span>
        )}
      </div>
      <progress
        className="send-progress-bar"
        max={Math.max(total, 1)}
        value={done}
        aria-label={t('app.notices.progress.bar')}
        data-testid="send-progress-bar"
      />
      <p className="send-progress-summary" data-testid="send-progress-summary">
        <span>
          <T id="app.notices.progress.summary" values={{ done, total, percent }} />
        </span>
        {view.ratePerSecond > 0 && (
          <span>
            <T id="app.notices.progress.rate" values={{ rate: view.ratePerSecond }} />
          </span>
        )}
        {view.etaSeconds !== null && view.etaSeconds > 0 && !finished(view.status) && (
          <span>
            <T
              id="app.notices.progress.eta"
              values={{ minutes: Math.max(1, Math.ceil(view.etaSeconds / 60)) }}
            />
          </span>
        )}
        {streamError && (
          <span role="alert">
            <T id="app.notices.progress.streamLost" />
          </span>
        )}
      </p>
      <ul className="send-progress-totals">
        {STATUSES.filter((s) => view.totals[s] > 0).map((s) => (
          <li key={s}>
            <Button variant="ghost" onClick={() => list(s)} data-testid={`send-total-${s}`}>
              <T id={`app.notices.delivery.${s}`} values={{ count: view.totals[s] }} />
            </Button>
          </li>
        ))}
      </ul>
      {canControl && !finished(view.status) && (
        <div className="send-progress-actions">
          {view.status === 'paused' ? (
            <Button pending={action.pending} onClick={() => control('resume')} data-testid="send-resume">
              <T id="app.notices.progress.resume" />
            </Button>
          ) : (
            <Button pending={action.pending} onClick={() => control('pause')} data-testid="send-pause">
              <T id="app.notices.progress.pause" />
            </Button>
          )}
          <Button
            variant="danger"
            pending={action.pending}
            onClick={() => {
              if (window.confirm(t('app.notices.progress.cancelConfirm'))) control('cancel');
            }}
            data-testid="send-cancel"
          >
            <T id="app.notices.progress.cancel" />
          </Button>
        </div>
      )}
      {canControl && unreached > 0 && view.status !== 'cancelled' && (
        <Button
          pending={action.pending}
          onClick={() => control('resend-failed')}
          data-testid="send-resend-failed"
        >
          <T
            id={
              view.totals.suppressed > 0
                ? 'app.notices.progress.resendUnreached'
                : 'app.notices.progress.resendFailed'
            }
            values={{ count: unreached }}
          />
        </Button>
      )}
      {action.error !== undefined && <ErrorNotice error={action.error} />}
      {listed?.status === 'suppressed' && (
        <p className="send-progress-explain" data-testid="send-suppressed-explain">
          <T id="app.notices.progress.suppressedExplain" />
        </p>
      )}
      {listed && (
        <table className="send-progress-recipients" data-testid="send-recipients">
          <thead>
            <tr>
              <th>
                <T id="app.notices.progress.recipient" />
              </th>
              <th>
                <T id="app.notices.progress.channel" />
              </th>
              <th>
                <T id="app.notices.progress.attempts" />
              </th>
              <th>
                <T id="app.notices.progress.lastError" />
              </th>
              <th>
                <T id="app.notices.progress.report" />
              </th>
              {showChannels && (
                <th>
                  <T id="app.notices.progress.onRecord" />
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {listed.rows.map((r) => (
              <tr key={r.deliveryId}>
                <td className="nowrap">
                  {r.testRecipient || r.externalId === null ? (
                    <T
                      id={
                        r.testRecipient ? 'app.notices.progress.testRecipient' : 'app.notices.progress.erased'
                      }
                    />
                  ) : (
                    r.externalId
                  )}
                </td>
                <td>
                  <T id={`app.notices.channel.${r.channel}`} />
                </td>
                <td>{r.attempts}</td>
                <td>
                  {r.status === 'suppressed' ? (
                    <T id="app.notices.progress.suppressedReason" />
                  ) : (
                    (r.lastError ?? '')
                  )}
                </td>
                <td data-testid="send-recipient-report">
                  {r.deliveredAt !== null && (
                    <T id="app.notices.progress.delivered" values={{ at: <Time value={r.deliveredAt} /> }} />
                  )}
                </td>
                {showChannels && (
                  <td data-testid="send-recipient-on-record">
                    {r.channelsOnRecord.length === 0 ? (
                      <T id="app.notices.progress.noneOnRecord" />
                    ) : (
                      intl.formatList(
                        r.channelsOnRecord.map((c) => t(`app.notices.channel.${c}`)),
                        { type: 'unit' },
                      )
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
