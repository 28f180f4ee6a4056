import { useState } from 'react';
import { api } from '../api';
import { T } from '../i18n';
import { useCan } from '../notices/notices-shared';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { CheckboxField, Form, SaveFooter, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { conflictMessageId, wrongField, type TrustSite } from './trust-api';
import { FieldError, TrustErrorNotice } from './trust-errors';
import './trust.css';

interface SiteForm {
  slug: string;
  published: boolean;
  requireApproval: boolean;
  supportUrl: string;
}

const SLUG_PATTERN = '[a-z0-9][a-z0-9\\-]{1,38}[a-z0-9]';
const blank: SiteForm = { slug: '', published: false, requireApproval: true, supportUrl: '' };

const formOf = (site: TrustSite | null): SiteForm =>
  site
    ? {
        slug: site.slug,
        published: site.published,
        requireApproval: site.requireApproval,
        supportUrl: site.supportUrl ?? '',
      }
    : blank;

/** The public address of the site: this server's origin, then /trust/<slug>/. */
export const siteAddress = (slug: string) => `${window.location.origin}/trust/${encodeURIComponent(slug)}/`;

/**
 * The organization's trust center (issue 15): its address, whether it is public, whether an
 * update needs a second person's approval before it is published, and the support link it shows.
 */
export function TrustSiteSection() {
  const { can } = useCan();
  const site = useLoad(() => api<{ site: TrustSite | null }>('GET', '/api/trust/site'));
  const [edited, setForm] = useState<SiteForm>();
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();
  const form = edited ?? (site.data ? formOf(site.data.site) : undefined);
  const shown = site.data?.site;
  const manage = can('trust.settings');
  // A conflict the trust center names (the address is taken) is said in its own words.
  const named = conflictMessageId(error) !== undefined;

  async function submit() {
    if (!form) return;
    setSaved(false);
    const result = await run(() =>
      api<{ site: TrustSite | null }>('PUT', '/api/trust/site', {
        slug: form.slug.trim(),
        published: form.published,
        requireApproval: form.requireApproval,
        supportUrl: form.supportUrl.trim() || null,
      }),
    );
    if (result) {
      site.setData(() => result);
      setForm(undefined);
      setSaved(true);
    }
  }

  return (
    <Section title={<T id="app.trust.site.title" />} intro={<T id="app.trust.site.intro" />}>
      <div className="trust-site" data-testid="trust-site">
        <ErrorNotice error={site.error} />
        {shown?.published ? (
          <p className="trust-address" data-testid="trust-site-address">
            <Badge tone="success">
              <T id="app.trust.site.public" />
            </Badge>{' '}
            <T
              id="app.trust.site.address"
              values={{
                link: (
                  <a href={siteAddress(shown.slug)} dir="ltr" target="_blank" rel="noopener noreferrer">
                    {siteAddress(shown.slug)}
                  </a>
                ),
              }}
            />
          </p>
        ) : (
          site.data && (
            <p data-testid="trust-site-address">
              <Badge>
                <T id="app.trust.site.notPublic" />
              </Badge>
            </p>
          )
        )}
        {!form ? (
          site.loading && <Loading />
        ) : (
          <Form onSubmit={submit} className="form-narrow">
            <TextField
              label={<T id="app.trust.site.slug" />}
              hint={
                <T
                  id="app.trust.site.slug.hint"
                  values={{ example: <bdi dir="ltr">{siteAddress(form.slug || 'example')}</bdi> }}
                />
              }
              name="trust-slug"
              dir="ltr"
              required
              pattern={SLUG_PATTERN}
              minLength={3}
              maxLength={40}
              readOnly={!manage}
              aria-invalid={wrongField(error, 'body/slug') || undefined}
              value={form.slug}
              onChange={(event) => setForm({ ...form, slug: event.target.value.toLowerCase() })}
            />
            <FieldError error={error} where="body/slug" />
            <CheckboxField
              label={<T id="app.trust.site.published" />}
              hint={<T id="app.trust.site.published.hint" />}
              name="trust-published"
              disabled={!manage}
              checked={form.published}
              onChange={(event) => setForm({ ...form, published: event.target.checked })}
            />
            <CheckboxField
              label={<T id="app.trust.site.requireApproval" />}
              hint={<T id="app.trust.site.requireApproval.hint" />}
              name="trust-require-approval"
              disabled={!manage}
              checked={form.requireApproval}
              onChange={(event) => setForm({ ...form, requireApproval: event.target.checked })}
            />
            <TextField
              label={<T id="app.trust.site.supportUrl" />}
              hint={<T id="app.trust.site.supportUrl.hint" />}
              name="trust-support-url"
              type="url"
              dir="ltr"
              pattern="https://\S+"
              maxLength={500}
              readOnly={!manage}
              value={form.supportUrl}
              onChange={(event) => setForm({ ...form, supportUrl: event.target.value })}
            />
            <FieldError error={error} where="body/supportUrl" />
            {manage && (
              <>
                {named && <TrustErrorNotice error={error} />}
                <SaveFooter
                  error={named ? undefined : error}
                  saved={saved}
                  savedMessage="app.trust.site.saved"
                  label="app.trust.site.save"
                  pending={pending}
                />
              </>
            )}
          </Form>
        )}
      </div>
    </Section>
  );
}
