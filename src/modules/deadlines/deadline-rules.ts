import type { DataCategory, Moment } from '../incidents/index.js';

/**
 * The legal clocks an incident can start, as data. Sources:
 * shared/research/notification-rules.md (secondary sources, 2026-11-21; not
 * legal advice). A figure that could not be confirmed carries an `uncertain`
 * note, shown beside the clock. People read titles, parties, contents and
 * notes from the catalogs: deadline.rule.<id>, deadline.party.<party>,
 * deadline.content.<item>, deadline.note.<note>.
 */

/** A period; a day-based one ends with the last second of its last local day. */
export type Period =
  | { kind: 'hours'; hours: number }
  | { kind: 'calendar_days'; days: number }
  | { kind: 'business_days'; days: number }
  /** A month from the 31st ends on the last day of a shorter month. */
  | { kind: 'months'; months: number }
  /** Days after the end of the calendar year of the start (HIPAA's annual log to HHS). */
  | { kind: 'days_after_year_end'; days: number };

export type Duration =
  | Period
  /** With an outer legal bound where one exists, else the organization's target (undue_delay_target_hours). */
  | { kind: 'undue_delay'; bound?: Period };

/** A clock starts from an incident moment or from the filing of another clock of the same jurisdiction. */
export type Start = { moment: Moment } | { afterFiling: RuleId };

export type Scope =
  /** One clock when any EEA country is concerned, in the lead supervisory authority's zone. */
  | { kind: 'eea' }
  | { kind: 'country'; country: string }
  | { kind: 'us_state'; state: string }
  /** One federal clock when any US state (or the US) is concerned. */
  | { kind: 'us' }
  /** One clock per US state concerned. */
  | { kind: 'each_us_state' }
  /** Whatever the jurisdictions (securities law, card-brand contracts), on one calendar. */
  | { kind: 'everywhere'; calendar: string };

/** Affected people, counted ?? estimated per jurisdiction; `us_total` adds every US jurisdiction. */
export interface Threshold {
  of: 'jurisdiction' | 'us_total';
  over?: number;
  atLeast?: number;
  under?: number;
}

export type RiskLevel = 'unlikely' | 'risk' | 'high';

export type OrganizationFact = 'sec_registrant' | 'hipaa_covered' | 'nis2_entity' | 'cz_regulated';

export interface Conditions {
  organization?: OrganizationFact;
  /** Any personal data affected at all (some data category). */
  personalData?: boolean;
  /** One of these categories affected. */
  dataCategories?: readonly DataCategory[];
  /** 'not_unlikely': not when the breach is unlikely to result in a risk; 'high': only at high risk. */
  risk?: 'not_unlikely' | 'high';
  /** A significant incident (NIS2 Art. 23(3)). */
  significant?: boolean;
}

export const REGIMES = [
  'gdpr',
  'nis2',
  'cz_264_2025',
  'sec',
  'hipaa',
  'us_ca',
  'us_ny',
  'us_tx',
  'us_fl',
  'sa_pdpl',
  'eg_pdpl',
  'qa_pdppl',
  'pci_visa',
] as const;
export type Regime = (typeof REGIMES)[number];

export interface DeadlineRule {
  id: RuleId;
  regime: Regime;
  citation: string;
  notifier: Party;
  recipient: Party;
  start: Start;
  duration: Duration;
  /** The filing day ends earlier than midnight (SEC EDGAR: 17:30 America/New_York). */
  cutoff?: { hour: number; minute: number; zone: string };
  scope: Scope;
  threshold?: Threshold;
  conditions: Conditions;
  contents: readonly Content[];
  /** Figures that could not be confirmed (⚠), shown as uncertain beside the clock. */
  uncertain?: readonly Note[];
  /** Other things to know, such as a permitted delay. */
  notes?: readonly Note[];
}

export type Party =
  | 'controller'
  | 'entity'
  | 'registrant'
  | 'covered_entity'
  | 'business'
  | 'merchant'
  | 'supervisory_authority'
  | 'data_subjects'
  | 'csirt_or_authority'
  | 'nukib_or_csirt_cz'
  | 'investors_edgar'
  | 'individuals'
  | 'hhs'
  | 'media'
  | 'residents'
  | 'ca_attorney_general'
  | 'ny_regulators'
  | 'tx_attorney_general'
  | 'fl_legal_affairs'
  | 'sdaia'
  | 'eg_pdpc'
  | 'qa_authority'
  | 'acquirer_and_visa';

