import { T } from '../i18n';
import { Link } from '../router';
import { PageHeader } from '../ui/layout';

export function NotFoundPage() {
  return (
    <>
      <PageHeader heading="app.notFound.title" intro={<T id="app.notFound.text" />} />
      <Link to="/">
        <T id="app.notFound.home" />
      </Link>
    </>
  );
}

export function ForbiddenPage() {
  return (
    <>
      <PageHeader heading="app.forbidden.title" intro={<T id="app.forbidden.text" />} />
      <Link to="/">
        <T id="app.notFound.home" />
      </Link>
    </>
  );
}
