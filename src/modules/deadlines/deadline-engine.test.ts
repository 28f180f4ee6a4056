// One file, over 400 lines: its table of cases (one per rule and jurisdiction, each quoting its legal text) is the rules' specification, and the coverage test needs the whole table.
import { describe, expect, it } from 'vitest';
import { MOMENTS, type Moment } from '../incidents/incident-model.js';
import { calendarFor, isBusinessDay } from './deadline-calendar.js';
import {
  clockKey,
  clockState,
  evaluate,
  periodEnd,
  reachedThresholds,
  timeLeftSeconds,
  type IncidentFacts,
  type OrganizationProfile,
  type Reason,
} from './deadline-engine.js';
import { RULES, type DeadlineRule, type RuleId } from './deadline-rules.js';
import { catalogs, LOCALES } from '../../platform/i18n.js';
import { DateTime } from 'luxon';

const FACTS: IncidentFacts = {
  moments: {},
  dataCategories: ['contact_details'],
  jurisdictions: [],
  riskLevel: 'risk',
  significant: true,
};
const PROFILE: OrganizationProfile = {
  leadAuthority: null,
  secRegistrant: true,
  hipaaCovered: true,
  nis2Entity: true,
  czRegulated: true,
  establishedIn: [],
  undueDelayTargetHours: 72,
};

interface Case {
  name: string;
  /** The text of the rule the expected instant follows. */
  text: string;
  rule: RuleId;
  jurisdiction: string;
  facts: Partial<IncidentFacts>;
  profile?: Partial<OrganizationProfile>;
  filings?: Record<string, string>;
  /** The expected due instant; null while waiting for the start. */
  due?: string | null;
  /** Not applicable, for this reason. */
  reason?: Reason;
  zone?: string;
  notes?: string[];
}

const at = (iso: string) => new Date(iso);
const j = (code: string, affected: number | null = 100) => ({ code, affected });