export type Content =
  | 'nature'
  | 'categories_and_numbers'
  | 'contact_point'
  | 'likely_consequences'
  | 'measures'
  | 'plain_language'
  | 'malicious_or_cross_border'
  | 'severity_impact_iocs'
  | 'detailed_description'
  | 'threat_and_root_cause'
  | 'mitigation'
  | 'cross_border_impact'
  | 'material_aspects'
  | 'material_impact'
  | 'what_happened'
  | 'what_information'
  | 'what_we_are_doing'
  | 'what_you_can_do'
  | 'more_information'
  | 'notice_timing_distribution'
  | 'time_and_discovery'
  | 'data_types'
  | 'risks'
  | 'remedial_actions'
  | 'causes'
  | 'incident_report';

export type Note =
  | 'cz_initial_period'
  | 'cz_follow_up'
  | 'fl_extension'
  | 'sa_article_numbers'
  | 'eg_subjects_period'
  | 'eg_national_security'
  | 'qa_period'
  | 'visa_period'
  | 'sec_delay'
  | 'ny_regulators_timing';

/** Notes the engine adds to a clock from its circumstances. */
export type DynamicNote =
  | 'islamic_holidays_predicted'
  | 'no_holiday_data'
  | 'count_unknown'
  | 'risk_not_assessed'
  | 'significance_not_assessed'
  | 'organization_fact_not_stated'
  | 'organization_target';

export type RuleId =
  | 'gdpr_33_authority'
  | 'gdpr_34_data_subjects'
  | 'nis2_early_warning'
  | 'nis2_notification'
  | 'nis2_final_report'
  | 'cz_264_initial_report'
  | 'cz_264_notification'
  | 'cz_264_final_report'
  | 'sec_8k_item_105'
  | 'hipaa_individuals'
  | 'hipaa_hhs_500'
  | 'hipaa_hhs_annual'
  | 'hipaa_media'
  | 'ca_residents'
  | 'ca_attorney_general'
  | 'ny_residents'
  | 'ny_regulators'
  | 'tx_individuals'
  | 'tx_attorney_general'
  | 'fl_individuals'
  | 'fl_legal_affairs'
  | 'sa_sdaia'
  | 'sa_data_subjects'
  | 'eg_pdpc'
  | 'eg_data_subjects'
  | 'qa_authority'
  | 'qa_data_subjects'
  | 'pci_visa';

const GDPR_CONTENTS = [
  'nature',
  'categories_and_numbers',
  'contact_point',
  'likely_consequences',
  'measures',
] as const;
const CA_HEADINGS = [
  'what_happened',
  'what_information',
  'what_we_are_doing',
  'what_you_can_do',
  'more_information',
] as const;
const US_NOTICE = ['what_happened', 'what_information', 'what_we_are_doing', 'what_you_can_do'] as const;
const aware = { moment: 'aware' } as const;
const determined = { moment: 'breach_determined' } as const;

