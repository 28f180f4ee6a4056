import type { Permission, Role } from './permissions.js';

/** Who is calling, as the access layer knows them: resolved by accounts, checked here. */
export type SessionState = 'mfa' | 'enroll' | 'active';

export type Actor =
  { type: 'user'; id: string; roles: Role[] } | { type: 'api_token'; id: string; scopes: Permission[] };

export interface Auth {
  organizationId: string;
  organizationLocale: string;
  locale: string | null;
  actor: Actor;
  session?: { id: string; state: SessionState; csrfToken: string };
}