const cases: Case[] = [
  // GDPR
  {
    name: 'authority: 72 hours after awareness',
    text: 'GDPR Art. 33(1): without undue delay and, where feasible, not later than 72 hours after having become aware of it',
    rule: 'gdpr_33_authority',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-06-13T08:15:00.000Z',
    zone: 'Europe/Prague',
  },
  {
    name: 'authority: 72 elapsed hours across the spring DST change (10:00 CET → 11:00 CEST)',
    text: 'GDPR Art. 33(1): not later than 72 hours after having become aware of it',
    rule: 'gdpr_33_authority',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-03-27T09:00:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-03-30T09:00:00.000Z',
  },
  {
    name: "authority: the lead authority's zone (DE) when the organization names it",
    text: 'GDPR Art. 56(1): the supervisory authority of the main establishment acts as lead supervisory authority',
    rule: 'gdpr_33_authority',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ'), j('SK')] },
    profile: { leadAuthority: 'DE' },
    due: '2026-06-13T08:15:00.000Z',
    zone: 'Europe/Berlin',
  },
  {
    name: 'authority: not required when unlikely to result in a risk',
    text: 'GDPR Art. 33(1): unless the personal data breach is unlikely to result in a risk to the rights and freedoms of natural persons',
    rule: 'gdpr_33_authority',
    jurisdiction: 'EU',
    facts: {
      moments: { aware: at('2026-06-10T08:15:00Z') },
      jurisdictions: [j('CZ')],
      riskLevel: 'unlikely',
    },
    reason: 'risk_unlikely',
  },
  {
    name: 'authority: no personal data, no personal data breach',
    text: "GDPR Art. 4(12): 'personal data breach' means a breach of security leading to … personal data",
    rule: 'gdpr_33_authority',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], dataCategories: [] },
    reason: 'no_personal_data',
  },
  {
    name: "data subjects: no outer bound, the organization's 72-hour target",
    text: 'GDPR Art. 34(1): the controller shall communicate the personal data breach to the data subject without undue delay',
    rule: 'gdpr_34_data_subjects',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], riskLevel: 'high' },
    due: '2026-06-13T08:15:00.000Z',
    notes: ['organization_target'],
  },
  {
    name: "data subjects: the organization's own target of 24 hours",
    text: 'GDPR Art. 34(1): without undue delay',
    rule: 'gdpr_34_data_subjects',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], riskLevel: 'high' },
    profile: { undueDelayTargetHours: 24 },
    due: '2026-06-11T08:15:00.000Z',
  },
  {
    name: 'data subjects: only when likely to result in a high risk',
    text: 'GDPR Art. 34(1): when the personal data breach is likely to result in a high risk to the rights and freedoms of natural persons',
    rule: 'gdpr_34_data_subjects',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], riskLevel: 'risk' },
    reason: 'not_high_risk',
  },
  {
    name: 'data subjects: a risk not yet assessed counts as high until it is',
    text: 'GDPR Art. 34(1) (Candor: an unassessed risk is assumed, with a note)',
    rule: 'gdpr_34_data_subjects',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], riskLevel: null },
    due: '2026-06-13T08:15:00.000Z',
    notes: ['risk_not_assessed', 'organization_target'],
  },
  // NIS2
  {
    name: 'early warning: 24 hours after awareness',
    text: 'NIS2 Art. 23(4)(a): without undue delay and in any event within 24 hours of becoming aware of the significant incident, an early warning',
    rule: 'nis2_early_warning',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-06-11T08:15:00.000Z',
  },
  {
    name: 'early warning: only for significant incidents',
    text: 'NIS2 Art. 23(1): any incident that has a significant impact on the provision of their services',
    rule: 'nis2_early_warning',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')], significant: false },
    reason: 'not_significant',
  },
  {
    name: 'early warning: only for essential and important entities',
    text: 'NIS2 Art. 23(1): Member States shall ensure that essential and important entities notify',
    rule: 'nis2_early_warning',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')] },
    profile: { nis2Entity: false },
    reason: 'not_nis2_entity',
  },
  {
    name: 'notification: 72 hours after awareness',
    text: 'NIS2 Art. 23(4)(b): without undue delay and in any event within 72 hours of becoming aware of the significant incident, an incident notification',
    rule: 'nis2_notification',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-06-13T08:15:00.000Z',
  },
  {
    name: 'final report: waits for the notification to be filed',
    text: 'NIS2 Art. 23(4)(d): a final report not later than one month after the submission of the incident notification',
    rule: 'nis2_final_report',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-06-10T08:15:00Z') }, jurisdictions: [j('CZ')] },
    due: null,
  },
  {
    name: 'final report: one month after the notification, from 31 January to 28 February',
    text: 'NIS2 Art. 23(4)(d): not later than one month after the submission of the incident notification',
    rule: 'nis2_final_report',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2027-01-29T08:00:00Z') }, jurisdictions: [j('CZ')] },
    filings: { 'nis2_notification|EU': '2027-01-31T10:00:00Z' },
    due: '2027-02-28T22:59:59.000Z',
  },
  {
    name: 'final report: from 31 January to 29 February in a leap year',
    text: 'NIS2 Art. 23(4)(d): one month after the submission of the incident notification',
    rule: 'nis2_final_report',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2028-01-29T08:00:00Z') }, jurisdictions: [j('CZ')] },
    filings: { 'nis2_notification|EU': '2028-01-31T10:00:00Z' },
    due: '2028-02-29T22:59:59.000Z',
  },
  {
    name: 'final report: a month ending after the autumn DST change ends in CET',
    text: 'NIS2 Art. 23(4)(d): one month after the submission of the incident notification',
    rule: 'nis2_final_report',
    jurisdiction: 'EU',
    facts: { moments: { aware: at('2026-10-02T08:00:00Z') }, jurisdictions: [j('CZ')] },
    filings: { 'nis2_notification|EU': '2026-10-05T10:00:00Z' },
    due: '2026-11-05T22:59:59.000Z',
  },
  // Czech Republic
  {
    name: 'initial report: 24 hours (⚠ one source says 72)',
    text: 'Act No. 264/2025 Coll.: report a cybersecurity incident to NÚKIB / CSIRT.CZ without undue delay, within 24 hours of becoming aware',
    rule: 'cz_264_initial_report',
    jurisdiction: 'CZ',
    facts: { moments: { aware: at('2026-11-20T16:00:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-11-21T16:00:00.000Z',
    zone: 'Europe/Prague',
    notes: ['cz_initial_period'],
  },
  {
    name: 'notification: 72 hours',
    text: 'Act No. 264/2025 Coll., transposing NIS2 Art. 23(4)(b): incident notification within 72 hours',
    rule: 'cz_264_notification',
    jurisdiction: 'CZ',
    facts: { moments: { aware: at('2026-11-20T16:00:00Z') }, jurisdictions: [j('CZ')] },
    due: '2026-11-23T16:00:00.000Z',
  },
  {
    name: 'final report: one month after the notification',
    text: 'Act No. 264/2025 Coll., transposing NIS2 Art. 23(4)(d): final report within one month of the notification',
    rule: 'cz_264_final_report',
    jurisdiction: 'CZ',
    facts: { moments: { aware: at('2026-11-20T16:00:00Z') }, jurisdictions: [j('CZ')] },
    filings: { 'cz_264_notification|CZ': '2026-11-22T09:00:00Z' },
    due: '2026-12-22T22:59:59.000Z',
  },
  {
    name: 'not for an organization outside the Act',
    text: 'Act No. 264/2025 Coll.: the reporting duty binds regulated service providers',
    rule: 'cz_264_initial_report',
    jurisdiction: 'CZ',
    facts: { moments: { aware: at('2026-11-20T16:00:00Z') }, jurisdictions: [j('CZ')] },
    profile: { czRegulated: false },
    reason: 'not_cz_regulated',
  },
  // SEC
  {
    name: '8-K: four business days, Thanksgiving skipped, 17:30 ET',
    text: 'Form 8-K Item 1.05 and General Instruction B.1: within four business days after the registrant determines the incident is material; Regulation S-T Rule 13(a)(2): filed after 5:30 p.m. ET is filed the next business day',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { materiality_determined: at('2026-11-25T15:00:00Z') } },
    due: '2026-12-02T22:30:00.000Z',
    zone: 'America/New_York',
  },
  {
    name: '8-K: a determination late on Monday evening ET (Tuesday in UTC) counts from Monday',
    text: 'Form 8-K General Instruction B.1: four business days after the occurrence of the event (the day in New York, where EDGAR keeps its hours)',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { materiality_determined: at('2026-03-03T01:00:00Z') } },
    due: '2026-03-06T22:30:00.000Z',
  },
  {
    name: '8-K: across the US DST change, 17:30 EDT',
    text: 'Form 8-K General Instruction B.1; Regulation S-T Rule 13(a)(2): 5:30 p.m. Eastern time',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { materiality_determined: at('2026-03-04T15:00:00Z') } },
    due: '2026-03-10T21:30:00.000Z',
  },
  {
    name: '8-K: a Saturday determination starts on Monday; the Independence Day holiday (observed Friday 3 July) skipped',
    text: 'Form 8-K General Instruction B.1: if the event occurs on a Saturday, Sunday or holiday on which the Commission is not open for business then the four business day period shall begin to run on, and include, the first business day thereafter',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { materiality_determined: at('2026-06-27T15:00:00Z') } },
    due: '2026-07-02T21:30:00.000Z',
  },
  {
    name: '8-K: waits for the materiality determination',
    text: 'Form 8-K Item 1.05: after the registrant determines that it has experienced a material cybersecurity incident',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { aware: at('2026-11-25T15:00:00Z') } },
    due: null,
  },
  {
    name: '8-K: only for registrants',
    text: 'Form 8-K: current report of registrants under the Securities Exchange Act of 1934',
    rule: 'sec_8k_item_105',
    jurisdiction: 'US',
    facts: { moments: { materiality_determined: at('2026-11-25T15:00:00Z') } },
    profile: { secRegistrant: false },
    reason: 'not_sec_registrant',
  },
  // HIPAA
  {
    name: 'individuals: 60 calendar days after discovery',
    text: '45 CFR 164.404(b): without unreasonable delay and in no case later than 60 calendar days after discovery of a breach',
    rule: 'hipaa_individuals',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 600)],
      dataCategories: ['health'],
    },
    due: '2026-07-10T03:59:59.000Z',
  },
  {
    name: 'individuals: only for health data',
    text: '45 CFR 164.402: breach of unsecured protected health information',
    rule: 'hipaa_individuals',
    jurisdiction: 'US',
    facts: { moments: { aware: at('2026-05-10T14:00:00Z') }, jurisdictions: [j('US-NY', 600)] },
    reason: 'data_category',
  },
  {
    name: 'HHS: 499 people, just below 500: not with the individuals',
    text: '45 CFR 164.408(b): for breaches involving 500 or more individuals, contemporaneously with the notice to individuals',
    rule: 'hipaa_hhs_500',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 300), j('US-CA', 199)],
      dataCategories: ['health'],
    },
    reason: 'threshold_not_met',
  },
  {
    name: 'HHS: 500 people, at the threshold: 60 days',
    text: '45 CFR 164.408(b): breaches involving 500 or more individuals',
    rule: 'hipaa_hhs_500',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 300), j('US-CA', 200)],
      dataCategories: ['health'],
    },
    due: '2026-07-10T03:59:59.000Z',
  },
  {
    name: 'HHS: 501 people, above the threshold: 60 days',
    text: '45 CFR 164.408(b): breaches involving 500 or more individuals',
    rule: 'hipaa_hhs_500',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 301), j('US-CA', 200)],
      dataCategories: ['health'],
    },
    due: '2026-07-10T03:59:59.000Z',
  },
  {
    name: 'HHS annual log: 499 people, 60 days after the end of the year',
    text: '45 CFR 164.408(c): for breaches involving less than 500 individuals, not later than 60 days after the end of each calendar year',
    rule: 'hipaa_hhs_annual',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 499)],
      dataCategories: ['health'],
    },
    due: '2027-03-02T04:59:59.000Z',
  },
  {
    name: 'HHS annual log: 500 people are not "less than 500"',
    text: '45 CFR 164.408(c): breaches involving less than 500 individuals',
    rule: 'hipaa_hhs_annual',
    jurisdiction: 'US',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 500)],
      dataCategories: ['health'],
    },
    reason: 'threshold_not_met',
  },
  {
    name: 'media: 500 residents of a state, not more than 500',
    text: '45 CFR 164.406(a): a breach involving more than 500 residents of a State or jurisdiction',
    rule: 'hipaa_media',
    jurisdiction: 'US-NY',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 500), j('US-CA', 900)],
      dataCategories: ['health'],
    },
    reason: 'threshold_not_met',
  },
  {
    name: 'media: 501 residents of a state, 60 days, in the state’s zone',
    text: '45 CFR 164.406(a), (b): more than 500 residents of a State; in no case later than 60 calendar days after discovery',
    rule: 'hipaa_media',
    jurisdiction: 'US-CA',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-NY', 500), j('US-CA', 501)],
      dataCategories: ['health'],
    },
    due: '2026-07-10T06:59:59.000Z',
    zone: 'America/Los_Angeles',
  },
  {
    name: 'media: an unknown number counts as more than 500, with a note',
    text: '45 CFR 164.406(a) (Candor: an unknown count meets a "more than" threshold)',
    rule: 'hipaa_media',
    jurisdiction: 'US-CA',
    facts: {
      moments: { aware: at('2026-05-10T14:00:00Z') },
      jurisdictions: [j('US-CA', null)],
      dataCategories: ['health'],
    },
    due: '2026-07-10T06:59:59.000Z',
    notes: ['count_unknown'],
  },
  // California
  {
    name: 'residents: 30 calendar days from discovery, Pacific time',
    text: 'Cal. Civ. Code §1798.82(a) (SB 446): within 30 calendar days of discovery or notification of the data breach',
    rule: 'ca_residents',
    jurisdiction: 'US-CA',
    facts: { moments: { aware: at('2026-02-01T18:00:00Z') }, jurisdictions: [j('US-CA', 20)] },
    due: '2026-03-04T07:59:59.000Z',
    zone: 'America/Los_Angeles',
  },
  {
    name: 'residents: none of the state’s residents affected, counted or estimated',
    text: 'Cal. Civ. Code §1798.82(a): disclose a breach … to a resident of California (Candor: no resident, no clock)',
    rule: 'ca_residents',
    jurisdiction: 'US-CA',
    facts: { moments: { aware: at('2026-02-01T18:00:00Z') }, jurisdictions: [j('US-CA', 0)] },
    reason: 'no_residents_affected',
  },
  {
    name: 'Attorney General: 15 days after the residents’ notice, 501 residents',
    text: 'Cal. Civ. Code §1798.82(f) (SB 446): more than 500 California residents … within 15 calendar days of notifying affected consumers',
    rule: 'ca_attorney_general',
    jurisdiction: 'US-CA',
    facts: { moments: { aware: at('2026-02-01T18:00:00Z') }, jurisdictions: [j('US-CA', 501)] },
    filings: { 'ca_residents|US-CA': '2026-02-20T17:00:00Z' },
    due: '2026-03-08T07:59:59.000Z',
  },
  {
    name: 'Attorney General: 500 residents are not more than 500',
    text: 'Cal. Civ. Code §1798.82(f): more than 500 California residents',
    rule: 'ca_attorney_general',
    jurisdiction: 'US-CA',
    facts: { moments: { aware: at('2026-02-01T18:00:00Z') }, jurisdictions: [j('US-CA', 500)] },
    reason: 'threshold_not_met',
  },
  // New York
  {
    name: 'residents: 30 days from discovery',
    text: 'N.Y. GBL §899-aa(2): in the most expedient time possible … within thirty days after the breach has been discovered',
    rule: 'ny_residents',
    jurisdiction: 'US-NY',
    facts: { moments: { aware: at('2026-08-03T13:00:00Z') }, jurisdictions: [j('US-NY')] },
    due: '2026-09-03T03:59:59.000Z',
  },
  {
    name: 'AG, Department of State, State Police: with the residents’ notice',
    text: 'N.Y. GBL §899-aa(8)(a): in the event any New York residents are to be notified, the business shall notify the attorney general, the department of state and the division of state police',
    rule: 'ny_regulators',
    jurisdiction: 'US-NY',
    facts: { moments: { aware: at('2026-08-03T13:00:00Z') }, jurisdictions: [j('US-NY')] },
    due: '2026-09-03T03:59:59.000Z',
    notes: ['ny_regulators_timing'],
  },
  // Texas
  {
    name: 'individuals: 60 days after the determination, Central time',
    text: 'Tex. Bus. & Com. Code §521.053(b): not later than the 60th day after the date on which the person determines that the breach occurred',
    rule: 'tx_individuals',
    jurisdiction: 'US-TX',
    facts: {
      moments: { aware: at('2026-08-20T15:00:00Z'), breach_determined: at('2026-09-01T15:00:00Z') },
      jurisdictions: [j('US-TX', 10)],
    },
    due: '2026-11-01T04:59:59.000Z',
    zone: 'America/Chicago',
  },
  {
    name: 'Attorney General: 249 Texans, just below 250',
    text: 'Tex. Bus. & Com. Code §521.053(i): a breach involving at least 250 residents of this state',
    rule: 'tx_attorney_general',
    jurisdiction: 'US-TX',
    facts: { moments: { breach_determined: at('2026-09-01T15:00:00Z') }, jurisdictions: [j('US-TX', 249)] },
    reason: 'threshold_not_met',
  },
  {
    name: 'Attorney General: 250 Texans, at the threshold: 30 days',
    text: 'Tex. Bus. & Com. Code §521.053(i): at least 250 residents … not later than the 30th day after the date on which the person determines that the breach occurred',
    rule: 'tx_attorney_general',
    jurisdiction: 'US-TX',
    facts: { moments: { breach_determined: at('2026-09-01T15:00:00Z') }, jurisdictions: [j('US-TX', 250)] },
    due: '2026-10-02T04:59:59.000Z',
  },
  {
    name: 'Attorney General: 251 Texans, above the threshold',
    text: 'Tex. Bus. & Com. Code §521.053(i): at least 250 residents of this state',
    rule: 'tx_attorney_general',
    jurisdiction: 'US-TX',
    facts: { moments: { breach_determined: at('2026-09-01T15:00:00Z') }, jurisdictions: [j('US-TX', 251)] },
    due: '2026-10-02T04:59:59.000Z',
  },
  // Florida
  {
    name: 'individuals: 30 days after the determination, across the autumn DST change',
    text: 'Fla. Stat. §501.171(4)(a): no later than 30 days after the determination of a breach or reason to believe a breach occurred',
    rule: 'fl_individuals',
    jurisdiction: 'US-FL',
    facts: { moments: { breach_determined: at('2026-10-20T12:00:00Z') }, jurisdictions: [j('US-FL', 10)] },
    due: '2026-11-20T04:59:59.000Z',
    notes: ['fl_extension'],
  },
  {
    name: 'Department of Legal Affairs: 499 Floridians, below 500',
    text: 'Fla. Stat. §501.171(3)(a): a breach of security affecting 500 or more individuals in this state',
    rule: 'fl_legal_affairs',
    jurisdiction: 'US-FL',
    facts: { moments: { breach_determined: at('2026-10-20T12:00:00Z') }, jurisdictions: [j('US-FL', 499)] },
    reason: 'threshold_not_met',
  },
  {
    name: 'Department of Legal Affairs: 500 Floridians: 30 days',
    text: 'Fla. Stat. §501.171(3)(a): 500 or more individuals … no later than 30 days after the determination of the breach',
    rule: 'fl_legal_affairs',
    jurisdiction: 'US-FL',
    facts: { moments: { breach_determined: at('2026-10-20T12:00:00Z') }, jurisdictions: [j('US-FL', 500)] },
    due: '2026-11-20T04:59:59.000Z',
  },
  // Saudi Arabia
  {
    name: 'SDAIA: 72 hours after awareness',
    text: 'Saudi PDPL Implementing Regulation; SDAIA breach guide: notify SDAIA within 72 hours of becoming aware of the incident',
    rule: 'sa_sdaia',
    jurisdiction: 'SA',
    facts: { moments: { aware: at('2026-03-18T20:00:00Z') }, jurisdictions: [j('SA')] },
    due: '2026-03-21T20:00:00.000Z',
    zone: 'Asia/Riyadh',
    notes: ['sa_article_numbers'],
  },
  {
    name: "data subjects: without undue delay, the organization's target",
    text: 'Saudi PDPL Implementing Regulation: notify the data subject without undue delay if the breach may cause harm',
    rule: 'sa_data_subjects',
    jurisdiction: 'SA',
    facts: { moments: { aware: at('2026-03-18T20:00:00Z') }, jurisdictions: [j('SA')] },
    profile: { undueDelayTargetHours: 48 },
    due: '2026-03-20T20:00:00.000Z',
  },
  // Egypt
  {
    name: 'Personal Data Protection Center: 72 hours',
    text: 'Egypt Law No. 151 of 2020, Art. 7: notify the Center of the breach within seventy-two hours of becoming aware of it',
    rule: 'eg_pdpc',
    jurisdiction: 'EG',
    facts: { moments: { aware: at('2026-01-20T08:00:00Z') }, jurisdictions: [j('EG')] },
    due: '2026-01-23T08:00:00.000Z',
    zone: 'Africa/Cairo',
  },
  {
    name: 'data subjects: 3 working days after notifying the Center, Friday–Saturday weekend and Police Day skipped',
    text: 'Egypt Law No. 151 of 2020, Art. 7: notify the data subject within three working days of notifying the Center',
    rule: 'eg_data_subjects',
    jurisdiction: 'EG',
    facts: { moments: { aware: at('2026-01-20T08:00:00Z') }, jurisdictions: [j('EG')] },
    filings: { 'eg_pdpc|EG': '2026-01-21T10:00:00Z' },
    due: '2026-01-27T21:59:59.000Z',
    notes: ['eg_subjects_period', 'islamic_holidays_predicted'],
  },
  // Qatar
  {
    name: 'competent department: 72 hours when serious damage may follow',
    text: 'Qatar Law No. 13 of 2016, Art. 14: notify the competent department of any breach … if it may cause serious damage (72 hours per guidance)',
    rule: 'qa_authority',
    jurisdiction: 'QA',
    facts: { moments: { aware: at('2026-04-01T06:00:00Z') }, jurisdictions: [j('QA')], riskLevel: 'high' },
    due: '2026-04-04T06:00:00.000Z',
    zone: 'Asia/Qatar',
    notes: ['qa_period'],
  },
  {
    name: 'competent department: not without serious damage',
    text: 'Qatar Law No. 13 of 2016, Art. 14: if the breach may cause serious damage',
    rule: 'qa_authority',
    jurisdiction: 'QA',
    facts: { moments: { aware: at('2026-04-01T06:00:00Z') }, jurisdictions: [j('QA')], riskLevel: 'risk' },
    reason: 'not_high_risk',
  },
  {
    name: 'affected individuals: without undue delay',
    text: 'Qatar Law No. 13 of 2016, Art. 14: notify the affected individuals',
    rule: 'qa_data_subjects',
    jurisdiction: 'QA',
    facts: { moments: { aware: at('2026-04-01T06:00:00Z') }, jurisdictions: [j('QA')], riskLevel: 'high' },
    due: '2026-04-04T06:00:00.000Z',
  },
  // United Arab Emirates: the federal law, and the DIFC and ADGM free zones' own laws
  {
    name: "Data Office: immediately upon awareness, the organization's target (no Executive Regulations)",
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 9(1): the controller shall, immediately upon becoming aware of any breach … that would prejudice the privacy, confidentiality and security of the data, report it to the Data Office within the period … set by the Executive Regulations',
    rule: 'ae_data_office',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')] },
    due: '2026-05-07T09:00:00.000Z',
    zone: 'Asia/Dubai',
    notes: ['ae_executive_regulations', 'ae_exclusions', 'organization_target'],
  },
  {
    name: "Data Office: residents counted by emirate (AE-DU) concern the UAE; the organization's 24-hour target",
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 2(1): applies to the processing of personal data of data subjects who reside in the State',
    rule: 'ae_data_office',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE-DU', 40), j('AE-AZ', 2)] },
    profile: { undueDelayTargetHours: 24 },
    due: '2026-05-05T09:00:00.000Z',
  },
  {
    name: 'Data Office: not when the breach would not prejudice privacy, confidentiality or security',
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 9(1): any breach … that would prejudice the privacy, confidentiality and security of the data',
    rule: 'ae_data_office',
    jurisdiction: 'AE',
    facts: {
      moments: { aware: at('2026-05-04T09:00:00Z') },
      jurisdictions: [j('AE')],
      riskLevel: 'unlikely',
    },
    reason: 'risk_unlikely',
  },
  {
    name: 'Data Office: not for an organization established in the DIFC',
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 2(2): does not apply to … companies and establishments in the free zones that have their own legislation on the protection of personal data',
    rule: 'ae_data_office',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')] },
    profile: { establishedIn: ['AE-DIFC'] },
    reason: 'ae_free_zone_law',
  },
  {
    name: 'Data Office: not for an organization established in the ADGM',
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 2(2): the free zones that have their own legislation on the protection of personal data',
    rule: 'ae_data_office',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')] },
    profile: { establishedIn: ['AE-ADGM'] },
    reason: 'ae_free_zone_law',
  },
  {
    name: "data subjects: immediately, the organization's target",
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 9(2): the controller shall notify the data subject where the breach would prejudice the privacy, confidentiality and security of his personal data, and of the procedures taken',
    rule: 'ae_data_subjects',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')] },
    due: '2026-05-07T09:00:00.000Z',
    notes: ['ae_executive_regulations', 'organization_target'],
  },
  {
    name: 'data subjects: not for an organization established in the DIFC',
    text: 'UAE Federal Decree-Law No. 45 of 2021, Art. 2(2): the free zones that have their own legislation on the protection of personal data',
    rule: 'ae_data_subjects',
    jurisdiction: 'AE',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')] },
    profile: { establishedIn: ['AE-DIFC'] },
    reason: 'ae_free_zone_law',
  },
  {
    name: "DIFC Commissioner: as soon as practicable, the organization's target, in Dubai's zone",
    text: "DIFC Data Protection Law No. 5 of 2020, Art. 41(1): if there is a personal data breach that compromises a data subject's confidentiality, security or privacy, the controller shall, as soon as practicable in the circumstances, notify the Commissioner",
    rule: 'difc_commissioner',
    jurisdiction: 'AE-DIFC',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE-DU')] },
    profile: { establishedIn: ['AE-DIFC'] },
    due: '2026-05-07T09:00:00.000Z',
    zone: 'Asia/Dubai',
    notes: ['difc_period', 'ae_free_zones', 'organization_target'],
  },
  {
    name: 'DIFC Commissioner: the law follows the DIFC controller, wherever the people are',
    text: 'DIFC Data Protection Law No. 5 of 2020, Art. 6: applies to the processing of personal data by a controller or processor incorporated in the DIFC, regardless of whether the processing takes place in the DIFC',
    rule: 'difc_commissioner',
    jurisdiction: 'AE-DIFC',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('CZ')] },
    profile: { establishedIn: ['AE-DIFC'], undueDelayTargetHours: 12 },
    due: '2026-05-04T21:00:00.000Z',
  },
  {
    name: 'DIFC Commissioner: not when the breach is unlikely to compromise confidentiality, security or privacy',
    text: "DIFC Data Protection Law No. 5 of 2020, Art. 41(1): a personal data breach that compromises a data subject's confidentiality, security or privacy",
    rule: 'difc_commissioner',
    jurisdiction: 'AE-DIFC',
    facts: {
      moments: { aware: at('2026-05-04T09:00:00Z') },
      jurisdictions: [j('AE')],
      riskLevel: 'unlikely',
    },
    profile: { establishedIn: ['AE-DIFC'] },
    reason: 'risk_unlikely',
  },
  {
    name: 'DIFC data subjects: as soon as practicable, at high risk',
    text: 'DIFC Data Protection Law No. 5 of 2020, Art. 42(1): where a personal data breach is likely to result in a high risk to the security or rights of a data subject, the controller shall communicate it to the affected data subjects as soon as practicable in the circumstances',
    rule: 'difc_data_subjects',
    jurisdiction: 'AE-DIFC',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')], riskLevel: 'high' },
    profile: { establishedIn: ['AE-DIFC'] },
    due: '2026-05-07T09:00:00.000Z',
    notes: ['difc_period'],
  },
  {
    name: 'DIFC data subjects: not below high risk',
    text: 'DIFC Data Protection Law No. 5 of 2020, Art. 42(1): likely to result in a high risk to the security or rights of a data subject',
    rule: 'difc_data_subjects',
    jurisdiction: 'AE-DIFC',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')], riskLevel: 'risk' },
    profile: { establishedIn: ['AE-DIFC'] },
    reason: 'not_high_risk',
  },
  {
    name: 'ADGM Commissioner: not later than 72 hours after awareness',
    text: 'ADGM Data Protection Regulations 2021, s. 32(1): without undue delay and, where feasible, not later than 72 hours after having become aware of it, notify the Commissioner of Data Protection',
    rule: 'adgm_commissioner',
    jurisdiction: 'AE-ADGM',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE-AZ')] },
    profile: { establishedIn: ['AE-ADGM'] },
    due: '2026-05-07T09:00:00.000Z',
    zone: 'Asia/Dubai',
    notes: ['adgm_late_reasons', 'ae_free_zones'],
  },
  {
    name: 'ADGM Commissioner: not when unlikely to result in a risk',
    text: 'ADGM Data Protection Regulations 2021, s. 32(1): unless the personal data breach is unlikely to result in a risk to the rights of natural persons',
    rule: 'adgm_commissioner',
    jurisdiction: 'AE-ADGM',
    facts: {
      moments: { aware: at('2026-05-04T09:00:00Z') },
      jurisdictions: [j('AE')],
      riskLevel: 'unlikely',
    },
    profile: { establishedIn: ['AE-ADGM'] },
    reason: 'risk_unlikely',
  },
  {
    name: "ADGM data subjects: without undue delay at high risk, the organization's target",
    text: 'ADGM Data Protection Regulations 2021, s. 33(1): when the personal data breach is likely to result in a high risk to the rights of natural persons, communicate it to the data subject without undue delay',
    rule: 'adgm_data_subjects',
    jurisdiction: 'AE-ADGM',
    facts: { moments: { aware: at('2026-05-04T09:00:00Z') }, jurisdictions: [j('AE')], riskLevel: 'high' },
    profile: { establishedIn: ['AE-ADGM'], undueDelayTargetHours: 48 },
    due: '2026-05-06T09:00:00.000Z',
    notes: ['adgm_subjects_section', 'organization_target'],
  },
  // PCI DSS / Visa
  {
    name: 'Visa: 3 business days after detection, Christmas skipped',
    text: 'Visa What To Do If Compromised: notify Visa immediately and within three business days of the suspected or confirmed compromise',
    rule: 'pci_visa',
    jurisdiction: 'US',
    facts: { moments: { detected: at('2026-12-23T15:00:00Z') }, dataCategories: ['payment_card'] },
    due: '2026-12-30T04:59:59.000Z',
    notes: ['visa_period'],
  },
  {
    name: 'Visa: only for payment card data',
    text: 'PCI DSS v4.0.1 Req. 12.10.1: incident response for the cardholder data environment',
    rule: 'pci_visa',
    jurisdiction: 'US',
    facts: { moments: { detected: at('2026-12-23T15:00:00Z') } },
    reason: 'data_category',
  },
];

