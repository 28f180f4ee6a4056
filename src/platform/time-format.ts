/**
 * One way to show a time, shared by the server (e-mails, SMS, PDFs, server-rendered pages) and the
 * admin app (web/src/i18n.tsx): in the reader's language, in a named IANA zone (the organization's,
 * or the customer's where known), with the zone's short name wherever a time of day is shown, so
 * two zones side by side cannot be confused.
 *
 * Digits are Latin (0–9) in every language and channel, Arabic included: the verification codes,
 * addresses, phone numbers and ids beside a date are Latin and are never localised, and one kind of
 * digit in a message reads more safely than two. Imports nothing: the browser bundles it.
 */

/** dateTime: "Mar 1, 2026, 11:30 PM UTC"; date: "Mar 1, 2026"; longDate: "March 1, 2026"; longDateTime: with the weekday and zone. */
export type TimeStyle = 'dateTime' | 'date' | 'longDate' | 'longDateTime';

// Intl refuses timeZoneName beside dateStyle/timeStyle, so each style names its fields.
const FIELDS: Record<TimeStyle, Intl.DateTimeFormatOptions> = {
  dateTime: {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  },
  date: { year: 'numeric', month: 'short', day: 'numeric' },
  longDate: { year: 'numeric', month: 'long', day: 'numeric' },
  longDateTime: {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  },
};

/** Whether a string names a time zone this runtime knows (IANA, e.g. Europe/Prague). */
export function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A zone's canonical IANA name (e.g. "europe/prague" → "Europe/Prague"), or undefined when unknown. */
export function canonicalTimeZone(zone: string): string | undefined {
  return isTimeZone(zone)
    ? new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone
    : undefined;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter for a language, zone and style, built once. An unknown zone is an error, never a silent UTC. */
function formatFor(locale: string, timeZone: string, style: TimeStyle): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${style}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...FIELDS[style], timeZone, numberingSystem: 'latn' });
    formats.set(key, format);
  }
  return format;
}

const toDate = (value: Date | string | number) => (value instanceof Date ? value : new Date(value));

/**
 * An instant in a language and zone. Throws a RangeError for an invalid instant or an unknown zone,
 * so a bad value is reported where it is made rather than shown as a raw date string.
 */
export function formatTime(
  value: Date | string | number,
  options: { locale: string; timeZone: string; style?: TimeStyle },
): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not an instant: ${String(value)}`);
  return formatFor(options.locale, options.timeZone, options.style ?? 'dateTime').format(date);
}

/** The UTC instant, for a title on hover and for logs: "2026-03-01 23:30:00 UTC". */
export function utcInstant(value: Date | string | number): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not an instant: ${String(value)}`);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of an instant in a zone, as if it were UTC (milliseconds). */
function wallClockMs(at: number, timeZone: string): number {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormats.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
}

/** An instant as a datetime-local input reads it in a zone: "2026-03-01T10:30". */
export function localInputIn(value: Date | string, timeZone: string): string {
  const at = toDate(value).getTime();
  if (Number.isNaN(at)) return '';
  return new Date(wallClockMs(at, timeZone)).toISOString().slice(0, 16);
}

/**
 * A datetime-local reading ("2026-03-01T10:30") in a zone as an instant, or undefined when it is
 * not one. A reading the zone skips (the hour clocks go forward) is taken with the offset before it.
 */
export function instantFromLocal(local: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  if (Number.isNaN(wall)) return undefined;
  // Two passes: the zone's offset at a first guess, then at the instant that guess gives.
  const first = wall - (wallClockMs(wall, timeZone) - wall);
  return new Date(wall - (wallClockMs(first, timeZone) - first));
}

const zoneNames = new Map<string, string>();

/**
 * A zone as readers know it, in their language: "Central European Time", "středoevropský čas",
 * "توقيت وسط أوروبا" rather than "Europe/Prague" (kept for a title on hover). UTC and the Etc zones
 * have no generic name, so theirs is the long one ("Coordinated Universal Time").
 */
export function zoneName(timeZone: string, locale: string): string {
  const key = `${locale}|${timeZone}`;
  let name = zoneNames.get(key);
  if (name === undefined) {
    const style = /^(UTC|Etc\/|GMT)/.test(timeZone) ? 'long' : 'longGeneric';
    name =
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style })
        .formatToParts(Date.now())
        .find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
    zoneNames.set(key, name);
  }
  return name;
}
