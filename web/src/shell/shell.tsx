import { useEffect, useRef, type ReactNode } from 'react';
import { post } from '../api';
import { T, useT, type MessageId } from '../i18n';
import { Link, navigate, usePathname } from '../router';
import { may, useSession, type CAN } from '../session';
import { Logo } from '../ui/layout';
import { RoleList } from '../pages/roles';
import { Icon, type IconName } from './icons';
import { WarningsIndicator } from '../warnings/warnings-indicator';
import { LanguageSwitcher } from './language-switcher';

interface NavItem {
  to: string;
  label: MessageId;
  icon: IconName;
  needs?: keyof typeof CAN;
}

const NAV: { heading: MessageId; items: NavItem[] }[] = [
  {
    heading: 'app.nav.group.workspace',
    items: [
      { to: '/', label: 'app.nav.overview', icon: 'overview' },
      { to: '/incidents', label: 'app.nav.incidents', icon: 'incidents', needs: 'readIncidents' },
      { to: '/plans', label: 'app.nav.plans', icon: 'plans', needs: 'readPlans' },
      { to: '/contacts', label: 'app.nav.contacts', icon: 'contacts', needs: 'readContacts' },
      { to: '/customers', label: 'app.nav.customers', icon: 'customers', needs: 'readCustomers' },
      // notices.test_recipients: the same roles as incidents.manage (as the route in app.tsx).
      {
        to: '/notice-test-recipients',
        label: 'app.nav.testRecipients',
        icon: 'testRecipients',
        needs: 'manageIncidents',
      },
      { to: '/audit', label: 'app.nav.audit', icon: 'audit', needs: 'readAudit' },
    ],
  },
  {
    heading: 'app.nav.group.administration',
    items: [
      { to: '/users', label: 'app.nav.users', icon: 'users', needs: 'manageOrganization' },
      { to: '/tokens', label: 'app.nav.tokens', icon: 'tokens', needs: 'manageOrganization' },
      {
        to: '/organization',
        label: 'app.nav.organization',
        icon: 'organization',
        needs: 'manageOrganization',
      },
      {
        to: '/email-settings',
        label: 'app.nav.emailSettings',
        icon: 'organization',
        needs: 'manageOrganization',
      },
    ],
  },
  {
    heading: 'app.nav.group.you',
    items: [{ to: '/account', label: 'app.nav.account', icon: 'account' }],
  },
];

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return parts
    .slice(0, 2)
    .map((part) => [...part][0] ?? '')
    .join('')
    .toUpperCase();
}

export function Shell({ children }: { children: ReactNode }) {
  const { session, refresh } = useSession();
  const path = usePathname();
  const t = useT();
  const menu = useRef<HTMLDetailsElement>(null);
  const user = session?.user;

  // The menu closes on a click elsewhere, on Escape and when the page changes.
  useEffect(() => {
    const close = (event: Event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        details.open = false;
        details.querySelector('summary')?.focus();
        return;
      }
      if (!details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [path]);

  async function signOut(everywhere: boolean) {
    await post(everywhere ? '/api/auth/sign-out-everywhere' : '/api/auth/sign-out').catch(() => undefined);
    await refresh();
    navigate('/sign-in', { replace: true });
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        <T id="app.shell.skip" />
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <div className="sidebar-brand">
            <Logo />
          </div>
          <nav className="nav" aria-label={t('app.nav.label')}>
            {NAV.map((group) => {
              const items = group.items.filter((item) => !item.needs || may(session, item.needs));
              if (items.length === 0) return null;
              return (
                <div className="nav-group" key={group.heading}>
                  <p className="nav-heading">
                    <T id={group.heading} />
                  </p>
                  <ul>
                    {items.map((item) => {
                      const current = item.to === '/' ? path === '/' : path.startsWith(item.to);
                      return (
                        <li key={item.to}>
                          <Link to={item.to} className="nav-link" aria-current={current ? 'page' : undefined}>
                            <Icon name={item.icon} />
                            <T id={item.label} />
                          </Link>
                        </li>
                      );
                    })}
                  </ul>
                </div>
              );
            })}
          </nav>
        </div>
      </aside>
      <div className="shell-body">
        <header className="topbar">
          <p className="topbar-org" data-testid="organization-name">
            {/* Isolated: a Latin name on an Arabic page keeps its full stop at its end. */}
            <bdi>{session?.organization?.name}</bdi>
          </p>
          <div className="topbar-tools">
            {user && <WarningsIndicator />}
            <LanguageSwitcher />
            {user && (
              <details className="user-menu" ref={menu}>
                {/* Named by what it shows (the person's name), then what it is: no aria-label that
                    would say something else than the visible text (WCAG 2.5.3). */}
                <summary data-testid="user-menu">
                  <span className="avatar" aria-hidden="true">
                    {initials(user.displayName)}
                  </span>
                  <bdi className="user-name">{user.displayName}</bdi>
                  <span className="visually-hidden">
                    {' '}
                    <T id="app.shell.userMenu.what" />
                  </span>
                </summary>
                <div className="user-menu-panel">
                  <p className="user-menu-name">
                    <bdi>{user.displayName}</bdi>
                  </p>
                  <p className="user-menu-email">
                    <bdi>{user.email}</bdi>
                  </p>
                  <RoleList roles={user.roles} />
                  <hr />
                  <Link to="/account" className="menu-item">
                    <T id="app.nav.account" />
                  </Link>
                  <button type="button" className="menu-item" onClick={() => void signOut(false)}>
                    <T id="app.shell.signOut" />
                  </button>
                  <button type="button" className="menu-item" onClick={() => void signOut(true)}>
                    <T id="app.shell.signOutEverywhere" />
                  </button>
                </div>
              </details>
            )}
          </div>
        </header>
        <main className="main" id="main">
          {children}
        </main>
      </div>
    </div>
  );
}
