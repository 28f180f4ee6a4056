import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  formatTime,
  instantFromLocal,
  isTimeZone,
  localInputIn,
  utcInstant,
  zoneName,
} from './time-format.js';

// Across the EU change (29 March, 25 October 2026: 01:00 UTC) and the US change (8 March,
// 1 November 2026), an hour before and after each; fixed against the ICU and time-zone data the
// tests run on (Node 20: ICU 78.2, tz 2025c) so a change of either shows here.
const INSTANTS = [
  '2026-03-29T00:30:00Z',
  '2026-03-29T01:30:00Z',
  '2026-10-25T00:30:00Z',
  '2026-10-25T01:30:00Z',
  '2026-03-08T06:30:00Z',
  '2026-03-08T07:30:00Z',
  '2026-11-01T05:30:00Z',
  '2026-11-01T06:30:00Z',
];

const EXPECTED: Record<string, Record<'en' | 'cs' | 'ar', string[]>> = {
  'Europe/Prague': {
    en: [
      'Mar 29, 2026, 1:30 AM GMT+1',
      'Mar 29, 2026, 3:30 AM GMT+2',
      'Oct 25, 2026, 2:30 AM GMT+2',
      'Oct 25, 2026, 2:30 AM GMT+1',
      'Mar 8, 2026, 7:30 AM GMT+1',
      'Mar 8, 2026, 8:30 AM GMT+1',
      'Nov 1, 2026, 6:30 AM GMT+1',
      'Nov 1, 2026, 7:30 AM GMT+1',
    ],
    cs: [
      '29. 3. 2026 1:30 SEČ',
      '29. 3. 2026 3:30 SELČ',
      '25. 10. 2026 2:30 SELČ',
      '25. 10. 2026 2:30 SEČ',
      '8. 3. 2026 7:30 SEČ',
      '8. 3. 2026 8:30 SEČ',
      '1. 11. 2026 6:30 SEČ',
      '1. 11. 2026 7:30 SEČ',
    ],
    ar: [
      '29 مارس 2026، 1:30 ص غرينتش+1',
      '29 مارس 2026، 3:30 ص غرينتش+2',
      '25 أكتوبر 2026، 2:30 ص غرينتش+2',
      '25 أكتوبر 2026، 2:30 ص غرينتش+1',
      '8 مارس 2026، 7:30 ص غرينتش+1',
      '8 مارس 2026، 8:30 ص غرينتش+1',
      '1 نوفمبر 2026، 6:30 ص غرينتش+1',
      '1 نوفمبر 2026، 7:30 ص غرينتش+1',
    ],
  },
  'America/New_York': {
    en: [
      'Mar 28, 2026, 8:30 PM EDT',
      'Mar 28, 2026, 9:30 PM EDT',
      'Oct 24, 2026, 8:30 PM EDT',
      'Oct 24, 2026, 9:30 PM EDT',
      'Mar 8, 2026, 1:30 AM EST',
      'Mar 8, 2026, 3:30 AM EDT',
      'Nov 1, 2026, 1:30 AM EDT',
      'Nov 1, 2026, 1:30 AM EST',
    ],
    cs: [
      '28. 3. 2026 20:30 EDT',
      '28. 3. 2026 21:30 EDT',
      '24. 10. 2026 20:30 EDT',
      '24. 10. 2026 21:30 EDT',
      '8. 3. 2026 1:30 EST',
      '8. 3. 2026 3:30 EDT',
      '1. 11. 2026 1:30 EDT',
      '1. 11. 2026 1:30 EST',
    ],
    ar: [
      '28 مارس 2026، 8:30 م غرينتش-4',
      '28 مارس 2026، 9:30 م غرينتش-4',
      '24 أكتوبر 2026، 8:30 م غرينتش-4',
      '24 أكتوبر 2026، 9:30 م غرينتش-4',
      '8 مارس 2026، 1:30 ص غرينتش-5',
      '8 مارس 2026، 3:30 ص غرينتش-4',
      '1 نوفمبر 2026، 1:30 ص غرينتش-4',
      '1 نوفمبر 2026، 1:30 ص غرينتش-5',
    ],
  },
  'Asia/Riyadh': {
    en: [
      'Mar 29, 2026, 3:30 AM GMT+3',
      'Mar 29, 2026, 4:30 AM GMT+3',
      'Oct 25, 2026, 3:30 AM GMT+3',
      'Oct 25, 2026, 4:30 AM GMT+3',
      'Mar 8, 2026, 9:30 AM GMT+3',
      'Mar 8, 2026, 10:30 AM GMT+3',
      'Nov 1, 2026, 8:30 AM GMT+3',
      'Nov 1, 2026, 9:30 AM GMT+3',
    ],
    cs: [
      '29. 3. 2026 3:30 GMT+3',
      '29. 3. 2026 4:30 GMT+3',
      '25. 10. 2026 3:30 GMT+3',
      '25. 10. 2026 4:30 GMT+3',
      '8. 3. 2026 9:30 GMT+3',
      '8. 3. 2026 10:30 GMT+3',
      '1. 11. 2026 8:30 GMT+3',
      '1. 11. 2026 9:30 GMT+3',
    ],
    ar: [
      '29 مارس 2026، 3:30 ص غرينتش+3',
      '29 مارس 2026، 4:30 ص غرينتش+3',
      '25 أكتوبر 2026، 3:30 ص غرينتش+3',
      '25 أكتوبر 2026، 4:30 ص غرينتش+3',
      '8 مارس 2026، 9:30 ص غرينتش+3',
      '8 مارس 2026، 10:30 ص غرينتش+3',
      '1 نوفمبر 2026، 8:30 ص غرينتش+3',
      '1 نوفمبر 2026، 9:30 ص غرينتش+3',
    ],
  },
};

