/**
 * The legal clocks an incident can start, as data. Sources:
 * shared/research/notification-rules.md (secondary sources, 2026-11-21; not
 * legal advice). A figure that could not be confirmed carries an `uncertain`
 * note, shown beside the clock. People read titles, parties, contents and
 * notes from the catalogs: deadline.rule.<id>, deadline.party.<party>,
 * deadline.content.<item>, deadline.note.<note>.
 * One file per jurisdiction family (deadline-rules-eu.ts, -us.ts, -mena.ts); the types in
 * deadline-rule-types.ts.
 */
import type { DeadlineRule, RuleId } from './deadline-rule-types.js';
import { EU_RULES } from './deadline-rules-eu.js';
import { MENA_RULES } from './deadline-rules-mena.js';
import { US_RULES } from './deadline-rules-us.js';

export { FREE_ZONES, REGIMES } from './deadline-rule-types.js';
export type {
  Period,
  Duration,
  Start,
  Scope,
  FreeZone,
  Threshold,
  RiskLevel,
  OrganizationFact,
  Conditions,
  Regime,
  DeadlineRule,
  Party,
  Content,
  Note,
  DynamicNote,
  RuleId,
} from './deadline-rule-types.js';

/** Whatever the jurisdictions: the card brands' contracts. */
const CARD_BRAND_RULES: readonly DeadlineRule[] = [
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

/** Every rule, one jurisdiction family after the other (EU, US, Middle East and North Africa, card brands). */
export const RULES: readonly DeadlineRule[] = [...EU_RULES, ...US_RULES, ...MENA_RULES, ...CARD_BRAND_RULES];

export const RULES_BY_ID: ReadonlyMap<RuleId, DeadlineRule> = new Map(RULES.map((r) => [r.id, r]));
