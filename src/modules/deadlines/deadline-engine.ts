import { DateTime } from 'luxon';
import type { DataCategory, Moment } from '../incidents/index.js';
import { addBusinessDays, calendarFor, EEA, endOfDay, type Calendar } from './deadline-calendar.js';
import {
  RULES,
  type DeadlineRule,
  type DynamicNote,
  type FreeZone,
  type Duration,
  type Note,
  type OrganizationFact,
  type Period,
  type RiskLevel,
  type RuleId,
  type Scope,
} from './deadline-rules.js';

/** What the rules read of an incident. */
export interface IncidentFacts {
  moments: Partial<Record<Moment, Date | null>>;
  dataCategories: readonly DataCategory[];
  /** Affected people per jurisdiction: counted ?? estimated, null when unknown. */
  jurisdictions: readonly { code: string; affected: number | null }[];
  /** The incident's risk assessment; null while not assessed (the rule is then assumed to apply). */
  riskLevel: RiskLevel | null;
  /** A significant incident in the NIS2 sense; null while not assessed. */
  significant: boolean | null;
}

/** What the rules read of the organization (its deadline profile). */
export interface OrganizationProfile {
  /** The EEA country of the lead supervisory authority; else the first EEA jurisdiction of the incident. */
  leadAuthority: string | null;
  secRegistrant: boolean;
  hipaaCovered: boolean;
  /** Essential or important entity under NIS2; null while not stated (assumed). */
  nis2Entity: boolean | null;
  /** Regulated under the Czech Act No. 264/2025 Coll.; null while not stated (assumed). */
  czRegulated: boolean | null;
  /**
   * The free zones with a data protection law of their own where the organization is
   * established ('AE-DIFC', 'AE-ADGM'): their law binds it wherever the people are, and the
   * UAE federal law, which excludes such zones, does not. Empty: none.
   */
  establishedIn: FreeZone[];
  /** "Without undue delay" with no outer legal bound: the organization's own target. */
  undueDelayTargetHours: number;
}

export type Reason =
  | 'not_sec_registrant'
  | 'not_hipaa_covered'
  | 'not_nis2_entity'
  | 'not_cz_regulated'
  | 'ae_free_zone_law'
  | 'no_personal_data'
  | 'data_category'
  | 'risk_unlikely'
  | 'not_high_risk'
  | 'not_significant'
  | 'threshold_not_met'
  | 'no_residents_affected'
  | 'out_of_scope'
  | 'manual';

export interface ClockSpec {
  ruleId: RuleId;
  /** 'EU' for the EEA-wide rules, a free zone ('AE-DIFC'), else an ISO 3166 code ('CZ', 'US', 'US-CA'). */
  jurisdiction: string;
  timeZone: string;
  applicable: boolean;
  reason: Reason | null;
  /** Null while the starting moment (or the filing it follows) is not recorded. */
  startsAt: Date | null;
  dueAt: Date | null;
  notes: (Note | DynamicNote)[];
}

export const clockKey = (ruleId: string, jurisdiction: string) => `${ruleId}|${jurisdiction}`;

interface Place {
  jurisdiction: string;
  calendar: Calendar;
  affected: number | null;
}

const countryOf = (code: string) => code.split('-')[0]!;
const isUs = (code: string) => countryOf(code) === 'US';

/** The sum of affected people; unknown as soon as one part is unknown. */
function total(counts: (number | null)[]): number | null {
  return counts.some((c) => c === null) ? null : counts.reduce<number>((a, c) => a + (c ?? 0), 0);
}

function placesOf(scope: Scope, facts: IncidentFacts, profile: OrganizationProfile): Place[] {
  const js = facts.jurisdictions;
  const affectedWhere = (test: (code: string) => boolean) =>
    total(js.filter((j) => test(j.code)).map((j) => j.affected));
  switch (scope.kind) {
    case 'eea': {
      const eea = js.map((j) => countryOf(j.code)).filter((c) => EEA.has(c));
      if (eea.length === 0) return [];
      const lead = profile.leadAuthority ?? [...eea].sort()[0]!;
      return [
        {
          jurisdiction: 'EU',
          calendar: calendarFor(lead),
          affected: affectedWhere((c) => EEA.has(countryOf(c))),
        },
      ];
    }
    case 'country':
      return js.some((j) => countryOf(j.code) === scope.country)
        ? [
            {
              jurisdiction: scope.country,
              calendar: calendarFor(scope.country),
              affected: affectedWhere((c) => countryOf(c) === scope.country),
            },
          ]
        : [];
    case 'us_state': {
      const code = `US-${scope.state}`;
      const found = js.find((j) => j.code === code);
      return found ? [{ jurisdiction: code, calendar: calendarFor(code), affected: found.affected }] : [];
    }
    case 'us':
      return js.some((j) => isUs(j.code))
        ? [{ jurisdiction: 'US', calendar: calendarFor('US'), affected: affectedWhere(isUs) }]
        : [];
    case 'each_us_state':
      return js
        .filter((j) => j.code.startsWith('US-'))
        .map((j) => ({ jurisdiction: j.code, calendar: calendarFor(j.code), affected: j.affected }));
    case 'everywhere':
      return [{ jurisdiction: scope.calendar, calendar: calendarFor(scope.calendar), affected: null }];
    case 'establishment':
      return profile.establishedIn.includes(scope.zone)
        ? [
            {
              jurisdiction: scope.zone,
              calendar: calendarFor(scope.zone),
              affected: total(js.map((j) => j.affected)),
            },
          ]
        : [];
  }
}

