import { useState } from 'react';
import { api } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, Time, useLanguageName, useLocale, useT, type Locale } from '../i18n';
import type { Person } from '../incidents/people';
import { useCan } from '../notices/notices-shared';
import { ConfirmButton } from '../ui/actions';
import { Badge } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction } from '../ui/hooks';
import { type IncidentTrust, type TrustSite, type TrustUpdate } from './trust-api';
import { TrustErrorNotice } from './trust-errors';
import { UpdateForm } from './trust-update-form';
import { siteAddress } from './trust-site-section';
import { dirOf } from './trust-texts';

const STATE_TONE = { draft: 'warning', approved: 'info', published: 'success' } as const;

/** One update: its words, who wrote and approved it and when, its preview, approval and publication. */
export function UpdateCard({
  incidentId,
  update,
  view,
  site,
  people,
  onChanged,
}: {
  incidentId: string;
  update: TrustUpdate;
  view: IncidentTrust;
  site: TrustSite | null;
  people: Person[];
  onChanged(view: IncidentTrust): void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { can, userId } = useCan();
  const languageName = useLanguageName();
  const [preview, setPreview] = useState(false);
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const nameOf = (id: string | null) =>
    id === null
      ? t('app.trust.update.byToken')
      : id === userId
        ? t('app.trust.update.you')
        : (people.find((p) => p.id === id)?.displayName ?? t('app.trust.update.someone'));

  const isAuthor = update.authorId !== null && update.authorId === userId;
  const unpublished = update.state !== 'published';
  const mayPublish = !view.requireApproval || update.state === 'approved';
  const written = LOCALES.filter((l) => update.texts[l]);
  // A language without this update's words, or the page's, shows a fallback with "translation pending".
  const pending = LOCALES.filter((l) => !update.texts[l] || !view.page?.texts[l]);
  const list = (locales: Locale[]) =>
    // Named in the reader's language, in a sentence of it ("English and Czech", "angličtina a čeština").
    new Intl.ListFormat(locale, { type: 'conjunction' }).format(locales.map((l) => languageName(l)));

  async function act(what: 'approve' | 'publish') {
    const next = await action.run(() =>
      api<IncidentTrust>('POST', `/api/trust/updates/${update.id}/${what}`),
    );
    if (next) onChanged(next);
  }

  return (
    <li className="trust-update" data-testid="trust-update" data-state={update.state}>
      <p className="trust-update-head">
        <strong>{t(`app.trust.status.${update.status}`)}</strong>{' '}
        <Badge tone={STATE_TONE[update.state]}>
          <span data-testid="trust-update-state">{t(`app.trust.state.${update.state}`)}</span>
        </Badge>
      </p>
      <p className="trust-update-meta field-hint">
        <T
          id="app.trust.update.written"
          values={{ who: <bdi>{nameOf(update.authorId)}</bdi>, at: <Time value={update.updatedAt} /> }}
        />
        {update.approvedBy && (
          <>
            {' · '}
            <T
              id="app.trust.update.approved"
              values={{ who: <bdi>{nameOf(update.approvedBy)}</bdi>, at: <Time value={update.approvedAt} /> }}
            />
          </>
        )}
        {update.publishedAt && (
          <>
            {' · '}
            <T id="app.trust.update.published" values={{ at: <Time value={update.publishedAt} /> }} />
          </>
        )}
        {update.nextUpdateBy && update.status !== 'resolved' && (
          <>
            {' · '}
            <T id="app.trust.update.nextBy" values={{ at: <Time value={update.nextUpdateBy} /> }} />
          </>
        )}
      </p>
      <div className="trust-update-texts">
        {written.map((l) => (
          <div
            key={l}
            className="trust-update-text"
            lang={l}
            dir={dirOf(l)}
            data-testid={`trust-update-text-${l}`}
          >
            <p className="trust-update-language">{t(LANGUAGE_NAMES[l])}</p>
            <p className="trust-pre">{update.texts[l]!.message}</p>
            {update.texts[l]!.customerActions && (
              <p className="trust-pre">{update.texts[l]!.customerActions}</p>
            )}
          </div>
        ))}
      </div>
      <TrustErrorNotice error={action.error} />
      <div className="row trust-update-actions">
        <Button
          aria-expanded={preview}
          onClick={() => setPreview(!preview)}
          data-testid="trust-preview-toggle"
        >
          <T id={preview ? 'app.trust.preview.hide' : 'app.trust.preview.show'} />
        </Button>
        {unpublished && can('trust.write') && !editing && (
          <Button onClick={() => setEditing(true)} data-testid="trust-edit">
            <T id="app.trust.update.editAction" />
          </Button>
        )}
        {unpublished && update.state === 'draft' && can('trust.approve') && (
          <Button
            pending={action.pending}
            disabled={isAuthor}
            aria-describedby={isAuthor ? `author-${update.id}` : undefined}
            onClick={() => void act('approve')}
            data-testid="trust-approve"
          >
            <T id="app.trust.update.approve" />
          </Button>
        )}
        {unpublished && can('trust.publish') && (
          <ConfirmButton
            variant="primary"
            disabled={!mayPublish}
            pending={action.pending}
            question={
              <span data-testid="trust-publish-question">
                <T
                  id="app.trust.publish.question"
                  values={{
                    address: <bdi dir="ltr">{site ? siteAddress(site.slug) : '—'}</bdi>,
                    languages: list(written),
                  }}
                />{' '}
                {pending.length > 0 && (
                  <T id="app.trust.publish.pending" values={{ languages: list(pending) }} />
                )}{' '}
                {!site?.published && <T id="app.trust.publish.siteNotPublic" />}
              </span>
            }
            confirmLabel={<T id="app.trust.publish.confirm" />}
            onConfirm={() => act('publish')}
            data-testid="trust-publish"
          >
            <T id="app.trust.update.publish" />
          </ConfirmButton>
        )}
      </div>
      {unpublished && update.state === 'draft' && isAuthor && can('trust.approve') && (
        <p className="field-hint" id={`author-${update.id}`} data-testid="trust-author-note">
          <T id="app.trust.update.authorCannotApprove" />
        </p>
      )}
      {unpublished && update.state === 'draft' && view.requireApproval && !can('trust.approve') && (
        <p className="field-hint" data-testid="trust-waiting-note">
          <T id="app.trust.update.waiting" />
        </p>
      )}
      {editing && (
        <UpdateForm
          incidentId={incidentId}
          editing={update}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setEditing(false);
            onChanged(next);
          }}
        />
      )}
      {preview && (
        <div className="trust-previews" data-testid="trust-previews">
          {LOCALES.map((l) => (
            // A new frame when the update changes: the preview is never kept (no-store).
            <figure key={`${l}-${update.updatedAt}`} className="trust-preview">
              <figcaption lang={l}>{t(LANGUAGE_NAMES[l])}</figcaption>
              <iframe
                className="trust-preview-frame"
                title={t('app.trust.preview.frame', { language: t(LANGUAGE_NAMES[l]) })}
                // Its own origin for its stylesheet (see TRUST_PREVIEW_CSP); no script may run.
                sandbox="allow-same-origin"
                src={`/api/trust/updates/${update.id}/preview.html?locale=${l}`}
                data-testid={`trust-preview-${l}`}
                data-dir={dirOf(l)}
              />
            </figure>
          ))}
        </div>
      )}
    </li>
  );
}
