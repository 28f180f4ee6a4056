import { get } from '../api';
import { may, type SessionInfo } from '../session';

export interface Person {
  id: string;
  displayName: string;
}

/**
 * The people who may be named on an incident. Admins read the whole
 * directory; anyone else may name themselves.
 */
export async function loadPeople(session: SessionInfo | undefined): Promise<Person[]> {
  const me = session?.user ? [{ id: session.user.id, displayName: session.user.displayName }] : [];
  if (!may(session, 'manageOrganization')) return me;
  const users = await get<{ id: string; displayName: string; status?: string }[]>('/api/users');
  return users.filter((u) => u.status === undefined || u.status === 'active');
}
