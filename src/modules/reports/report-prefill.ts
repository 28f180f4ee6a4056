import type { Sql } from '../../platform/db.js';
import { t, type Locale } from '../../platform/i18n.js';
import {
  type IncidentType,
  affectedIn,
  incidentJurisdictions,
  incidentMembers,
  type IncidentRow,
} from '../incidents/index.js';
import {
  emptyValue,
  FIELD_NAMES,
  fieldsOf,
  type Choice,
  type ReportFields,
  type ReportKind,
} from './report-model.js';
import { organizationForReports } from './report-repo.js';
import { formatTime } from '../../platform/time-format.js';

// Threats that are attacks by definition; a breach or "other" may as well be an accident.
const MALICIOUS: readonly IncidentType[] = [
  'phishing',
  'malware',
  'ransomware',
  'denial_of_service',
  'social_engineering',
];

const iso = (d: Date | null) => d?.toISOString() ?? null;

function longDate(locale: Locale, date: Date): string {
  return formatTime(date, { locale, timeZone: 'UTC', style: 'longDateTime' });
}

/**
 * Everything the incident already knows, as a report's fields in the
 * report's language: the person editing starts from facts, not a blank form.
 * Each field is pre-filled on its own, so one can be filled again later.
 */
export async function prefillFields(tx: Sql, incident: IncidentRow, locale: Locale): Promise<ReportFields> {
  // One after another: a transaction runs one query at a time.
  const organization = await organizationForReports(tx);
  const jurisdictions = await incidentJurisdictions(tx, incident.id);
  const members = await incidentMembers(tx, incident.id);
  const people = jurisdictions.map((j) => ({ jurisdiction: j.code, people: affectedIn(j) }));
  const known = people.filter((p) => p.people !== null);
  const countries = [...new Set(jurisdictions.map((j) => j.code.slice(0, 2)))];
  const legalLeads = members.filter((m) => m.role === 'legal_lead').map((m) => m.display_name);

  const nature = [
    [t(locale, `incident.type.${incident.type}`), incident.summary.trim()].filter(Boolean).join(': '),
    incident.affected_systems.length
      ? t(locale, 'report.prefill.affectedSystems', { systems: incident.affected_systems.join(', ') })
      : '',
  ].filter(Boolean);
  const crossBorder: Choice = countries.length > 1 ? 'yes' : 'unknown';

  const all: ReportFields = {
    ...(Object.fromEntries(FIELD_NAMES.map((n) => [n, emptyValue(n)])) as ReportFields),
    reporter: organization.name,
    contactPoint: organization.contactPoint || legalLeads.join(', '),
    reference: `#${incident.number} ${incident.title}`,
    occurredAt: iso(incident.occurred_at),
    detectedAt: iso(incident.detected_at),
    awareAt: iso(incident.aware_at),
    nature: nature.join('\n\n'),
    dataCategories: incident.data_categories.map((c) => t(locale, `incident.category.${c}`)).join(', '),
    peopleByJurisdiction: people,
    peopleTotal: known.length ? known.reduce((sum, p) => sum + p.people!, 0) : null,
    consequences: incident.data_categories.map((c) => t(locale, `report.consequence.${c}`)).join('\n'),
    measures: incident.contained_at
      ? t(locale, 'report.prefill.contained', { date: longDate(locale, incident.contained_at) })
      : '',
    suspectedMalicious: MALICIOUS.includes(incident.type) ? 'yes' : 'unknown',
    crossBorder,
    crossBorderDetails: crossBorder === 'yes' ? countries.join(', ') : '',
    severity: t(locale, `incident.severity.${incident.severity}`),
  };
  return all;
}

/** Only the fields of this kind. */
export function fieldsForKind(kind: ReportKind, fields: Partial<ReportFields>): Partial<ReportFields> {
  return Object.fromEntries(fieldsOf(kind).map((name) => [name, fields[name] ?? emptyValue(name)]));
}

/** A stored draft completed with empty values, as the renderer wants it. */
export function completeFields(fields: Partial<ReportFields>): ReportFields {
  return Object.fromEntries(FIELD_NAMES.map((n) => [n, fields[n] ?? emptyValue(n)])) as ReportFields;
}
