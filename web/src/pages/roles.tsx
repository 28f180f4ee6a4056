import { T } from '../i18n';
import { ROLES, type Role } from '../session';
import { Badge } from '../ui/feedback';

const isRole = (value: string): value is Role => (ROLES as string[]).includes(value);

export function RoleList({ roles }: { roles: string[] }) {
  return (
    <span className="tags">
      {roles.filter(isRole).map((role) => (
        <Badge key={role} tone={role === 'admin' ? 'info' : 'neutral'}>
          <T id={`app.role.${role}`} />
        </Badge>
      ))}
    </span>
  );
}