export const RULES: readonly DeadlineRule[] = [
  {
    id: 'gdpr_33_authority',
    regime: 'gdpr',
    citation: 'Regulation (EU) 2016/679 (GDPR), Art. 33(1), 33(3)',
    notifier: 'controller',
    recipient: 'supervisory_authority',
    start: aware,
    duration: { kind: 'undue_delay', bound: { kind: 'hours', hours: 72 } },
    scope: { kind: 'eea' },
    conditions: { personalData: true, risk: 'not_unlikely' },
    contents: GDPR_CONTENTS,
  },
  {
    id: 'gdpr_34_data_subjects',
    regime: 'gdpr',
    citation: 'Regulation (EU) 2016/679 (GDPR), Art. 34(1), 34(2)',
    notifier: 'controller',
    recipient: 'data_subjects',
    start: aware,
    duration: { kind: 'undue_delay' },
    scope: { kind: 'eea' },
    conditions: { personalData: true, risk: 'high' },
    contents: ['plain_language', 'nature', 'contact_point', 'likely_consequences', 'measures'],
  },
  {
    id: 'nis2_early_warning',
    regime: 'nis2',
    citation: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)(a)',
    notifier: 'entity',
    recipient: 'csirt_or_authority',
    start: aware,
    duration: { kind: 'hours', hours: 24 },
    scope: { kind: 'eea' },
    conditions: { organization: 'nis2_entity', significant: true },
    contents: ['malicious_or_cross_border'],
  },
  {
    id: 'nis2_notification',
    regime: 'nis2',
    citation: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)(b)',
    notifier: 'entity',
    recipient: 'csirt_or_authority',
    start: aware,
    duration: { kind: 'hours', hours: 72 },
    scope: { kind: 'eea' },
    conditions: { organization: 'nis2_entity', significant: true },
    contents: ['severity_impact_iocs'],
  },
  {
    id: 'nis2_final_report',
    regime: 'nis2',
    citation: 'Directive (EU) 2022/2555 (NIS2), Art. 23(4)(d)',
    notifier: 'entity',
    recipient: 'csirt_or_authority',
    start: { afterFiling: 'nis2_notification' },
    duration: { kind: 'months', months: 1 },
    scope: { kind: 'eea' },
    conditions: { organization: 'nis2_entity', significant: true },
    contents: ['detailed_description', 'threat_and_root_cause', 'mitigation', 'cross_border_impact'],
  },
  {
    id: 'cz_264_initial_report',
    regime: 'cz_264_2025',
    citation: 'Act No. 264/2025 Coll., on cybersecurity (reporting of cybersecurity incidents)',
    notifier: 'entity',
    recipient: 'nukib_or_csirt_cz',
    start: aware,
    duration: { kind: 'hours', hours: 24 },
    scope: { kind: 'country', country: 'CZ' },
    conditions: { organization: 'cz_regulated', significant: true },
    contents: ['malicious_or_cross_border'],
    uncertain: ['cz_initial_period'],
  },
  {
    id: 'cz_264_notification',
    regime: 'cz_264_2025',
    citation: 'Act No. 264/2025 Coll., on cybersecurity (reporting of cybersecurity incidents)',
    notifier: 'entity',
    recipient: 'nukib_or_csirt_cz',
    start: aware,
    duration: { kind: 'hours', hours: 72 },
    scope: { kind: 'country', country: 'CZ' },
    conditions: { organization: 'cz_regulated', significant: true },
    contents: ['severity_impact_iocs'],
    uncertain: ['cz_follow_up'],
  },
  {
    id: 'cz_264_final_report',
    regime: 'cz_264_2025',
    citation: 'Act No. 264/2025 Coll., on cybersecurity (reporting of cybersecurity incidents)',
    notifier: 'entity',
    recipient: 'nukib_or_csirt_cz',
    start: { afterFiling: 'cz_264_notification' },
    duration: { kind: 'months', months: 1 },
    scope: { kind: 'country', country: 'CZ' },
    conditions: { organization: 'cz_regulated', significant: true },
    contents: ['detailed_description', 'threat_and_root_cause', 'mitigation', 'cross_border_impact'],
    uncertain: ['cz_follow_up'],
  },
  {
    id: 'sec_8k_item_105',
    regime: 'sec',
    citation:
      'SEC Form 8-K Item 1.05 (Release No. 33-11216); General Instruction B.1; Regulation S-T Rule 13',
    notifier: 'registrant',
    recipient: 'investors_edgar',
    start: { moment: 'materiality_determined' },
    duration: { kind: 'business_days', days: 4 },
    cutoff: { hour: 17, minute: 30, zone: 'America/New_York' },
    scope: { kind: 'everywhere', calendar: 'US' },
    conditions: { organization: 'sec_registrant' },
    contents: ['material_aspects', 'material_impact'],
    notes: ['sec_delay'],
  },
  {
    id: 'hipaa_individuals',
    regime: 'hipaa',
    citation: '45 CFR 164.404(b), (c)',
    notifier: 'covered_entity',
    recipient: 'individuals',
    start: aware,
    duration: { kind: 'calendar_days', days: 60 },
    scope: { kind: 'us' },
    conditions: { organization: 'hipaa_covered', dataCategories: ['health'] },
    contents: US_NOTICE,
  },
  {
    id: 'hipaa_hhs_500',
    regime: 'hipaa',
    citation: '45 CFR 164.408(b)',
    notifier: 'covered_entity',
    recipient: 'hhs',
    start: aware,
    duration: { kind: 'calendar_days', days: 60 },
    scope: { kind: 'us' },
    threshold: { of: 'us_total', atLeast: 500 },
    conditions: { organization: 'hipaa_covered', dataCategories: ['health'] },
    contents: US_NOTICE,
  },
  {
    id: 'hipaa_hhs_annual',
    regime: 'hipaa',
    citation: '45 CFR 164.408(c)',
    notifier: 'covered_entity',
    recipient: 'hhs',
    start: aware,
    duration: { kind: 'days_after_year_end', days: 60 },
    scope: { kind: 'us' },
    threshold: { of: 'us_total', under: 500 },
    conditions: { organization: 'hipaa_covered', dataCategories: ['health'] },
    contents: US_NOTICE,
  },
  {
    id: 'hipaa_media',
    regime: 'hipaa',
    citation: '45 CFR 164.406',
    notifier: 'covered_entity',
    recipient: 'media',
    start: aware,
    duration: { kind: 'calendar_days', days: 60 },
    scope: { kind: 'each_us_state' },
    threshold: { of: 'jurisdiction', over: 500 },
    conditions: { organization: 'hipaa_covered', dataCategories: ['health'] },
    contents: US_NOTICE,
  },
  {
    id: 'ca_residents',
    regime: 'us_ca',
    citation: 'Cal. Civ. Code §1798.82(a), (d) (as amended by SB 446, from 1 January 2026)',
    notifier: 'business',
    recipient: 'residents',
    start: aware,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'CA' },
    conditions: { personalData: true },
    contents: CA_HEADINGS,
  },
  {
    id: 'ca_attorney_general',
    regime: 'us_ca',
    citation: 'Cal. Civ. Code §1798.82(f) (as amended by SB 446)',
    notifier: 'business',
    recipient: 'ca_attorney_general',
    start: { afterFiling: 'ca_residents' },
    duration: { kind: 'calendar_days', days: 15 },
    scope: { kind: 'us_state', state: 'CA' },
    threshold: { of: 'jurisdiction', over: 500 },
    conditions: { personalData: true },
    contents: CA_HEADINGS,
  },
  {
    id: 'ny_residents',
    regime: 'us_ny',
    citation: 'N.Y. Gen. Bus. Law §899-aa(2)',
    notifier: 'business',
    recipient: 'residents',
    start: aware,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'NY' },
    conditions: { personalData: true },
    contents: US_NOTICE,
  },
  {
    id: 'ny_regulators',
    regime: 'us_ny',
    citation: 'N.Y. Gen. Bus. Law §899-aa(8)(a)',
    notifier: 'business',
    recipient: 'ny_regulators',
    start: aware,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'NY' },
    conditions: { personalData: true },
    contents: ['notice_timing_distribution', 'categories_and_numbers'],
    notes: ['ny_regulators_timing'],
  },
  {
    id: 'tx_individuals',
    regime: 'us_tx',
    citation: 'Tex. Bus. & Com. Code §521.053(b)',
    notifier: 'business',
    recipient: 'individuals',
    start: determined,
    duration: { kind: 'calendar_days', days: 60 },
    scope: { kind: 'us_state', state: 'TX' },
    conditions: { personalData: true },
    contents: US_NOTICE,
  },
  {
    id: 'tx_attorney_general',
    regime: 'us_tx',
    citation: 'Tex. Bus. & Com. Code §521.053(i)',
    notifier: 'business',
    recipient: 'tx_attorney_general',
    start: determined,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'TX' },
    threshold: { of: 'jurisdiction', atLeast: 250 },
    conditions: { personalData: true },
    contents: ['nature', 'categories_and_numbers', 'measures'],
  },
  {
    id: 'fl_individuals',
    regime: 'us_fl',
    citation: 'Fla. Stat. §501.171(4)(a)',
    notifier: 'business',
    recipient: 'individuals',
    start: determined,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'FL' },
    conditions: { personalData: true },
    contents: US_NOTICE,
    uncertain: ['fl_extension'],
  },
  {
    id: 'fl_legal_affairs',
    regime: 'us_fl',
    citation: 'Fla. Stat. §501.171(3)(a)',
    notifier: 'business',
    recipient: 'fl_legal_affairs',
    start: determined,
    duration: { kind: 'calendar_days', days: 30 },
    scope: { kind: 'us_state', state: 'FL' },
    threshold: { of: 'jurisdiction', atLeast: 500 },
    conditions: { personalData: true },
    contents: ['nature', 'categories_and_numbers', 'measures', 'contact_point'],
    uncertain: ['fl_extension'],
  },
  {
    id: 'sa_sdaia',
    regime: 'sa_pdpl',
    citation:
      'Saudi Personal Data Protection Law (Royal Decree M/19, amended by M/148), Implementing Regulation; SDAIA breach guide (21 Oct 2024)',
    notifier: 'controller',
    recipient: 'sdaia',
    start: aware,
    duration: { kind: 'hours', hours: 72 },
    scope: { kind: 'country', country: 'SA' },
    conditions: { personalData: true },
    contents: ['time_and_discovery', 'categories_and_numbers', 'data_types', 'risks', 'remedial_actions'],
    uncertain: ['sa_article_numbers'],
  },
  {
    id: 'sa_data_subjects',
    regime: 'sa_pdpl',
    citation: 'Saudi Personal Data Protection Law, Implementing Regulation; SDAIA breach guide (21 Oct 2024)',
    notifier: 'controller',
    recipient: 'data_subjects',
    start: aware,
    duration: { kind: 'undue_delay' },
    scope: { kind: 'country', country: 'SA' },
    conditions: { personalData: true, risk: 'not_unlikely' },
    contents: ['plain_language', 'risks', 'remedial_actions', 'contact_point'],
    uncertain: ['sa_article_numbers'],
  },
  {
    id: 'eg_pdpc',
    regime: 'eg_pdpl',
    citation: 'Egypt Law No. 151 of 2020 on the Protection of Personal Data, Art. 7',
    notifier: 'controller',
    recipient: 'eg_pdpc',
    start: aware,
    duration: { kind: 'hours', hours: 72 },
    scope: { kind: 'country', country: 'EG' },
    conditions: { personalData: true },
    contents: [
      'nature',
      'causes',
      'categories_and_numbers',
      'contact_point',
      'likely_consequences',
      'measures',
    ],
    notes: ['eg_national_security'],
  },
  {
    id: 'eg_data_subjects',
    regime: 'eg_pdpl',
    citation: 'Egypt Law No. 151 of 2020 on the Protection of Personal Data, Art. 7',
    notifier: 'controller',
    recipient: 'data_subjects',
    start: { afterFiling: 'eg_pdpc' },
    duration: { kind: 'business_days', days: 3 },
    scope: { kind: 'country', country: 'EG' },
    conditions: { personalData: true },
    contents: ['plain_language', 'nature', 'measures'],
    uncertain: ['eg_subjects_period'],
  },
  {
    id: 'qa_authority',
    regime: 'qa_pdppl',
    citation: 'Qatar Law No. 13 of 2016 (PDPPL), Art. 14',
    notifier: 'controller',
    recipient: 'qa_authority',
    start: aware,
    duration: { kind: 'hours', hours: 72 },
    scope: { kind: 'country', country: 'QA' },
    // Only when the breach may cause serious damage: recorded as high risk.
    conditions: { personalData: true, risk: 'high' },
    contents: ['nature', 'categories_and_numbers', 'likely_consequences', 'measures'],
    uncertain: ['qa_period'],
  },
  {
    id: 'qa_data_subjects',
    regime: 'qa_pdppl',
    citation: 'Qatar Law No. 13 of 2016 (PDPPL), Art. 14',
    notifier: 'controller',
    recipient: 'data_subjects',
    start: aware,
    duration: { kind: 'undue_delay' },
    scope: { kind: 'country', country: 'QA' },
    conditions: { personalData: true, risk: 'high' },
    contents: ['plain_language', 'nature', 'measures'],
    uncertain: ['qa_period'],
  },
  {
    id: 'pci_visa',
    regime: 'pci_visa',
    citation: 'PCI DSS v4.0.1 Req. 12.10.1; Visa Rules, What To Do If Compromised',
    notifier: 'merchant',
    recipient: 'acquirer_and_visa',
    start: { moment: 'detected' },
    duration: { kind: 'undue_delay', bound: { kind: 'business_days', days: 3 } },
    scope: { kind: 'everywhere', calendar: 'US' },
    conditions: { dataCategories: ['payment_card'] },
    contents: ['incident_report'],
    uncertain: ['visa_period'],
  },
];

export const RULES_BY_ID: ReadonlyMap<RuleId, DeadlineRule> = new Map(RULES.map((r) => [r.id, r]));
