import { get } from '../api';
import { may, type SessionInfo } from '../session';

export interface Person {
  id: string;
  displayName: string;
}

/**
 * The people who may be named on an incident. Those who manage incidents
 * read the organization's directory (GET /api/people: names and roles, no
 * e-mail addresses); anyone else may name themselves.
 */
export async function loadPeople(session: SessionInfo | undefined): Promise<Person[]> {
  const me = session?.user ? [{ id: session.user.id, displayName: session.user.displayName }] : [];
  if (!may(session, 'manageIncidents')) return me;
  return get<{ id: string; displayName: string; roles: string[] }[]>('/api/people');
}