function run(c: Case) {
  const specs = evaluate(
    { ...FACTS, ...c.facts },
    { ...PROFILE, ...c.profile },
    new Map(Object.entries(c.filings ?? {}).map(([k, v]) => [k, new Date(v)])),
  );
  return specs.find((s) => s.ruleId === c.rule && s.jurisdiction === c.jurisdiction);
}

describe('deadline rules: due instants from the table of cases', () => {
  it('the table covers every shipped rule', () => {
    const covered = new Set(cases.filter((c) => c.due).map((c) => c.rule));
    expect(RULES.filter((r) => !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it.each(cases)('$rule ($jurisdiction) — $name [$text]', (c) => {
    const spec = run(c);
    expect(spec, 'the rule is in scope').toBeDefined();
    if (c.reason) {
      expect(spec).toMatchObject({ applicable: false, reason: c.reason });
      return;
    }
    expect(spec!.applicable, String(spec!.reason)).toBe(true);
    expect(spec!.dueAt?.toISOString() ?? null).toBe(c.due);
    if (c.zone) expect(spec!.timeZone).toBe(c.zone);
    for (const note of c.notes ?? []) expect(spec!.notes).toContain(note);
  });

  it('a rule is only in scope where its jurisdiction is concerned', () => {
    const specs = evaluate({ ...FACTS, jurisdictions: [j('CZ')] }, PROFILE);
    const ids = new Set(specs.map((s) => s.ruleId));
    expect(ids.has('gdpr_33_authority')).toBe(true);
    expect(ids.has('cz_264_initial_report')).toBe(true);
    expect(ids.has('ca_residents')).toBe(false);
    expect(ids.has('sa_sdaia')).toBe(false);
    expect(ids.has('hipaa_individuals')).toBe(false);
    // Securities law and card-brand rules follow the organization, not the place.
    expect(ids.has('sec_8k_item_105')).toBe(true);
    expect(ids.has('pci_visa')).toBe(true);
  });
});

describe('United Arab Emirates: the federal law or a free zone’s own', () => {
  // High risk: every notification these laws know is due, the data subjects' ones included.
  const incident: IncidentFacts = {
    ...FACTS,
    moments: { aware: at('2026-05-04T09:00:00Z') },
    jurisdictions: [j('AE-DU')],
    riskLevel: 'high',
  };
  const clocks = (establishedIn: OrganizationProfile['establishedIn']) =>
    evaluate(incident, { ...PROFILE, establishedIn }).filter((s) => /^(ae|difc|adgm)_/.test(s.ruleId));
  const summary = (specs: ReturnType<typeof clocks>) =>
    specs.map((s) => `${s.ruleId} ${s.jurisdiction} ${s.applicable ? 'applies' : s.reason}`).sort();

  it('UAE residents affected start the federal clocks, and no free-zone clock, for an organization on the mainland', () => {
    expect(summary(clocks([]))).toEqual(['ae_data_office AE applies', 'ae_data_subjects AE applies']);
  });

  it('a DIFC organization gets the DIFC clocks; the federal law excludes it (Art. 2(2)), so its clocks show why', () => {
    expect(summary(clocks(['AE-DIFC']))).toEqual([
      'ae_data_office AE ae_free_zone_law',
      'ae_data_subjects AE ae_free_zone_law',
      'difc_commissioner AE-DIFC applies',
      'difc_data_subjects AE-DIFC applies',
    ]);
  });

  it('an ADGM organization gets the ADGM clocks, the 72-hour one in Dubai’s zone', () => {
    const specs = clocks(['AE-ADGM']);
    expect(summary(specs)).toEqual([
      'adgm_commissioner AE-ADGM applies',
      'adgm_data_subjects AE-ADGM applies',
      'ae_data_office AE ae_free_zone_law',
      'ae_data_subjects AE ae_free_zone_law',
    ]);
    expect(specs.find((s) => s.ruleId === 'adgm_commissioner')).toMatchObject({
      timeZone: 'Asia/Dubai',
      dueAt: at('2026-05-07T09:00:00Z'),
    });
  });

  it('no UAE clock for an incident that concerns neither the UAE nor a free-zone organization', () => {
    const specs = evaluate({ ...incident, jurisdictions: [j('SA')] }, PROFILE);
    expect(specs.filter((s) => /^(ae|difc|adgm)_/.test(s.ruleId))).toEqual([]);
  });

  it('each UAE rule names its law and article, and the uncertain ones say so', () => {
    const rule = (id: RuleId) => RULES.find((r) => r.id === id)!;
    expect(rule('ae_data_office').citation).toBe(
      'UAE Federal Decree-Law No. 45 of 2021 on the Protection of Personal Data, Art. 9(1)',
    );
    expect(rule('ae_data_subjects').citation).toMatch(/Decree-Law No\. 45 of 2021 .*Art\. 9\(2\)$/);
    expect(rule('difc_commissioner').citation).toBe(
      'DIFC Data Protection Law, DIFC Law No. 5 of 2020, Art. 41',
    );
    expect(rule('difc_data_subjects').citation).toMatch(/DIFC Law No\. 5 of 2020, Art\. 42$/);
    expect(rule('adgm_commissioner').citation).toBe('ADGM Data Protection Regulations 2021, s. 32');
    // The federal period awaits Executive Regulations not issued as of our sources; the DIFC law names no hours.
    expect(rule('ae_data_office').uncertain).toEqual(['ae_executive_regulations']);
    expect(rule('ae_data_subjects').uncertain).toEqual(['ae_executive_regulations']);
    expect(rule('difc_commissioner').uncertain).toEqual(['difc_period']);
    expect(rule('ae_data_office').notes).toContain('ae_exclusions');
    for (const id of [
      'ae_data_office',
      'ae_data_subjects',
      'difc_commissioner',
      'difc_data_subjects',
    ] as const) {
      expect(rule(id).duration, id).toEqual({ kind: 'undue_delay' });
    }
  });

  it('every rule’s title, parties, contents and notes, and the free-zone reason, read in en, cs and ar', () => {
    const keys = RULES.flatMap((r) => [
      `deadline.rule.${r.id}`,
      `deadline.party.${r.notifier}`,
      `deadline.party.${r.recipient}`,
      ...r.contents.map((c) => `deadline.content.${c}`),
      ...[...(r.uncertain ?? []), ...(r.notes ?? [])].map((n) => `deadline.note.${n}`),
    ]);
    keys.push('deadline.reason.ae_free_zone_law');
    for (const locale of LOCALES) {
      expect(
        keys.filter((k) => !catalogs[locale][k]),
        locale,
      ).toEqual([]);
    }
  });
});

describe('starting moments', () => {
  // "Each rule starts its clock from its own moment, so keep every moment as its own timestamp."
  const moments = Object.fromEntries(
    MOMENTS.map((m, i) => [m, new Date(Date.UTC(2026, 5, 1 + i, 9, 0, 0))]),
  ) as Record<Moment, Date>;
  const ruleFrom = (moment: Moment): DeadlineRule => ({
    id: 'gdpr_33_authority',
    regime: 'gdpr',
    citation: 'test',
    notifier: 'controller',
    recipient: 'supervisory_authority',
    start: { moment },
    duration: { kind: 'hours', hours: 24 },
    scope: { kind: 'country', country: 'CZ' },
    conditions: {},
    contents: [],
  });

  it.each(MOMENTS)('a clock that starts from %s starts from that moment and no other', (moment) => {
    const [spec] = evaluate({ ...FACTS, moments, jurisdictions: [j('CZ')] }, PROFILE, new Map(), [
      ruleFrom(moment),
    ]);
    expect(spec!.startsAt).toEqual(moments[moment]);
    expect(spec!.dueAt).toEqual(new Date(moments[moment].getTime() + 24 * 3_600_000));
  });

  it('a clock that starts from another clock’s filing starts when that one is filed', () => {
    const filed = new Date('2026-06-20T12:00:00Z');
    const spec = evaluate(
      { ...FACTS, moments, jurisdictions: [j('CZ')] },
      PROFILE,
      new Map([[clockKey('nis2_notification', 'EU'), filed]]),
    ).find((s) => s.ruleId === 'nis2_final_report');
    expect(spec!.startsAt).toEqual(filed);
  });
});

describe('business days', () => {
  const cases = [
    {
      name: 'CZ: Thursday before Easter + 3 business days skips Good Friday, the weekend and Easter Monday',
      text: 'Czech Act No. 245/2000 Coll.: Good Friday and Easter Monday are public holidays; Saturday and Sunday are rest days',
      calendar: 'CZ',
      start: '2026-04-02T08:00:00Z',
      days: 3,
      due: '2026-04-09T21:59:59.000Z',
    },
    {
      name: 'CZ: Friday + 1 business day is Monday',
      text: 'Czech Labour Code: Saturday and Sunday are the weekly rest',
      calendar: 'CZ',
      start: '2026-06-12T08:00:00Z',
      days: 1,
      due: '2026-06-15T21:59:59.000Z',
    },
    {
      name: 'CZ: around Christmas Eve, Christmas and St Stephen’s Day',
      text: 'Czech Act No. 245/2000 Coll.: 24, 25 and 26 December are public holidays',
      calendar: 'CZ',
      start: '2026-12-22T08:00:00Z',
      days: 2,
      due: '2026-12-28T22:59:59.000Z',
    },
    {
      name: 'US: Wednesday before Thanksgiving + 2 business days',
      text: '5 U.S.C. 6103: Thanksgiving Day, the fourth Thursday in November, is a legal public holiday',
      calendar: 'US',
      start: '2026-11-25T15:00:00Z',
      days: 2,
      due: '2026-12-01T04:59:59.000Z',
    },
    {
      name: 'US: Juneteenth (Friday 19 June 2026) skipped',
      text: '5 U.S.C. 6103: Juneteenth National Independence Day, June 19',
      calendar: 'US',
      start: '2026-06-18T15:00:00Z',
      days: 1,
      due: '2026-06-23T03:59:59.000Z',
    },
    {
      name: 'SA: Friday–Saturday weekend and the (predicted) Eid al-Fitr holiday skipped',
      text: 'Saudi Labor Law: Friday is the weekly rest day (Saturday for government and most businesses); Eid al-Fitr is a public holiday',
      calendar: 'SA',
      start: '2026-03-17T08:00:00Z',
      days: 3,
      due: '2026-03-24T20:59:59.000Z',
    },
    {
      name: 'SA: Thursday + 1 business day is Sunday',
      text: 'Saudi Arabia: the working week runs Sunday to Thursday',
      calendar: 'SA',
      start: '2026-10-08T08:00:00Z',
      days: 1,
      due: '2026-10-11T20:59:59.000Z',
    },
  ];

  it.each(cases)('$name [$text]', (c) => {
    const { due } = periodEnd(
      { kind: 'business_days', days: c.days },
      new Date(c.start),
      calendarFor(c.calendar),
    );
    expect(due.toISOString()).toBe(c.due);
  });

  it('Saudi and Egyptian calendars say their Islamic holidays are predictions; Qatar says it has no holiday data', () => {
    const sa = periodEnd(
      { kind: 'business_days', days: 1 },
      new Date('2026-10-08T08:00:00Z'),
      calendarFor('SA'),
    );
    expect(sa.notes).toContain('islamic_holidays_predicted');
    const qa = periodEnd(
      { kind: 'business_days', days: 1 },
      new Date('2026-10-08T08:00:00Z'),
      calendarFor('QA'),
    );
    expect(qa.notes).toContain('no_holiday_data');
    expect(calendarFor('QA').weekend).toEqual([5, 6]);
    const cz = periodEnd(
      { kind: 'business_days', days: 1 },
      new Date('2026-10-08T08:00:00Z'),
      calendarFor('CZ'),
    );
    expect(cz.notes).toEqual([]);
  });

  it('weekends: Saturday–Sunday in CZ and the US, Friday–Saturday in SA, EG and QA', () => {
    const friday = DateTime.fromISO('2026-06-12T12:00:00', { zone: 'UTC' });
    const sunday = friday.plus({ days: 2 });
    for (const code of ['CZ', 'US', 'US-CA']) {
      expect(isBusinessDay(calendarFor(code), friday), code).toBe(true);
      expect(isBusinessDay(calendarFor(code), sunday), code).toBe(false);
    }
    for (const code of ['SA', 'EG', 'QA']) {
      expect(isBusinessDay(calendarFor(code), friday), code).toBe(false);
      expect(isBusinessDay(calendarFor(code), sunday), code).toBe(true);
    }
  });
});

describe('clock state, time left and warning thresholds', () => {
  const startsAt = new Date('2026-06-10T00:00:00Z');
  const dueAt = new Date('2026-06-10T10:00:00Z');
  const clock = { status: 'active' as const, applicable: true, startsAt, dueAt, filedAt: null };

  it('open with time left, then missed', () => {
    expect(clockState(clock, new Date('2026-06-10T09:00:00Z'))).toBe('open');
    expect(timeLeftSeconds(clock, new Date('2026-06-10T09:00:00Z'))).toBe(3600);
    expect(clockState(clock, dueAt)).toBe('missed');
    expect(timeLeftSeconds(clock, new Date('2026-06-10T11:00:00Z'))).toBe(-3600);
  });

  it('met when filed on time, missed when filed late, not applicable when waived or out of its conditions', () => {
    expect(clockState({ ...clock, status: 'filed', filedAt: new Date('2026-06-10T09:59:59Z') }, dueAt)).toBe(
      'met',
    );
    expect(clockState({ ...clock, status: 'filed', filedAt: new Date('2026-06-10T10:00:01Z') }, dueAt)).toBe(
      'missed',
    );
    expect(timeLeftSeconds({ ...clock, status: 'filed', filedAt: startsAt }, startsAt)).toBeNull();
    expect(clockState({ ...clock, status: 'waived' }, startsAt)).toBe('not_applicable');
    expect(clockState({ ...clock, applicable: false }, startsAt)).toBe('not_applicable');
    expect(clockState({ ...clock, startsAt: null, dueAt: null }, startsAt)).toBe('waiting');
  });

  it('reaches 50 %, 75 %, 90 % and missed in order', () => {
    const at = (h: number) =>
      reachedThresholds(startsAt, dueAt, new Date(startsAt.getTime() + h * 3_600_000));
    expect(at(4.99)).toEqual([]);
    expect(at(5)).toEqual(['50']);
    expect(at(7.5)).toEqual(['50', '75']);
    expect(at(9)).toEqual(['50', '75', '90']);
    expect(at(10)).toEqual(['50', '75', '90', 'missed']);
  });
});