const ORGANIZATION_FACTS: Record<
  OrganizationFact,
  { value: (p: OrganizationProfile) => boolean | null; reason: Reason }
> = {
  sec_registrant: { value: (p) => p.secRegistrant, reason: 'not_sec_registrant' },
  hipaa_covered: { value: (p) => p.hipaaCovered, reason: 'not_hipaa_covered' },
  nis2_entity: { value: (p) => p.nis2Entity, reason: 'not_nis2_entity' },
  cz_regulated: { value: (p) => p.czRegulated, reason: 'not_cz_regulated' },
  // Federal Decree-Law No. 45 of 2021, Art. 2: not the free zones with a data protection law of their own.
  ae_federal_law: {
    value: (p) => !p.establishedIn.some((z) => z.startsWith('AE-')),
    reason: 'ae_free_zone_law',
  },
};

/**
 * Whether a rule applies to the incident in one place: the first condition
 * that fails is the reason it does not. A fact not yet assessed counts as
 * met, with a note: a clock shown too early is safer than one never shown.
 */
function applicability(
  rule: DeadlineRule,
  place: Place,
  facts: IncidentFacts,
  profile: OrganizationProfile,
): { reason: Reason | null; notes: DynamicNote[] } {
  const notes: DynamicNote[] = [];
  const c = rule.conditions;
  if (c.organization) {
    const fact = ORGANIZATION_FACTS[c.organization];
    const value = fact.value(profile);
    if (value === false) return { reason: fact.reason, notes };
    if (value === null) notes.push('organization_fact_not_stated');
  }
  if (c.personalData && facts.dataCategories.length === 0) return { reason: 'no_personal_data', notes };
  // A state's breach law protects its residents: counted or estimated at none, it does not apply.
  if ((rule.scope.kind === 'us_state' || rule.scope.kind === 'each_us_state') && place.affected === 0) {
    return { reason: 'no_residents_affected', notes };
  }
  if (c.dataCategories && !c.dataCategories.some((d) => facts.dataCategories.includes(d))) {
    return { reason: 'data_category', notes };
  }
  if (c.risk) {
    if (facts.riskLevel === null) notes.push('risk_not_assessed');
    else if (facts.riskLevel === 'unlikely') return { reason: 'risk_unlikely', notes };
    else if (c.risk === 'high' && facts.riskLevel !== 'high') return { reason: 'not_high_risk', notes };
  }
  if (c.significant) {
    if (facts.significant === null) notes.push('significance_not_assessed');
    else if (!facts.significant) return { reason: 'not_significant', notes };
  }
  const t = rule.threshold;
  if (t) {
    const count =
      t.of === 'us_total'
        ? total(facts.jurisdictions.filter((j) => isUs(j.code)).map((j) => j.affected))
        : place.affected;
    if (count === null) {
      notes.push('count_unknown');
      // Unknown numbers meet "more than" thresholds and fail "fewer than" ones: the stricter clock wins.
      if (t.under !== undefined) return { reason: 'threshold_not_met', notes };
    } else if (
      (t.over !== undefined && !(count > t.over)) ||
      (t.atLeast !== undefined && !(count >= t.atLeast)) ||
      (t.under !== undefined && !(count < t.under))
    ) {
      return { reason: 'threshold_not_met', notes };
    }
  }
  return { reason: null, notes };
}

