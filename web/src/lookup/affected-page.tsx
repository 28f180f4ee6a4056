import { useEffect, useRef, useState } from 'react';
import { ApiError, get, post } from '../api';
import { T, useLocale } from '../i18n';
import { clearFragment, fragmentParam, Link } from '../router';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';
import type { OrganizationBrand } from '../../../src/modules/accounts/organization-model';
import type { DataCategory } from '../../../src/modules/incidents/incident-model';
import { PARTS } from './guidance-section';
import './lookup.css';

interface PublicPage {
  organization: string;
  /** The page carries the organization's name, logo and colour instead of Candor's. */
  brand: OrganizationBrand;
  locale: string;
  locales: string[];
  guidance: Record<(typeof PARTS)[number], string>;
  supportUrl: string | null;
}

interface ResultView extends PublicPage {
  categories: string[];
}

function Guidance({ page }: { page: PublicPage }) {
  // The guidance may be in the organization's language when the one chosen has none.
  return (
    <div className="affected-guidance" lang={page.locale} dir={page.locale === 'ar' ? 'rtl' : 'ltr'}>
      {PARTS.map((part) => (
        <section key={part}>
          <h2>
            <T id={`app.guidance.part.${part}`} />
          </h2>
          <p data-testid={`affected-${part}`}>{page.guidance[part]}</p>
        </section>
      ))}
    </div>
  );
}

function Support({ url }: { url: string | null }) {
  if (!url) return null;
  return (
    <p className="affected-support">
      <a href={url} rel="noopener noreferrer" target="_blank" data-testid="affected-support">
        <T id="affected.support" />
      </a>
    </p>
  );
}

const notFound = (error: unknown) => error instanceof ApiError && error.status === 404;

/** The public "Was I affected?" page of one incident: its guidance and the look-up form. */
export function AffectedPage({ publicId }: { publicId: string }) {
  const { locale } = useLocale();
  const page = useLoad(
    () => get<PublicPage>(`/api/public/affected/${publicId}?locale=${locale}`),
    `${publicId}:${locale}`,
  );
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const send = useAction();

  if (!page.data) {
    return (
      <AuthLayout heading="affected.title">
        {notFound(page.error) ? (
          <Notice tone="warning">
            <T id="affected.notFound" />
          </Notice>
        ) : (
          <ErrorNotice error={page.error} />
        )}
        {page.loading && <Loading />}
      </AuthLayout>
    );
  }
  const view = page.data;

  async function submit() {
    const done = await send.run(() =>
      post(`/api/public/affected/${publicId}/lookup`, { email, locale }).then(() => true),
    );
    if (done) setSent(true);
  }

  return (
    <AuthLayout
      heading="affected.title"
      brand={view.brand}
      intro={<T id="affected.intro" values={{ organization: <bdi>{view.organization}</bdi> }} />}
    >
      <div className="affected" data-testid="affected-page">
        <Guidance page={view} />
        <Support url={view.supportUrl} />
        <section className="affected-form">
          <h2>
            <T id="affected.form.title" />
          </h2>
          {sent ? (
            <Notice tone="success">
              <span data-testid="affected-sent">
                <T id="affected.form.sent" />
              </span>
            </Notice>
          ) : (
            <Form onSubmit={submit}>
              <p data-testid="affected-explain">
                <T id="affected.form.explain" values={{ organization: <bdi>{view.organization}</bdi> }} />
              </p>
              <ErrorNotice error={send.error} />
              <TextField
                label={<T id="affected.form.email" />}
                name="email"
                type="email"
                autoComplete="email"
                dir="ltr"
                required
                maxLength={320}
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
              <Button type="submit" variant="primary" pending={send.pending}>
                <T id="affected.form.submit" />
              </Button>
            </Form>
          )}
        </section>
      </div>
    </AuthLayout>
  );
}

/** Where the one-time link leads: the token is read from the fragment, used once, then removed. */
export function AffectedResultPage({ publicId }: { publicId: string }) {
  const { locale } = useLocale();
  const token = useRef(fragmentParam('token'));
  const [state, setState] = useState<{ result?: ResultView; error?: unknown }>({});

  useEffect(() => {
    const value = token.current;
    clearFragment();
    if (!value) {
      setState({ error: new ApiError(410, 'link_expired', '') });
      return;
    }
    // One request only: the link is used up by it (StrictMode's second effect finds no token).
    token.current = undefined;
    post<ResultView>(`/api/public/affected/${publicId}/result`, { token: value, locale }).then(
      (result) => setState({ result }),
      (error: unknown) => setState({ error }),
    );
    // The language may change afterwards: the result stays as it came.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [publicId]);

  const back = (
    <Link to={`/affected/${publicId}`}>
      <T id="affected.result.back" />
    </Link>
  );
  if (!state.result) {
    const gone = state.error instanceof ApiError && [404, 410].includes(state.error.status);
    return (
      <AuthLayout heading="affected.result.title" footer={back}>
        {state.error ? (
          gone ? (
            <Notice tone="warning">
              <span data-testid="affected-expired">
                <T id="affected.result.expired" />
              </span>
            </Notice>
          ) : (
            <ErrorNotice error={state.error} />
          )
        ) : (
          <Loading />
        )}
      </AuthLayout>
    );
  }
  const view = state.result;
  return (
    <AuthLayout
      heading="affected.result.title"
      brand={view.brand}
      intro={<T id="affected.intro" values={{ organization: <bdi>{view.organization}</bdi> }} />}
      footer={back}
    >
      <div className="affected" data-testid="affected-result">
        <section>
          <h2>
            <T id="affected.result.categories" />
          </h2>
          <ul className="affected-categories" data-testid="affected-categories">
            {view.categories.map((category) => (
              <li key={category}>
                <T id={`incident.category.${category as DataCategory}`} />
              </li>
            ))}
          </ul>
        </section>
        <Guidance page={view} />
        <Support url={view.supportUrl} />
      </div>
    </AuthLayout>
  );
}
