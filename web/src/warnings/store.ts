import { useEffect, useSyncExternalStore } from 'react';
import { get } from '../api';

/** One deadline warning addressed to the signed-in user (GET /api/me/warnings). */
export interface Warning {
  id: string;
  incidentId: string;
  incidentNumber: number;
  incidentTitle: string;
  clockId: string;
  ruleId: string;
  titleKey: string;
  jurisdiction: string;
  timeZone: string;
  threshold: '50' | '75' | '90' | 'missed';
  dueAt: string;
  isExercise: boolean;
  createdAt: string;
  readAt: string | null;
}

/**
 * The count of unread warnings, shared by the header and the warnings page:
 * polled every minute (the server checks its clocks every minute) and
 * refreshed at once when a warning is marked read.
 */
const POLL_MS = 60_000;
let unread: number | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export async function refreshUnreadWarnings(): Promise<void> {
  try {
    const list = await get<Warning[]>('/api/me/warnings?unread=true');
    unread = list.length;
  } catch {
    // Kept as it was: the indicator is a hint, the page shows any error.
    return;
  }
  listeners.forEach((listener) => listener());
}

export function useUnreadWarnings(): number | undefined {
  useEffect(() => {
    void refreshUnreadWarnings();
    const timer = window.setInterval(() => void refreshUnreadWarnings(), POLL_MS);
    return () => window.clearInterval(timer);
  }, []);
  return useSyncExternalStore(subscribe, () => unread);
}
