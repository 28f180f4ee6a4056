import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/**
 * The working calendar of a jurisdiction: its time zone, its weekend and its
 * public holidays (from date-holidays). Islamic holidays follow the lunar
 * calendar and are announced on sighting the moon, so the library's dates are
 * predictions; calendars that have them say so.
 */
export interface Calendar {
  code: string;
  zone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekend: readonly number[];
  /** Whether holiday data exists for it at all (date-holidays has none for Qatar). */
  hasHolidayData: boolean;
  /** Whether some of its holidays are predicted lunar dates. */
  predictsIslamicHolidays: boolean;
  /** The public holidays of a year, as local dates (yyyy-mm-dd). */
  holidays(year: number): ReadonlySet<string>;
}

const SAT_SUN = [6, 7] as const;
// Friday–Saturday weekends of the Arab states Candor serves (the UAE moved to Saturday–Sunday in 2022).
const FRI_SAT = [5, 6] as const;
const FRI_SAT_COUNTRIES = new Set(['SA', 'EG', 'QA', 'BH', 'KW', 'OM']);

/** Time zones chosen where a jurisdiction spans several: the seat of its authorities. */
const ZONES: Record<string, string> = {
  CZ: 'Europe/Prague',
  US: 'America/New_York',
  'US-CA': 'America/Los_Angeles',
  'US-NY': 'America/New_York',
  'US-TX': 'America/Chicago',
  'US-FL': 'America/New_York',
  SA: 'Asia/Riyadh',
  EG: 'Africa/Cairo',
  QA: 'Asia/Qatar',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  NL: 'Europe/Amsterdam',
  FR: 'Europe/Paris',
  DK: 'Europe/Copenhagen',
};

const ISLAMIC_MONTHS = /Muharram|Safar|Rabi|Jumada|Rajab|Shaban|Ramadan|Shawwal|Dhu al/;

const cache = new Map<string, Calendar>();
const SUPPORTED = new Holidays().getCountries();

/** The calendar of an ISO 3166 code: 'CZ', 'US' (federal), 'US-CA', 'SA' … */
export function calendarFor(code: string): Calendar {
  const cached = cache.get(code);
  if (cached) return cached;
  const [country = code, state] = code.split('-');
  const known = country in SUPPORTED;
  const options = { types: ['public' as const] };
  const hd = !known
    ? undefined
    : state && state in (new Holidays().getStates(country) ?? {})
      ? new Holidays(country, state, options)
      : new Holidays(country, options);
  const zone = ZONES[code] ?? hd?.getTimezones()?.[0] ?? ZONES[country] ?? 'UTC';
  const byYear = new Map<number, Set<string>>();
  let islamic = false;
  const holidaysOf = (year: number): Set<string> => {
    const found = byYear.get(year);
    if (found) return found;
    const days = new Set<string>();
    // The previous year too: a holiday of several days may run into this one.
    for (const h of [...(hd?.getHolidays(year - 1) ?? []), ...(hd?.getHolidays(year) ?? [])]) {
      if (h.type !== 'public') continue;
      if (ISLAMIC_MONTHS.test(h.rule)) islamic = true;
      // Lunar holidays begin at sunset the evening before; the day off is the date itself.
      const first = DateTime.fromISO(h.date.slice(0, 10), { zone });
      const length = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < length; i++) {
        const day = first.plus({ days: i });
        if (day.year === year) days.add(day.toISODate()!);
      }
    }
    byYear.set(year, days);
    return days;
  };
  // Learn whether lunar holidays are among them from the current year's list.
  holidaysOf(new Date().getUTCFullYear());
  const calendar: Calendar = {
    code,
    zone,
    weekend: FRI_SAT_COUNTRIES.has(country) ? FRI_SAT : SAT_SUN,
    hasHolidayData: known,
    predictsIslamicHolidays: islamic,
    holidays: holidaysOf,
  };
  cache.set(code, calendar);
  return calendar;
}

export function isBusinessDay(calendar: Calendar, day: DateTime): boolean {
  const local = day.setZone(calendar.zone);
  return !calendar.weekend.includes(local.weekday) && !calendar.holidays(local.year).has(local.toISODate()!);
}

/**
 * The local date that is `days` business days after the date of `start`:
 * the day of the start itself never counts (Form 8-K General Instruction B.1:
 * an event on a weekend or holiday starts the period on the next business day).
 */
export function addBusinessDays(calendar: Calendar, start: Date, days: number): DateTime {
  let day = DateTime.fromJSDate(start, { zone: calendar.zone }).startOf('day');
  let counted = 0;
  while (counted < days) {
    day = day.plus({ days: 1 });
    if (isBusinessDay(calendar, day)) counted++;
  }
  return day;
}

/** The last second of a local day: a period in days ends when its last day does. */
export function endOfDay(day: DateTime): DateTime {
  return day.endOf('day').set({ millisecond: 0 });
}

/** Member states of the EEA, where the GDPR and (with Iceland, Liechtenstein and Norway by the EEA Agreement) NIS2 apply. */
export const EEA = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IS',
  'IE',
  'IT',
  'LV',
  'LI',
  'LT',
  'LU',
  'MT',
  'NL',
  'NO',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]);
