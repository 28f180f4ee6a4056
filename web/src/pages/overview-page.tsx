import { LANGUAGE_NAMES, T, isLocale } from '../i18n';
import { Link } from '../router';
import { may, useSession } from '../session';
import { Badge } from '../ui/feedback';
import { PageHeader, Section } from '../ui/layout';
import { OverviewUrgent } from './overview-urgent';

export function OverviewPage() {
  const { session } = useSession();
  const user = session?.user;
  const org = session?.organization;
  if (!user || !org) return null;
  const admin = may(session, 'manageOrganization');
  const secondFactors = (user.totp ? 1 : 0) + user.passkeys;
  return (
    <>
      <PageHeader
        heading="app.overview.title"
        intro={<T id="app.overview.welcome" values={{ name: <bdi>{user.displayName}</bdi> }} />}
      />
      {/* What cannot wait comes first: open SEV1 and SEV2 incidents, then the running legal clocks. */}
      {may(session, 'readIncidents') && <OverviewUrgent />}
      <div className="grid">
        <Section title={<T id="app.overview.security" />}>
          <dl className="facts">
            <div>
              <dt>
                <T id="app.overview.totp" />
              </dt>
              <dd>
                {user.totp ? (
                  <Badge tone="success">
                    <T id="app.status.on" />
                  </Badge>
                ) : (
                  <Badge>
                    <T id="app.status.off" />
                  </Badge>
                )}
              </dd>
            </div>
            <div>
              <dt>
                <T id="app.overview.passkeys" />
              </dt>
              <dd>
                <T id="app.count.passkeys" values={{ count: user.passkeys }} />
              </dd>
            </div>
          </dl>
          {secondFactors < 2 && (
            <p className="muted">
              <T id="app.overview.secondFactorTip" />
            </p>
          )}
          <p>
            <Link to="/account">
              <T id="app.overview.manageAccount" />
            </Link>
          </p>
        </Section>
        <Section title={<T id="app.overview.organization" />}>
          <dl className="facts">
            <div>
              <dt>
                <T id="app.field.organizationName" />
              </dt>
              <dd>
                <bdi>{org.name}</bdi>
              </dd>
            </div>
            <div>
              <dt>
                <T id="app.field.defaultLanguage" />
              </dt>
              <dd>{isLocale(org.defaultLocale) && <T id={LANGUAGE_NAMES[org.defaultLocale]} />}</dd>
            </div>
            <div>
              <dt>
                <T id="app.field.requireMfa" />
              </dt>
              <dd>
                {org.requireMfa ? (
                  <Badge tone="success">
                    <T id="app.status.required" />
                  </Badge>
                ) : (
                  <Badge tone="warning">
                    <T id="app.status.optional" />
                  </Badge>
                )}
              </dd>
            </div>
          </dl>
        </Section>
        {admin && (
          <Section title={<T id="app.overview.checklist" />}>
            <ol className="checklist">
              <li>
                <Link to="/users">
                  <T id="app.overview.checklist.invite" />
                </Link>
              </li>
              <li>
                <Link to="/organization">
                  <T id="app.overview.checklist.mfa" />
                </Link>
              </li>
              <li>
                <Link to="/tokens">
                  <T id="app.overview.checklist.tokens" />
                </Link>
              </li>
              <li>
                <Link to="/audit">
                  <T id="app.overview.checklist.audit" />
                </Link>
              </li>
            </ol>
          </Section>
        )}
      </div>
    </>
  );
}
