import { useEffect, useId, useRef, type CSSProperties, type ReactNode } from 'react';
import { isBrandColor, type OrganizationBrand } from '../../../src/modules/accounts/organization-model';
import { T, useT, type MessageId } from '../i18n';
import { LanguageSwitcher } from '../shell/language-switcher';

export function Logo() {
  return (
    <span className="logo">
      <svg className="logo-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <path d="M16 2.5 4.5 7v8.2c0 7.1 4.8 12.4 11.5 14.3 6.7-1.9 11.5-7.2 11.5-14.3V7L16 2.5Z" />
        <path className="logo-check" d="m10.5 16.2 3.9 3.9 7.3-7.6" />
      </svg>
      <span className="logo-name">
        <T id="app.brand" />
      </span>
    </span>
  );
}

/** Sets the document title and moves focus to the page heading when the page changes. */
export function usePageTitle(title: MessageId, override?: string) {
  const t = useT();
  const text = override ?? t(title);
  useEffect(() => {
    document.title = t('app.documentTitle', { page: text });
  }, [t, text]);
}

function FocusedHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Screen reader and keyboard users start on the new page, not on the link they followed.
    if (document.activeElement === document.body || document.activeElement?.closest('nav, .auth-links'))
      ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** The alt text of an image that only decorates: nothing to translate, nothing read out. */
const DECORATIVE = '';

/** An organization's mark on its public pages: its logo (when it has one) and its name. */
export function OrganizationMark({ brand }: { brand: OrganizationBrand }) {
  return (
    <span className="logo org-mark" data-testid="org-mark">
      {brand.logoUrl?.startsWith('/api/public/logos/') && (
        // The name stands beside it, so the image says nothing more.
        <img className="org-logo" src={brand.logoUrl} alt={DECORATIVE} data-testid="org-logo" />
      )}
      <bdi className="logo-name" data-testid="org-name">
        {brand.name}
      </bdi>
    </span>
  );
}

/**
 * The brand colour for a subtree: set through the CSS object model (not a style attribute, which
 * the policy refuses), checked again, and only one that white text reads on.
 */
function brandStyle(brand: OrganizationBrand | undefined): CSSProperties | undefined {
  if (!brand?.color || !isBrandColor(brand.color)) return undefined;
  return {
    '--brand': brand.color,
    '--primary': brand.color,
    '--primary-hover': brand.color,
  } as CSSProperties;
}

/**
 * The centred card of the pages before sign-in. A public page that knows the organization
 * (`brand`) carries its name, logo and colour instead of Candor's.
 */
export function AuthLayout({
  heading: title,
  intro,
  children,
  footer,
  brand,
}: {
  heading: MessageId;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  brand?: OrganizationBrand;
}) {
  usePageTitle(title);
  return (
    <div
      className={brand ? 'auth auth-branded' : 'auth'}
      style={brandStyle(brand)}
      data-brand={brand?.color ?? undefined}
    >
      <header className="auth-header">
        {brand ? <OrganizationMark brand={brand} /> : <Logo />}
        <LanguageSwitcher />
      </header>
      <main className="auth-main">
        <div className="auth-card">
          <FocusedHeading>
            <T id={title} />
          </FocusedHeading>
          {intro && <p className="lead">{intro}</p>}
          {children}
        </div>
        {footer && <div className="auth-links">{footer}</div>}
      </main>
    </div>
  );
}

export function PageHeader({
  heading: title,
  text,
  intro,
  actions,
  before,
}: {
  heading: MessageId;
  /** A heading that is data (an incident's title) rather than a message; `heading` then names the kind of page. */
  text?: string;
  intro?: ReactNode;
  actions?: ReactNode;
  /** A line above the heading (an incident's number and badges). */
  before?: ReactNode;
}) {
  usePageTitle(title, text);
  return (
    <header className="page-header">
      <div>
        {before}
        {/* A heading that is data is isolated: a Latin title on an Arabic page keeps its order. */}
        <FocusedHeading>{text !== undefined ? <bdi>{text}</bdi> : <T id={title} />}</FocusedHeading>
        {intro && <p className="lead">{intro}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Section({
  title,
  intro,
  children,
  actions,
}: {
  title: ReactNode;
  intro?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <header className="card-header">
        <div>
          <h2 id={id}>{title}</h2>
          {intro && <p className="card-intro">{intro}</p>}
        </div>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
