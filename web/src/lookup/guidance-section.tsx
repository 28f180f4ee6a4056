import { useState } from 'react';
import { get, post, put } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useLocale, useT, type Locale } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, TextAreaField, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { PERMISSIONS, type Permission } from '../../../src/modules/access/permissions';
import type { IncidentView } from '../incidents/model';
import './lookup.css';

export const PARTS = ['happened', 'done', 'advice'] as const;
type Part = (typeof PARTS)[number];
type Parts = Record<Part, string>;
type Content = Record<Locale, Parts>;

interface VersionView {
  id: string;
  version: number;
  content: Content;
  authorId: string | null;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  complete: Locale[];
}

interface GuidanceView {
  versions: VersionView[];
  page: {
    publicId: string;
    url: string;
    published: boolean;
    version: number | null;
    supportUrl: string | null;
    publishedAt: string | null;
  } | null;
}

const empty = (): Content => ({
  en: { happened: '', done: '', advice: '' },
  cs: { happened: '', done: '', advice: '' },
  ar: { happened: '', done: '', advice: '' },
});

/**
 * The incident's public guidance and its "Was I affected?" page: written per language (each
 * save a new version), approved by a legal user who did not write it, published by legal.
 */
export function GuidanceSection({ incident, onChanged }: { incident: IncidentView; onChanged(): void }) {
  const t = useT();
  const { locale: viewerLocale } = useLocale();
  const { session } = useSession();
  const roles = session?.user?.roles ?? [];
  const can = (p: Permission) => (PERMISSIONS[p] as readonly string[]).some((r) => roles.includes(r));
  const guidance = useLoad(() => get<GuidanceView>(`/api/incidents/${incident.id}/guidance`), incident.id);
  const [draft, setDraft] = useState<Content>();
  const [language, setLanguage] = useState<Locale>('en');
  const [supportUrl, setSupportUrl] = useState<string>();
  const [copied, setCopied] = useState(false);
  const action = useAction();

  if (!guidance.data) {
    return (
      <Section title={<T id="app.guidance.title" />}>
        <ErrorNotice error={guidance.error} />
        {guidance.loading && <Loading />}
      </Section>
    );
  }
  const view = guidance.data;
  const latest = view.versions[0];
  const content = draft ?? latest?.content ?? empty();
  const support = supportUrl ?? view.page?.supportUrl ?? '';
  // Readers see the version in their own language when it is written in it.
  const shown: Locale = latest?.complete.includes(viewerLocale)
    ? viewerLocale
    : (latest?.complete[0] ?? 'en');

  async function change(request: () => Promise<GuidanceView>) {
    const next = await action.run(request);
    if (next) {
      guidance.setData(() => next);
      setDraft(undefined);
      onChanged();
    }
  }

  const setPart = (part: Part, value: string) =>
    setDraft({ ...content, [language]: { ...content[language], [part]: value } });

  return (
    <Section title={<T id="app.guidance.title" />} intro={<T id="app.guidance.intro" />}>
      <div className="guidance" data-testid="guidance">
        <ErrorNotice error={action.error} />
        {latest ? (
          <p className="guidance-status" data-testid="guidance-status">
            <T id="app.guidance.version" values={{ version: latest.version }} />{' '}
            {latest.approvedBy ? (
              <Badge tone="success">
                <T id="app.guidance.status.approved" />
              </Badge>
            ) : (
              <Badge tone="warning">
                <T id="app.guidance.status.waiting" />
              </Badge>
            )}
          </p>
        ) : (
          <p>
            <T id="app.guidance.none" />
          </p>
        )}

        {can('guidance.draft') && (
          <Form
            onSubmit={() =>
              change(() => put<GuidanceView>(`/api/incidents/${incident.id}/guidance`, content))
            }
          >
            <div className="guidance-languages" role="group" aria-label={t('affected.language')}>
              {LOCALES.map((code) => (
                <Button
                  key={code}
                  variant={code === language ? 'primary' : 'secondary'}
                  aria-pressed={code === language}
                  onClick={() => setLanguage(code)}
                  data-testid={`guidance-language-${code}`}
                >
                  {t(LANGUAGE_NAMES[code])}
                </Button>
              ))}
            </div>
            {PARTS.map((part) => (
              <TextAreaField
                key={`${language}-${part}`}
                label={<T id={`app.guidance.part.${part}`} />}
                name={`guidance-${part}`}
                lang={language}
                dir={language === 'ar' ? 'rtl' : 'ltr'}
                maxLength={5000}
                value={content[language][part]}
                onChange={(event) => setPart(part, event.target.value)}
              />
            ))}
            <Button type="submit" variant="primary" pending={action.pending} disabled={!draft}>
              <T id="app.guidance.save" />
            </Button>
          </Form>
        )}

        {!can('guidance.draft') && latest && (
          <dl className="guidance-read">
            {PARTS.map((part) => (
              <div key={part}>
                <dt>
                  <T id={`app.guidance.part.${part}`} />
                </dt>
                <dd lang={shown} dir={shown === 'ar' ? 'rtl' : 'ltr'}>
                  {latest.content[shown][part]}
                </dd>
              </div>
            ))}
          </dl>
        )}

        {can('guidance.approve') && latest && !latest.approvedBy && (
          <div className="row">
            {latest.authorId === session?.user?.id ? (
              <Notice>
                <T id="app.guidance.authorNote" />
              </Notice>
            ) : (
              <Button
                variant="primary"
                pending={action.pending}
                data-testid="guidance-approve"
                onClick={() =>
                  void change(() =>
                    post<GuidanceView>(
                      `/api/incidents/${incident.id}/guidance/versions/${latest.version}/approve`,
                    ),
                  )
                }
              >
                <T id="app.guidance.approve" values={{ version: latest.version }} />
              </Button>
            )}
          </div>
        )}

        {view.page && (
          <div className="guidance-page" data-testid="lookup-page">
            <p>
              {view.page.published ? (
                <Badge tone="success">
                  <T id="app.guidance.page.open" />
                </Badge>
              ) : (
                <Badge>
                  <T id="app.guidance.page.closed" />
                </Badge>
              )}{' '}
              {view.page.published && view.page.version !== null && (
                <T id="app.guidance.page.shows" values={{ version: view.page.version }} />
              )}
            </p>
            <div className="guidance-link">
              <TextField
                label={<T id="app.guidance.page.link" />}
                name="lookup-link"
                readOnly
                dir="ltr"
                value={view.page.url}
                data-testid="lookup-link"
              />
              <Button
                onClick={() =>
                  void navigator.clipboard?.writeText(view.page!.url).then(() => setCopied(true))
                }
              >
                <T id={copied ? 'app.guidance.page.copied' : 'app.guidance.page.copy'} />
              </Button>
            </div>
          </div>
        )}

        {can('lookup.publish') && (
          <div className="guidance-publish">
            {latest?.approvedBy && !(view.page?.published && view.page.version === latest.version) && (
              <Form
                onSubmit={() =>
                  change(() =>
                    post<GuidanceView>(`/api/incidents/${incident.id}/lookup-page/publish`, {
                      supportUrl: support.trim() || null,
                    }),
                  )
                }
              >
                <TextField
                  label={<T id="app.guidance.supportUrl" />}
                  name="support-url"
                  type="url"
                  dir="ltr"
                  maxLength={500}
                  value={support}
                  onChange={(event) => setSupportUrl(event.target.value)}
                />
                <Button type="submit" variant="primary" pending={action.pending} data-testid="lookup-publish">
                  <T id="app.guidance.publish" values={{ version: latest.version }} />
                </Button>
              </Form>
            )}
            {view.page?.published && (
              <Button
                variant="danger"
                pending={action.pending}
                onClick={() =>
                  void change(() => post<GuidanceView>(`/api/incidents/${incident.id}/lookup-page/unpublish`))
                }
              >
                <T id="app.guidance.unpublish" />
              </Button>
            )}
          </div>
        )}
      </div>
    </Section>
  );
}
