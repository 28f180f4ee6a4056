import { useState } from 'react';
import { get, post } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useT, type Locale } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, SelectField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';

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
  /** The SMS's parts as they are counted: a code or a link never straddles two. */
  smsSegments: { encoding: string; units: number; segments: number; parts: string[] };
}

interface EmailFrame {
  url: string;
  direction: 'ltr' | 'rtl';
  n: number;
}

/**
 * The notice as a customer (or a sample one) would get it, by e-mail or SMS, in a chosen language.
 * The language follows the one being edited, until the user picks another here.
 */
export function PreviewPane({
  noticeId,
  version,
  language,
}: {
  noticeId: string;
  version: number;
  language: Locale;
}) {
  const t = useT();
  const customers = useLoad(
    () => get<PreviewCustomer[]>(`/api/notices/${noticeId}/preview-customers`),
    noticeId,
  );
  const [as, setAs] = useState('');
  const [locale, setLocale] = useState<Locale>(language);
  const [channel, setChannel] = useState<'email' | 'sms'>('email');
  const [preview, setPreview] = useState<Preview>();
  const [frame, setFrame] = useState<EmailFrame>();
  const action = useAction();

  // Switching the language being edited switches the preview to it; one shown is not left stale.
  const [followed, setFollowed] = useState(language);
  if (followed !== language) {
    setFollowed(language);
    setLocale(language);
    if (preview) setPreview(undefined);
    if (frame) setFrame(undefined);
  }

  async function show() {
    if (channel === 'email') {
      // The e-mail is its own document, served with its own policy (its styles are inline): the
      // admin app's policy would refuse them in a srcdoc frame. Rendered (and a reveal audited) once.
      const query = new URLSearchParams({
        locale,
        version: String(version),
        ...(as ? { customerId: as } : {}),
      });
      setPreview(undefined);
      setFrame((shown) => ({
        url: `/api/notices/${noticeId}/preview.html?${query.toString()}`,
        direction: locale === 'ar' ? 'rtl' : 'ltr',
        // A new frame each time, so that "Show" loads it again.
        n: (shown?.n ?? 0) + 1,
      }));
      return;
    }
    const result = await action.run(() =>
      post<Preview>(`/api/notices/${noticeId}/preview`, {
        locale,
        version,
        ...(as ? { customerId: as } : {}),
      }),
    );
    if (result) {
      setFrame(undefined);
      setPreview(result);
    }
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
      {channel === 'email' && frame && (
        <iframe
          key={frame.n}
          className="notice-preview-frame"
          title={t('app.notices.preview.frame')}
          sandbox=""
          src={frame.url}
          data-testid="notice-preview-frame"
          data-dir={frame.direction}
        />
      )}
      {preview && channel === 'sms' && (
        <>
          <p
            className="notice-preview-sms"
            lang={preview.locale}
            dir={preview.direction}
            data-testid="notice-preview-sms"
          >
            {preview.smsSegments.parts.map((part, index) => (
              <span
                // The parts are positional: the same text may recur.
                key={index}
                className="notice-preview-sms-part"
                title={t('app.notices.preview.segmentPart', {
                  n: index + 1,
                  count: preview.smsSegments.parts.length,
                })}
                data-testid="notice-preview-sms-part"
              >
                {part}
              </span>
            ))}
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
      )}
    </div>
  );
}
