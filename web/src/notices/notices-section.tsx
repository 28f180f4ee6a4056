import { useState } from 'react';
import { ApiError, get, post, put } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useT, type Locale, type MessageId } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { SendProgress } from './send-progress';
import { PERMISSIONS, type Permission } from '../../../src/modules/access/permissions';
import { NOTICE_PARTS, type NoticePart } from '../../../src/modules/notices/notice-contracts';
import type { IncidentView } from '../incidents/model';
import './notices.css';

type Field = 'subject' | NoticePart | 'sms';
const FIELDS: readonly Field[] = ['subject', ...NOTICE_PARTS, 'sms'];
const CHANNELS = ['email', 'sms', 'webhook'] as const;
type Channel = (typeof CHANNELS)[number];
const PLACEHOLDER_LIST =
  '{name}, {categories}, {count}, {affectedCount}, {incidentDate}, {detectedDate}, {organization}, {verificationCode}, {verifyUrl}, {lookupUrl}, {supportUrl}';
const ICU_EXAMPLE = '{count, plural, one {…} other {…}} · {incidentDate, date, long}';

interface LocaleContent {
  subject: string;
  sms: string;
  parts: Record<NoticePart, string>;
}
type Content = Record<Locale, LocaleContent>;

interface Flag {
  id: string;
  kind: 'missing_part' | 'missing_for_customers' | 'no_apology' | 'passive_voice' | 'minimising';
  locale: Locale;
  field?: Field;
  term?: string;
  customers?: number;
  accepted: { reason: string } | null;
}

interface NoticeView {
  id: string;
  kind: 'mandatory' | 'optional';
  isExercise: boolean;
  latest: {
    id: string;
    version: number;
    authorId: string | null;
    approvedBy: string | null;
    content: Content;
    flags: Flag[];
  };
  sends: {
    id: string;
    version: number;
    audience: 'customers' | 'test_recipients';
    status: 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';
    scheduledAt: string;
  }[];
}

interface NoticeListItem {
  id: string;
  kind: 'mandatory' | 'optional';
  version: number;
  subject: string;
  approved: boolean;
}

interface PreviewCustomer {
  id: string;
  externalId: string;
}

interface Preview {
  direction: 'ltr' | 'rtl';
  locale: Locale;
  subject: string;
  html: string;
  sms: string;
  smsSegments: { encoding: string; units: number; segments: number };
}

function useCan() {
  const { session } = useSession();
  const roles = session?.user?.roles ?? [];
  return {
    userId: session?.user?.id,
    can: (p: Permission) => (PERMISSIONS[p] as readonly string[]).some((r) => roles.includes(r)),
  };
}

const fieldText = (c: LocaleContent, field: Field) =>
  field === 'subject' ? c.subject : field === 'sms' ? c.sms : c.parts[field];

const withField = (c: LocaleContent, field: Field, value: string): LocaleContent =>
  field === 'subject'
    ? { ...c, subject: value }
    : field === 'sms'
      ? { ...c, sms: value }
      : { ...c, parts: { ...c.parts, [field]: value } };

const partLabel = (field: Field): MessageId => `app.notices.part.${field}`;

/**
 * The incident's customer notices: drafted from the built-in templates, edited per language
 * (each save a new version), checked for candour, previewed, approved by legal, sent.
 */
export function NoticesSection({ incident }: { incident: IncidentView }) {
  const { can } = useCan();
  const list = useLoad(() => get<NoticeListItem[]>(`/api/incidents/${incident.id}/notices`), incident.id);
  const [open, setOpen] = useState<string>();
  const action = useAction();

  async function create(kind: 'mandatory' | 'optional') {
    const created = await action.run(() =>
      post<NoticeView>(`/api/incidents/${incident.id}/notices`, { kind }),
    );
    if (created) {
      await list.reload();
      setOpen(created.id);
    }
  }

  return (
    <Section
      title={<T id="app.notices.title" />}
      intro={<T id="app.notices.intro" />}
      actions={
        can('notices.draft') && (
          <>
            <Button
              pending={action.pending}
              onClick={() => void create('mandatory')}
              data-testid="notice-new-mandatory"
            >
              <T id="app.notices.new.mandatory" />
            </Button>
            <Button
              pending={action.pending}
              onClick={() => void create('optional')}
              data-testid="notice-new-optional"
            >
              <T id="app.notices.new.optional" />
            </Button>
          </>
        )
      }
    >
      <div className="notices" data-testid="notices">
        <ErrorNotice error={action.error ?? list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.length === 0 && (
          <p>
            <T id="app.notices.none" />
          </p>
        )}
        <ul className="notices-list">
          {list.data?.map((n) => (
            <li key={n.id}>
              <Button variant={open === n.id ? 'primary' : 'secondary'} onClick={() => setOpen(n.id)}>
                <T id="app.notices.open" />
              </Button>{' '}
              <T id={`app.notices.kind.${n.kind}`} /> ·{' '}
              <T id="app.notices.version" values={{ version: n.version }} />{' '}
              {n.approved ? (
                <Badge tone="success">
                  <T id="app.notices.status.approved" />
                </Badge>
              ) : (
                <Badge tone="warning">
                  <T id="app.notices.status.waiting" />
                </Badge>
              )}{' '}
              <span className="notices-subject">{n.subject}</span>
            </li>
          ))}
        </ul>
        {open && <NoticeEditor key={open} noticeId={open} onChanged={() => void list.reload()} />}
      </div>
    </Section>
  );
}

