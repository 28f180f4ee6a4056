import { lazy, Suspense, useEffect, type ComponentType, type ReactNode } from 'react';
import { SignInPage } from './auth/sign-in-page';
import { T } from './i18n';
import { ForbiddenPage, NotFoundPage } from './pages/status-pages';
import { navigate, usePathname } from './router';
import { may, useSession, type CAN } from './session';
import { ErrorNotice, Loading } from './ui/feedback';
import { AuthLayout } from './ui/layout';

// Each page is its own chunk, fetched when first opened: the sign-in page loads only what it needs.
const AcceptInvitationPage = lazy(() =>
  import('./auth/accept-invitation-page').then((m) => ({ default: m.AcceptInvitationPage })),
);
const EnrollPage = lazy(() => import('./auth/enroll-page').then((m) => ({ default: m.EnrollPage })));
const ForgotPasswordPage = lazy(() =>
  import('./auth/password-pages').then((m) => ({ default: m.ForgotPasswordPage })),
);
const ResetPasswordPage = lazy(() =>
  import('./auth/password-pages').then((m) => ({ default: m.ResetPasswordPage })),
);
const SetupPage = lazy(() => import('./auth/setup-page').then((m) => ({ default: m.SetupPage })));
const ContactsPage = lazy(() =>
  import('./contacts/contacts-page').then((m) => ({ default: m.ContactsPage })),
);
const CustomerPage = lazy(() =>
  import('./customers/customer-page').then((m) => ({ default: m.CustomerPage })),
);
const CustomersPage = lazy(() =>
  import('./customers/customers-page').then((m) => ({ default: m.CustomersPage })),
);
const ImportPage = lazy(() => import('./customers/import-page').then((m) => ({ default: m.ImportPage })));
const DeclarePage = lazy(() => import('./incidents/declare-page').then((m) => ({ default: m.DeclarePage })));
const IncidentPage = lazy(() =>
  import('./incidents/incident-page').then((m) => ({ default: m.IncidentPage })),
);
const IncidentsPage = lazy(() =>
  import('./incidents/incidents-page').then((m) => ({ default: m.IncidentsPage })),
);
const AffectedPage = lazy(() => import('./lookup/affected-page').then((m) => ({ default: m.AffectedPage })));
const AffectedResultPage = lazy(() =>
  import('./lookup/affected-page').then((m) => ({ default: m.AffectedResultPage })),
);
const AccountPage = lazy(() => import('./pages/account-page').then((m) => ({ default: m.AccountPage })));
const AuditPage = lazy(() => import('./pages/audit-page').then((m) => ({ default: m.AuditPage })));
const OrganizationPage = lazy(() =>
  import('./pages/organization-page').then((m) => ({ default: m.OrganizationPage })),
);
const OverviewPage = lazy(() => import('./pages/overview-page').then((m) => ({ default: m.OverviewPage })));
const TokensPage = lazy(() => import('./pages/tokens-page').then((m) => ({ default: m.TokensPage })));
const UsersPage = lazy(() => import('./pages/users-page').then((m) => ({ default: m.UsersPage })));
const VerifyPage = lazy(() => import('./verify/verify-page').then((m) => ({ default: m.VerifyPage })));
const EmailSettingsPage = lazy(() =>
  import('./notices/email-settings-page').then((m) => ({ default: m.EmailSettingsPage })),
);
const TestRecipientsPage = lazy(() =>
  import('./notices/test-recipients-page').then((m) => ({ default: m.TestRecipientsPage })),
);
const UnsubscribePage = lazy(() =>
  import('./notices/unsubscribe-page').then((m) => ({ default: m.UnsubscribePage })),
);
const PlansPage = lazy(() => import('./plans/plans-page').then((m) => ({ default: m.PlansPage })));
const WarningsPage = lazy(() =>
  import('./warnings/warnings-page').then((m) => ({ default: m.WarningsPage })),
);
const Shell = lazy(() => import('./shell/shell').then((m) => ({ default: m.Shell })));

