import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { get, setUnauthenticatedHandler } from './api';
import { TimeZoneProvider, isLocale, useLocale } from './i18n';

export type Role = 'admin' | 'incident_manager' | 'communications' | 'legal' | 'support' | 'viewer';
export const ROLES: Role[] = ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'];
export type SessionState = 'mfa' | 'enroll' | 'active';
export type SignInMethod = 'totp' | 'passkey' | 'recovery';

export interface SignInResult {
  state: SessionState;
  csrfToken: string;
  methods: SignInMethod[];
}

export interface SessionInfo {
  setupNeeded: boolean;
  authenticated: boolean;
  state?: SessionState;
  user?: {
    id: string;
    email: string;
    displayName: string;
    roles: string[];
    locale: string | null;
    totp: boolean;
    passkeys: number;
  };
  organization?: { id: string; name: string; defaultLocale: string; requireMfa: boolean; timeZone: string };
}

/** What each role may see in the app (src/modules/access/permissions.ts); the server checks every request again. */
export const CAN = {
  manageOrganization: ['admin'],
  readAudit: ['admin', 'incident_manager', 'legal'],
  readIncidents: ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'],
  manageIncidents: ['admin', 'incident_manager'],
  workTasks: ['admin', 'incident_manager', 'communications', 'legal', 'support'],
  readPlans: ['admin', 'incident_manager', 'legal', 'viewer'],
  managePlans: ['admin', 'incident_manager'],
  readContacts: ['admin', 'incident_manager', 'communications', 'legal', 'support'],
  manageContacts: ['admin', 'incident_manager'],
  readReports: ['admin', 'incident_manager', 'legal', 'viewer'],
  editReports: ['admin', 'incident_manager', 'legal'],
  fileReports: ['legal'],
  readCustomers: ['admin', 'incident_manager', 'legal'],
  manageCustomers: ['admin', 'incident_manager'],
  revealCustomers: ['admin', 'incident_manager', 'legal'],
} as const satisfies Record<string, readonly Role[]>;

export function may(session: SessionInfo | undefined, what: keyof typeof CAN): boolean {
  const roles = session?.user?.roles ?? [];
  return (CAN[what] as readonly string[]).some((role) => roles.includes(role));
}

interface SessionContextValue {
  session: SessionInfo | undefined;
  loadError: unknown;
  refresh(): Promise<SessionInfo | undefined>;
}

const SessionContext = createContext<SessionContextValue>({
  session: undefined,
  loadError: undefined,
  refresh: async () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionInfo>();
  const [loadError, setLoadError] = useState<unknown>();
  const { setLocale } = useLocale();

  const refresh = useCallback(
    () =>
      get<SessionInfo>('/api/auth/session').then(
        (next) => {
          setSession(next);
          setLoadError(undefined);
          return next;
        },
        (error: unknown) => {
          setLoadError(error);
          return undefined;
        },
      ),
    [],
  );

  useEffect(() => {
    void refresh();
    setUnauthenticatedHandler(() => void refresh());
    return () => setUnauthenticatedHandler(undefined);
  }, [refresh]);

  // The language saved on the account wins over the one chosen on this device.
  const savedLocale = session?.user?.locale;
  useEffect(() => {
    if (isLocale(savedLocale)) setLocale(savedLocale);
  }, [savedLocale, setLocale]);

  return (
    <SessionContext.Provider value={{ session, loadError, refresh }}>
      <TimeZoneProvider zone={session?.organization?.timeZone}>{children}</TimeZoneProvider>
    </SessionContext.Provider>
  );
}

export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}