function NoticeEditor({ noticeId, onChanged }: { noticeId: string; onChanged(): void }) {
  const t = useT();
  const { can, userId } = useCan();
  const notice = useLoad(() => get<NoticeView>(`/api/notices/${noticeId}`), noticeId);
  const [draft, setDraft] = useState<Content>();
  const [language, setLanguage] = useState<Locale>('en');
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
          <T id="app.notices.placeholders" values={{ list: PLACEHOLDER_LIST, example: ICU_EXAMPLE }} />
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

      {can('notices.preview') && <PreviewPane noticeId={noticeId} version={latest.version} />}

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
                <T
                  id="app.notices.sends.row"
                  values={{
                    version: s.version,
                    audience: t(`app.notices.audience.${s.audience}`),
                    at: new Date(s.scheduledAt),
                    status: t(`app.notices.sendStatus.${s.status}`),
                  }}
                />
                <SendProgress sendId={s.id} canControl={can('notices.send')} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function Flags({
  view,
  canAccept,
  onAccept,
}: {
  view: NoticeView;
  canAccept: boolean;
  onAccept(flagId: string, reason: string): Promise<void>;
}) {
  const t = useT();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const flags = view.latest.flags;
  return (
    <div className="notice-flags" data-testid="notice-flags">
      <h4>
        <T id="app.notices.flags.title" />
      </h4>
      {flags.length === 0 && (
        <p>
          <T id="app.notices.flags.none" />
        </p>
      )}
      <ul>
        {flags.map((f) => (
          <li key={f.id} data-testid="notice-flag" data-flag={f.id}>
            <T
              id={`app.notices.flag.${f.kind}`}
              values={{
                language: t(LANGUAGE_NAMES[f.locale]),
                field: f.field ? t(partLabel(f.field)) : '',
                term: f.term ?? '',
                customers: f.customers ?? 0,
              }}
            />
            {f.accepted ? (
              <p className="notice-flag-accepted">
                <Badge tone="success">
                  <T id="app.notices.flag.accepted" values={{ reason: f.accepted.reason }} />
                </Badge>
              </p>
            ) : (
              canAccept && (
                <Form onSubmit={() => onAccept(f.id, reasons[f.id] ?? '')} className="notice-flag-accept">
                  <TextField
                    label={<T id="app.notices.flag.reason" />}
                    name="flag-reason"
                    required
                    minLength={3}
                    maxLength={2000}
                    value={reasons[f.id] ?? ''}
                    onChange={(event) => setReasons({ ...reasons, [f.id]: event.target.value })}
                  />
                  <Button type="submit">
                    <T id="app.notices.flag.accept" />
                  </Button>
                </Form>
              )
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function PreviewPane({ noticeId, version }: { noticeId: string; version: number }) {
  const t = useT();
  const customers = useLoad(
    () => get<PreviewCustomer[]>(`/api/notices/${noticeId}/preview-customers`),
    noticeId,
  );
  const [as, setAs] = useState('');
  const [locale, setLocale] = useState<Locale>('en');
  const [channel, setChannel] = useState<'email' | 'sms'>('email');
  const [preview, setPreview] = useState<Preview>();
  const action = useAction();

  async function show() {
    const result = await action.run(() =>
      post<Preview>(`/api/notices/${noticeId}/preview`, {
        locale,
        version,
        ...(as ? { customerId: as } : {}),
      }),
    );
    if (result) setPreview(result);
  }

  return (
    <div className="notice-preview" data-testid="notice-preview">
      <h4>
        <T id="app.notices.preview.title" />
      </h4>
      <Form onSubmit={show} className="notice-preview-form">
        <SelectField
          label={<T id="app.notices.preview.as" />}
          name="preview-as"
          value={as}
          onChange={(event) => setAs(event.target.value)}
          hint={as ? <T id="app.notices.preview.customerNote" /> : undefined}
        >
          <option value="">{t('app.notices.preview.sample')}</option>
          {customers.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {t('app.notices.preview.customer', { id: c.externalId })}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={<T id="app.notices.preview.locale" />}
          name="preview-locale"
          value={locale}
          onChange={(event) => setLocale(event.target.value as Locale)}
        >
          {LOCALES.map((code) => (
            <option key={code} value={code}>
              {t(LANGUAGE_NAMES[code])}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={<T id="app.notices.preview.channel" />}
          name="preview-channel"
          value={channel}
          onChange={(event) => setChannel(event.target.value as 'email' | 'sms')}
        >
          <option value="email">{t('app.notices.channel.email')}</option>
          <option value="sms">{t('app.notices.channel.sms')}</option>
        </SelectField>
        <Button type="submit" pending={action.pending} data-testid="notice-preview-show">
          <T id="app.notices.preview.show" />
        </Button>
      </Form>
      <ErrorNotice error={action.error} />
      {preview &&
        (channel === 'email' ? (
          <iframe
            className="notice-preview-frame"
            title={t('app.notices.preview.frame')}
            sandbox=""
            srcDoc={preview.html}
            data-testid="notice-preview-frame"
            data-dir={preview.direction}
          />
        ) : (
          <>
            <p
              className="notice-preview-sms"
              lang={preview.locale}
              dir={preview.direction}
              data-testid="notice-preview-sms"
            >
              {preview.sms}
            </p>
            <p className="field-hint" data-testid="notice-preview-segments">
              <T
                id="app.notices.preview.segments"
                values={{
                  segments: preview.smsSegments.segments,
                  encoding: preview.smsSegments.encoding === 'ucs2' ? 'UCS-2' : 'GSM-7',
                }}
              />
            </p>
          </>
        ))}
    </div>
  );
}

function SendPanel({ view, onSent }: { view: NoticeView; onSent(): void }) {
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