/** The due instant of a period from a start, on a calendar. */
export function periodEnd(
  period: Period,
  start: Date,
  calendar: Calendar,
  cutoff?: DeadlineRule['cutoff'],
): { due: Date; notes: DynamicNote[] } {
  const local = DateTime.fromJSDate(start, { zone: calendar.zone });
  const notes: DynamicNote[] = [];
  let lastDay: DateTime;
  switch (period.kind) {
    case 'hours':
      // Elapsed hours: a daylight-saving change does not lengthen or shorten them.
      return { due: new Date(start.getTime() + period.hours * 3_600_000), notes };
    case 'calendar_days':
      lastDay = local.plus({ days: period.days });
      break;
    case 'business_days':
      lastDay = addBusinessDays(calendar, start, period.days);
      if (calendar.predictsIslamicHolidays) notes.push('islamic_holidays_predicted');
      if (!calendar.hasHolidayData) notes.push('no_holiday_data');
      break;
    case 'months':
      // Luxon keeps the day of the month, or the last day of a shorter month (31 Jan + 1 month = 28/29 Feb).
      lastDay = local.plus({ months: period.months });
      break;
    case 'days_after_year_end':
      lastDay = local.endOf('year').startOf('day').plus({ days: period.days });
      break;
  }
  if (cutoff) {
    const at = DateTime.fromObject(
      {
        year: lastDay.year,
        month: lastDay.month,
        day: lastDay.day,
        hour: cutoff.hour,
        minute: cutoff.minute,
      },
      { zone: cutoff.zone },
    );
    return { due: at.toJSDate(), notes };
  }
  return { due: endOfDay(lastDay).toJSDate(), notes };
}

export function dueInstant(
  duration: Duration,
  start: Date,
  calendar: Calendar,
  options: { cutoff?: DeadlineRule['cutoff']; undueDelayTargetHours: number },
): { due: Date; notes: DynamicNote[] } {
  if (duration.kind !== 'undue_delay') return periodEnd(duration, start, calendar, options.cutoff);
  if (duration.bound) return periodEnd(duration.bound, start, calendar, options.cutoff);
  return {
    due: new Date(start.getTime() + options.undueDelayTargetHours * 3_600_000),
    notes: ['organization_target'],
  };
}

/**
 * Every clock the rules start for an incident: one per rule and place in
 * scope, applicable or not (with the reason). `filings` holds the filing
 * instants of clocks already filed, which start the clocks that follow them.
 */
export function evaluate(
  facts: IncidentFacts,
  profile: OrganizationProfile,
  filings: ReadonlyMap<string, Date> = new Map(),
  rules: readonly DeadlineRule[] = RULES,
): ClockSpec[] {
  const specs: ClockSpec[] = [];
  for (const rule of rules) {
    for (const place of placesOf(rule.scope, facts, profile)) {
      const { reason, notes } = applicability(rule, place, facts, profile);
      const startsAt =
        'moment' in rule.start
          ? (facts.moments[rule.start.moment] ?? null)
          : (filings.get(clockKey(rule.start.afterFiling, place.jurisdiction)) ?? null);
      const due = startsAt
        ? dueInstant(rule.duration, startsAt, place.calendar, {
            cutoff: rule.cutoff,
            undueDelayTargetHours: profile.undueDelayTargetHours,
          })
        : undefined;
      specs.push({
        ruleId: rule.id,
        jurisdiction: place.jurisdiction,
        timeZone: place.calendar.zone,
        applicable: reason === null,
        reason,
        startsAt,
        dueAt: due?.due ?? null,
        notes: [...(rule.uncertain ?? []), ...(rule.notes ?? []), ...notes, ...(due?.notes ?? [])],
      });
    }
  }
  return specs;
}

export type ClockState = 'waiting' | 'open' | 'met' | 'missed' | 'not_applicable';

export interface ClockFacts {
  status: 'active' | 'filed' | 'waived';
  applicable: boolean;
  startsAt: Date | null;
  dueAt: Date | null;
  filedAt: Date | null;
}

export function clockState(clock: ClockFacts, now: Date): ClockState {
  if (clock.status === 'waived') return 'not_applicable';
  if (clock.status === 'filed') {
    return clock.dueAt && clock.filedAt && clock.filedAt > clock.dueAt ? 'missed' : 'met';
  }
  if (!clock.applicable) return 'not_applicable';
  if (!clock.startsAt || !clock.dueAt) return 'waiting';
  return now >= clock.dueAt ? 'missed' : 'open';
}

/** Seconds until the due instant (negative once past) while the clock runs; null otherwise. */
export function timeLeftSeconds(clock: ClockFacts, now: Date): number | null {
  const state = clockState(clock, now);
  if ((state !== 'open' && state !== 'missed') || clock.status !== 'active' || !clock.dueAt) return null;
  return Math.round((clock.dueAt.getTime() - now.getTime()) / 1000);
}

export const THRESHOLDS = ['50', '75', '90', 'missed'] as const;
export type Threshold = (typeof THRESHOLDS)[number];
const FRACTIONS: Record<Threshold, number> = { '50': 0.5, '75': 0.75, '90': 0.9, missed: 1 };

/** The warning thresholds a running clock has reached at `now`, in order. */
export function reachedThresholds(startsAt: Date, dueAt: Date, now: Date): Threshold[] {
  const span = dueAt.getTime() - startsAt.getTime();
  const elapsed = now.getTime() - startsAt.getTime();
  return THRESHOLDS.filter((t) =>
    t === 'missed' ? now >= dueAt : span <= 0 || elapsed >= span * FRACTIONS[t],
  );
}
