import { useState } from 'react';
import { get, post, put } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, Time, useT, type Locale } from '../i18n';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, TextAreaField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Flags } from './notice-flags';
import { PreviewPane } from './notice-preview-pane';
import { SendPanel } from './notice-send-panel';
import {
  partLabel,
  useCan,
  type Content,
  type Field,
  type LocaleContent,
  type NoticeView,
} from './notices-shared';
import { SendProgress, type SendStatus } from './send-progress';
import { NOTICE_PARTS } from '../../../src/modules/notices/notice-contracts';
import { PLACEHOLDERS } from '../../../src/modules/notices/notice-model';

const FIELDS: readonly Field[] = ['subject', ...NOTICE_PARTS, 'sms'];
const PLACEHOLDER_LIST = PLACEHOLDERS.map((name) => `{${name}}`).join(', ');
const PLACEHOLDER_EXAMPLE = '{verificationCode}';

const fieldText = (c: LocaleContent, field: Field) =>
  field === 'subject' ? c.subject : field === 'sms' ? c.sms : c.parts[field];

const withField = (c: LocaleContent, field: Field, value: string): LocaleContent =>
  field === 'subject'
    ? { ...c, subject: value }
    : field === 'sms'
      ? { ...c, sms: value }
      : { ...c, parts: { ...c.parts, [field]: value } };

/** One notice: its latest version edited per language, its flags, preview, approval, sending and sends. */
export function NoticeEditor({ noticeId, onChanged }: { noticeId: string; onChanged(): void }) {
  const t = useT();
  const { can, userId } = useCan();
  const notice = useLoad(() => get<NoticeView>(`/api/notices/${noticeId}`), noticeId);
  const [draft, setDraft] = useState<Content>();
  const [language, setLanguage] = useState<Locale>('en');
  // Each send's status as its progress stream last told it: the row's header says it, not the load.
  const [liveStatus, setLiveStatus] = useState<Record<string, SendStatus>>({});
  const action = useAction();

  if (!notice.data) {
    return (
      <div>
        <ErrorNotice error={notice.error} />
        {notice.loading && <Loading />}
      </div>
    );
  }
  const view = notice.data;
  const latest = view.latest;
  const content = draft ?? latest.content;

  async function change(request: () => Promise<NoticeView>) {
    const next = await action.run(request);
    if (next) {
      notice.setData(() => next);
      setDraft(undefined);
      onChanged();
    }
  }

  return (
    <div className="notice-editor" data-testid="notice-editor">
      <h3>
        <T id={`app.notices.kind.${view.kind}`} /> ·{' '}
        <T id="app.notices.version" values={{ version: latest.version }} />{' '}
        {latest.approvedBy ? (
          <Badge tone="success">
            <T id="app.notices.status.approved" />
          </Badge>
        ) : (
          <Badge tone="warning">
            <T id="app.notices.status.waiting" />
          </Badge>
        )}
      </h3>
      <ErrorNotice error={action.error} />

      <Form onSubmit={() => change(() => put<NoticeView>(`/api/notices/${noticeId}`, { content }))}>
        <div className="notice-languages" role="group" aria-label={t('app.notices.preview.locale')}>
          {LOCALES.map((code) => (
            <Button
              key={code}
              variant={code === language ? 'primary' : 'secondary'}
              aria-pressed={code === language}
              onClick={() => setLanguage(code)}
              data-testid={`notice-language-${code}`}
            >
              {t(LANGUAGE_NAMES[code])}
            </Button>
          ))}
        </div>
        <p className="field-hint">
          <T
            id="app.notices.placeholders"
            values={{ list: PLACEHOLDER_LIST, example: PLACEHOLDER_EXAMPLE }}
          />
        </p>
        {FIELDS.map((field) => (
          <TextAreaField
            key={`${language}-${field}`}
            label={<T id={partLabel(field)} />}
            name={`notice-${field}`}
            lang={language}
            dir={language === 'ar' ? 'rtl' : 'ltr'}
            rows={field === 'subject' ? 1 : 3}
            readOnly={!can('notices.draft')}
            value={fieldText(content[language], field)}
            onChange={(event) =>
              setDraft({ ...content, [language]: withField(content[language], field, event.target.value) })
            }
          />
        ))}
        {can('notices.draft') && (
          <Button
            type="submit"
            variant="primary"
            pending={action.pending}
            disabled={!draft}
            data-testid="notice-save"
          >
            <T id="app.notices.save" />
          </Button>
        )}
      </Form>

      <Flags
        view={view}
        canAccept={can('notices.draft')}
        onAccept={(flagId, reason) =>
          change(() =>
            post<NoticeView>(
              `/api/notices/${noticeId}/versions/${latest.version}/flags/${encodeURIComponent(flagId)}/accept`,
              { reason },
            ),
          )
        }
      />

      {can('notices.preview') && (
        <PreviewPane noticeId={noticeId} version={latest.version} language={language} />
      )}

      {can('notices.approve') && !latest.approvedBy && (
        <div className="row">
          {latest.authorId === userId ? (
            <Notice>
              <T id="app.notices.authorNote" />
            </Notice>
          ) : (
            <Button
              variant="primary"
              pending={action.pending}
              data-testid="notice-approve"
              onClick={() =>
                void change(() =>
                  post<NoticeView>(`/api/notices/${noticeId}/versions/${latest.version}/approve`),
                )
              }
            >
              <T id="app.notices.approve" values={{ version: latest.version }} />
            </Button>
          )}
        </div>
      )}

      {can('notices.send') && <SendPanel view={view} onSent={() => void notice.reload()} />}

      {view.sends.length > 0 && (
        <div data-testid="notice-sends">
          <h4>
            <T id="app.notices.sends.title" />
          </h4>
          <ul>
            {view.sends.map((s) => (
              <li key={s.id} data-testid="notice-send">
                <span data-testid="notice-send-header" data-status={liveStatus[s.id] ?? s.status}>
                  <T
                    id="app.notices.sends.row"
                    values={{
                      version: s.version,
                      audience: t(`app.notices.audience.${s.audience}`),
                      at: <Time value={s.scheduledAt} />,
                      status: t(`app.notices.sendStatus.${liveStatus[s.id] ?? s.status}`),
                    }}
                  />
                </span>
                <SendProgress
                  sendId={s.id}
                  canControl={can('notices.send')}
                  onStatus={(status) =>
                    setLiveStatus((known) => (known[s.id] === status ? known : { ...known, [s.id]: status }))
                  }
                />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
