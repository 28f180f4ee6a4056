import type { DataCategory, Moment } from '../incidents/index.js';

/** The shape of a deadline rule: the rule table (deadline-rules.ts and its families) is written in these types. */

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
  | { kind: 'everywhere'; calendar: string }
  /** Wherever the people are, when the organization is established in the zone (its law follows the controller). */
  | { kind: 'establishment'; zone: FreeZone };

/**
 * Zones with a data protection law of their own, named by the country's ISO code and the
 * zone's abbreviation (they have no ISO 3166-2 code): the UAE's financial free zones, the
 * Dubai International Financial Centre and the Abu Dhabi Global Market.
 */
export const FREE_ZONES = ['AE-DIFC', 'AE-ADGM'] as const;
export type FreeZone = (typeof FREE_ZONES)[number];

/** Affected people, counted ?? estimated per jurisdiction; `us_total` adds every US jurisdiction. */
export interface Threshold {
  of: 'jurisdiction' | 'us_total';
  over?: number;
  atLeast?: number;
  under?: number;
}

export type RiskLevel = 'unlikely' | 'risk' | 'high';

export type OrganizationFact =
  | 'sec_registrant'
  | 'hipaa_covered'
  | 'nis2_entity'
  | 'cz_regulated'
  /** Under the UAE federal law: not established in a UAE free zone with its own data protection law. */
  | 'ae_federal_law';

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
  'ae_pdpl',
  'ae_difc_dpl',
  'ae_adgm_dpr',
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
  | 'ae_data_office'
  | 'difc_commissioner'
  | 'adgm_commissioner'
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
  | 'breach_documentation'
  | 'incident_report';

export type Note =
  | 'cz_initial_period'
  | 'cz_follow_up'
  | 'fl_extension'
  | 'sa_article_numbers'
  | 'eg_subjects_period'
  | 'eg_national_security'
  | 'qa_period'
  | 'ae_executive_regulations'
  | 'ae_exclusions'
  | 'ae_free_zones'
  | 'difc_period'
  | 'adgm_late_reasons'
  | 'adgm_subjects_section'
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
  | 'ae_data_office'
  | 'ae_data_subjects'
  | 'difc_commissioner'
  | 'difc_data_subjects'
  | 'adgm_commissioner'
  | 'adgm_data_subjects'
  | 'pci_visa';