describe('one way to show a time', () => {
  it.each(Object.keys(EXPECTED))(
    '%s in en, cs and ar, across the EU and US daylight-saving changes',
    (zone) => {
      for (const locale of ['en', 'cs', 'ar'] as const) {
        expect(INSTANTS.map((at) => formatTime(at, { locale, timeZone: zone }))).toEqual(
          EXPECTED[zone]![locale],
        );
      }
    },
  );

  it('writes a long date for notices, and a long date and time with the weekday and zone', () => {
    const at = new Date('2026-03-01T23:30:00Z');
    expect(formatTime(at, { locale: 'cs', timeZone: 'Europe/Prague', style: 'longDate' })).toBe(
      '2. března 2026',
    );
    expect(formatTime(at, { locale: 'en', timeZone: 'America/New_York', style: 'longDate' })).toBe(
      'March 1, 2026',
    );
    expect(formatTime(at, { locale: 'ar', timeZone: 'Asia/Riyadh', style: 'longDateTime' })).toBe(
      'الاثنين، 2 مارس 2026 في 2:30 ص غرينتش+3',
    );
  });

  it('uses Latin digits in Arabic, even where the locale asks for Arabic-Indic ones', () => {
    const at = '2026-03-01T10:00:00Z';
    expect(formatTime(at, { locale: 'ar-SA', timeZone: 'Asia/Riyadh' })).toMatch(/^[^\u0660-\u0669]*$/u);
    expect(formatTime(at, { locale: 'ar-EG', timeZone: 'Africa/Cairo', style: 'date' })).toContain('2026');
  });

  it('reports an unknown zone or an invalid instant instead of showing a raw date', () => {
    expect(() => formatTime('2026-03-01T10:00:00Z', { locale: 'en', timeZone: 'Mars/Olympus' })).toThrow(
      RangeError,
    );
    expect(() => formatTime('not a date', { locale: 'en', timeZone: 'UTC' })).toThrow(/Not an instant/);
    expect(isTimeZone('Europe/Prague')).toBe(true);
    expect(isTimeZone('Europe/Praha')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(canonicalTimeZone('europe/prague')).toBe('Europe/Prague');
    expect(utcInstant('2026-03-01T23:30:00.123Z')).toBe('2026-03-01 23:30:00 UTC');
  });
});

describe('datetime-local readings in a zone', () => {
  it('turn into the instant they mean there, across daylight-saving changes, and back', () => {
    const cases: [string, string, string][] = [
      ['2026-03-01T10:30', 'Europe/Prague', '2026-03-01T09:30:00.000Z'],
      ['2026-07-01T10:30', 'Europe/Prague', '2026-07-01T08:30:00.000Z'],
      ['2026-03-08T03:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
      ['2026-03-08T01:30', 'America/New_York', '2026-03-08T06:30:00.000Z'],
      ['2026-10-25T03:30', 'Europe/Prague', '2026-10-25T02:30:00.000Z'],
      ['2026-06-01T00:00', 'Asia/Riyadh', '2026-05-31T21:00:00.000Z'],
    ];
    for (const [local, zone, instant] of cases) {
      expect(instantFromLocal(local, zone)?.toISOString(), `${local} ${zone}`).toBe(instant);
      expect(localInputIn(instant, zone)).toBe(local);
    }
    expect(instantFromLocal('yesterday', 'UTC')).toBeUndefined();
    expect(localInputIn('not a date', 'UTC')).toBe('');
  });
});

describe('zone names', () => {
  it('names a zone as readers know it, in their language, never by its IANA id', () => {
    expect(zoneName('Europe/Prague', 'en')).toBe('Central European Time');
    expect(zoneName('Europe/Prague', 'cs')).toBe('středoevropský čas');
    expect(zoneName('Asia/Riyadh', 'ar')).toBe('التوقيت العربي الرسمي');
    expect(zoneName('America/New_York', 'en')).toBe('Eastern Time');
    expect(zoneName('UTC', 'en')).toBe('Coordinated Universal Time');
    expect(zoneName('UTC', 'cs')).toBe('koordinovaný světový čas');
  });
});
