import { Fragment, useState } from 'react';
import { get, post } from '../api';
import { T, useFormatInstant, useT, type MessageId } from '../i18n';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';

type Kind = 'hard' | 'soft' | 'complaint' | 'unsubscribe';
type Verdict = 'bad_token' | 'recipient_mismatch' | 'not_a_notice';

interface HeldReport {
  id: string;
  deliveryId: string;
  kind: Kind;
  source: string;
  verdict: Verdict;
  recipients: number;
  foreignRecipients: number;
  statuses: string[];
  remoteAddress: string | null;
  hasMessage: boolean;
  receivedAt: string;
  reviewedAt: string | null;
}

const KINDS: Record<Kind, MessageId> = {
  hard: 'app.emailSettings.reports.kind.hard',
  soft: 'app.emailSettings.reports.kind.soft',
  complaint: 'app.emailSettings.reports.kind.complaint',
  unsubscribe: 'app.emailSettings.reports.kind.unsubscribe',
};
const VERDICTS: Record<Verdict, MessageId> = {
  bad_token: 'app.emailSettings.reports.verdict.badToken',
  recipient_mismatch: 'app.emailSettings.reports.verdict.recipientMismatch',
  not_a_notice: 'app.emailSettings.reports.verdict.notANotice',
};
const COLUMNS = 5;

/**
 * Bounces, complaints and unsubscribes that could not be trusted and changed nothing, waiting for
 * an admin: why each was held, the report as received (its reading is audited), and marking it
 * reviewed. A genuine one is acted on by hand; nothing here suppresses anyone.
 */
export function HeldReports() {
  const t = useT();
  const formatInstant = useFormatInstant();
  const reports = useLoad(() => get<HeldReport[]>('/api/inbound-reports?status=open'));
  const [messages, setMessages] = useState<Record<string, string>>({});
  const action = useAction();

  async function show(id: string) {
    const found = await action.run(() =>
      get<{ message: string }>(`/api/inbound-reports/${encodeURIComponent(id)}/message`),
    );
    if (found) setMessages((shown) => ({ ...shown, [id]: found.message }));
  }

  function hide(id: string) {
    setMessages(({ [id]: _hidden, ...rest }) => rest);
  }

  async function reviewed(id: string) {
    if (await action.run(() => post(`/api/inbound-reports/${encodeURIComponent(id)}/reviewed`, {}))) {
      hide(id);
      await reports.reload();
    }
  }

  return (
    <div data-testid="held-reports">
      <ErrorNotice error={action.error ?? reports.error} />
      {reports.loading && !reports.data && <Loading />}
      {reports.data?.length === 0 && (
        <p data-testid="held-reports-none">
          <T id="app.emailSettings.reports.none" />
        </p>
      )}
      {reports.data && reports.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">
                  <T id="app.emailSettings.reports.received" />
                </th>
                <th scope="col">
                  <T id="app.emailSettings.reports.kind" />
                </th>
                <th scope="col">
                  <T id="app.emailSettings.reports.verdict" />
                </th>
                <th scope="col">
                  <T id="app.emailSettings.reports.addresses" />
                </th>
                <th scope="col">
                  <span className="visually-hidden">
                    <T id="app.emailSettings.reports.actions" />
                  </span>
                </th>
              </tr>
            </thead>
            <tbody>
              {reports.data.map((r) => {
                const message = messages[r.id];
                return (
                  <Fragment key={r.id}>
                    <tr data-testid="held-report" data-verdict={r.verdict}>
                      <td className="nowrap">
                        <time dateTime={r.receivedAt} data-testid="held-report-received">
                          {formatInstant(r.receivedAt)}
                        </time>
                      </td>
                      <td>{t(KINDS[r.kind])}</td>
                      <td>{t(VERDICTS[r.verdict])}</td>
                      <td data-testid="held-report-addresses">
                        <T
                          id="app.emailSettings.reports.addressCount"
                          values={{ recipients: r.recipients, foreign: r.foreignRecipients }}
                        />
                      </td>
                      <td>
                        <div className="report-actions">
                          {!r.hasMessage ? (
                            <span className="muted">
                              <T id="app.emailSettings.reports.noMessage" />
                            </span>
                          ) : message === undefined ? (
                            <Button
                              pending={action.pending}
                              onClick={() => void show(r.id)}
                              data-testid="held-report-show"
                            >
                              <T id="app.emailSettings.reports.show" />
                            </Button>
                          ) : (
                            <Button onClick={() => hide(r.id)} data-testid="held-report-hide">
                              <T id="app.emailSettings.reports.hide" />
                            </Button>
                          )}
                          <Button
                            pending={action.pending}
                            onClick={() => void reviewed(r.id)}
                            data-testid="held-report-reviewed"
                          >
                            <T id="app.emailSettings.reports.markReviewed" />
                          </Button>
                        </div>
                      </td>
                    </tr>
                    {message !== undefined && (
                      <tr className="row-editor">
                        <td colSpan={COLUMNS}>
                          <p className="field-hint">
                            <T id="app.emailSettings.reports.messageNote" />
                          </p>
                          {/* Raw mail: left to right whatever the page's direction. */}
                          <pre className="report-message" dir="ltr" data-testid="held-report-message">
                            {message}
                          </pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