/** Pages anyone may open, signed in or not: each carries its own token or none. */
const PUBLIC: Record<string, ComponentType> = {
  '/setup': SetupPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/accept-invitation': AcceptInvitationPage,
  '/verify': VerifyPage,
};

/** Pages whose address carries an id. */
const WITH_ID: { pattern: RegExp; page: ComponentType<{ id: string }>; needs?: keyof typeof CAN }[] = [
  { pattern: /^\/incidents\/([0-9a-f-]{36})$/, page: IncidentPage, needs: 'readIncidents' },
  { pattern: /^\/customers\/([0-9a-f-]{36})$/, page: CustomerPage, needs: 'readCustomers' },
];

const SIGNED_IN: Record<string, { page: ComponentType; needs?: keyof typeof CAN }> = {
  '/': { page: OverviewPage },
  '/incidents': { page: IncidentsPage, needs: 'readIncidents' },
  '/incidents/new': { page: DeclarePage, needs: 'manageIncidents' },
  '/plans': { page: PlansPage, needs: 'readPlans' },
  '/contacts': { page: ContactsPage, needs: 'readContacts' },
  '/customers': { page: CustomersPage, needs: 'readCustomers' },
  '/customers/import': { page: ImportPage, needs: 'manageCustomers' },
  '/account': { page: AccountPage },
  '/warnings': { page: WarningsPage },
  '/audit': { page: AuditPage, needs: 'readAudit' },
  '/users': { page: UsersPage, needs: 'manageOrganization' },
  '/tokens': { page: TokensPage, needs: 'manageOrganization' },
  '/organization': { page: OrganizationPage, needs: 'manageOrganization' },
  '/email-settings': { page: EmailSettingsPage, needs: 'manageOrganization' },
  // notices.test_recipients: the same roles as incidents.manage.
  '/notice-test-recipients': { page: TestRecipientsPage, needs: 'manageIncidents' },
};

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The shell stays while a page's chunk arrives. */
function InShell({ children }: { children: ReactNode }) {
  return (
    <Shell>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </Shell>
  );
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes />
    </Suspense>
  );
}

function Routes() {
  const { session, loadError, refresh } = useSession();
  const path = usePathname();

  if (!session) {
    return (
      <AuthLayout heading="app.brand">
        {loadError ? (
          <>
            <ErrorNotice error={loadError} />
            <button type="button" className="button button-primary" onClick={() => void refresh()}>
              <T id="app.action.retry" />
            </button>
          </>
        ) : (
          <Loading />
        )}
      </AuthLayout>
    );
  }

  const Public = PUBLIC[path];
  if (Public) return <Public />;
  const unsubscribe = /^\/unsubscribe\/([A-Za-z0-9_.-]{20,200})$/.exec(path);
  if (unsubscribe) return <UnsubscribePage key={path} token={unsubscribe[1]!} />;
  const affected = /^\/affected\/([A-Za-z0-9_-]{22,64})(\/result)?$/.exec(path);
  if (affected) {
    const Page = affected[2] ? AffectedResultPage : AffectedPage;
    return <Page key={path} publicId={affected[1]!} />;
  }

  if (session.state === 'enroll') return path === '/enroll' ? <EnrollPage /> : <Redirect to="/enroll" />;
  if (path === '/sign-in') return session.authenticated ? <Redirect to="/" /> : <SignInPage />;
  if (!session.authenticated) {
    if (session.setupNeeded) return <Redirect to="/setup" />;
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + window.location.search)}`;
    return <Redirect to={`/sign-in${next}`} />;
  }
  if (path === '/enroll') return <Redirect to="/account" />;

  for (const { pattern, page: WithId, needs } of WITH_ID) {
    const id = pattern.exec(path)?.[1];
    if (!id) continue;
    return (
      <InShell>{needs && !may(session, needs) ? <ForbiddenPage /> : <WithId key={path} id={id} />}</InShell>
    );
  }
  const route = SIGNED_IN[path];
  const Page = route
    ? route.needs && !may(session, route.needs)
      ? ForbiddenPage
      : route.page
    : NotFoundPage;
  return (
    <InShell>
      <Page key={path} />
    </InShell>
  );
}
