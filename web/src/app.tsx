import { useEffect, type ComponentType } from 'react';
import { AcceptInvitationPage } from './auth/accept-invitation-page';
import { EnrollPage } from './auth/enroll-page';
import { ForgotPasswordPage, ResetPasswordPage } from './auth/password-pages';
import { SetupPage } from './auth/setup-page';
import { SignInPage } from './auth/sign-in-page';
import { ContactsPage } from './contacts/contacts-page';
import { CustomerPage } from './customers/customer-page';
import { CustomersPage } from './customers/customers-page';
import { ImportPage } from './customers/import-page';
import { T } from './i18n';
import { DeclarePage } from './incidents/declare-page';
import { IncidentPage } from './incidents/incident-page';
import { IncidentsPage } from './incidents/incidents-page';
import { AffectedPage, AffectedResultPage } from './lookup/affected-page';
import { AccountPage } from './pages/account-page';
import { AuditPage } from './pages/audit-page';
import { OrganizationPage } from './pages/organization-page';
import { OverviewPage } from './pages/overview-page';
import { ForbiddenPage, NotFoundPage } from './pages/status-pages';
import { TokensPage } from './pages/tokens-page';
import { UsersPage } from './pages/users-page';
import { VerifyPage } from './verify/verify-page';
import { EmailSettingsPage } from './notices/email-settings-page';
import { TestRecipientsPage } from './notices/test-recipients-page';
import { UnsubscribePage } from './notices/unsubscribe-page';
import { PlansPage } from './plans/plans-page';
import { navigate, usePathname } from './router';
import { may, useSession, type CAN } from './session';
import { Shell } from './shell/shell';
import { ErrorNotice, Loading } from './ui/feedback';
import { AuthLayout } from './ui/layout';
import { WarningsPage } from './warnings/warnings-page';

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

export function App() {
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
    return <Shell>{needs && !may(session, needs) ? <ForbiddenPage /> : <WithId key={path} id={id} />}</Shell>;
  }
  const route = SIGNED_IN[path];
  const Page = route
    ? route.needs && !may(session, route.needs)
      ? ForbiddenPage
      : route.page
    : NotFoundPage;
  return (
    <Shell>
      <Page key={path} />
    </Shell>
  );
}
