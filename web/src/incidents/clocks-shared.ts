/** A legal clock as the API answers with it: shared by the clocks section, its cards and forms. */

export type ClockState = 'waiting' | 'open' | 'met' | 'missed' | 'not_applicable';

export interface Clock {
  id: string;
  ruleId: string;
  regime: string;
  citation: string;
  jurisdiction: string;
  timeZone: string;
  isExercise: boolean;
  titleKey: string;
  notifierKey: string;
  recipientKey: string;
  contentKeys: string[];
  startMoment: string | null;
  startsAfterRule: string | null;
  startsAt: string | null;
  dueAt: string | null;
  timeLeftSeconds: number | null;
  state: ClockState;
  reasonKey: string | null;
  waivedReason: string | null;
  noteKeys: string[];
  uncertain: boolean;
  filing: {
    filedAt: string;
    reference: string | null;
    text: string | null;
    document: { name: string; contentType: string; size: number; sha256: string } | null;
  } | null;
}
