/**
 * What a regulator report holds: its kinds, the fields each kind asks for and
 * the sections they are printed in, after the texts of the laws (GDPR Art.
 * 33(3); NIS2 Art. 23(4)(a), (b) and (d)).
 */

export const REPORT_KINDS = ['gdpr_art33', 'nis2_early_warning', 'nis2_notification', 'nis2_final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const EXPORT_FORMATS = ['html', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CHOICES = ['yes', 'no', 'unknown'] as const;
export type Choice = (typeof CHOICES)[number];

export interface PeopleInJurisdiction {
  /** ISO 3166-1 alpha-2 or 3166-2 code, as the incident's jurisdictions. */
  jurisdiction: string;
  /** Approximate number of people concerned; null when not known. */
  people: number | null;
}

/** How each field is edited and printed. */
export const FIELD_TYPES = {
  /** The controller or entity that reports. */
  reporter: 'text',
  /** GDPR 33(3)(b): name and contact details of the DPO or other contact point. */
  contactPoint: 'longtext',
  /** Our own reference: the incident's number and title. */
  reference: 'text',
  occurredAt: 'instant',
  detectedAt: 'instant',
  awareAt: 'instant',
  /** GDPR 33(1): the reasons when the notification comes later than 72 hours. */
  delayReasons: 'longtext',
  /** GDPR 33(3)(a); NIS2 23(4)(d)(i): what happened. */
  nature: 'longtext',
  dataCategories: 'longtext',
  peopleByJurisdiction: 'people',
  peopleTotal: 'count',
  recordsTotal: 'count',
  /** GDPR 33(3)(c). */
  consequences: 'longtext',
  /** GDPR 33(3)(d): measures taken or proposed, including to mitigate adverse effects. */
  measures: 'longtext',
  /** NIS2 23(4)(a): suspected to be caused by unlawful or malicious acts. */
  suspectedMalicious: 'choice',
  /** NIS2 23(4)(a), (d)(iv): could have, or had, a cross-border impact. */
  crossBorder: 'choice',
  crossBorderDetails: 'longtext',
  /** NIS2 23(4)(b), (d)(i). */
  severity: 'text',
  impact: 'longtext',
  /** NIS2 23(4)(b): indicators of compromise, where available. */
  indicators: 'longtext',
  /** NIS2 23(4)(d)(ii): the type of threat or root cause that likely triggered the incident. */
  rootCause: 'longtext',
  /** NIS2 23(4)(d)(iii): applied and ongoing mitigation measures. */
  mitigation: 'longtext',
} as const;

export type FieldName = keyof typeof FIELD_TYPES;
export const FIELD_NAMES = Object.keys(FIELD_TYPES) as FieldName[];

type ValueOf<T> = T extends 'text' | 'longtext'
  ? string
  : T extends 'instant'
    ? string | null
    : T extends 'count'
      ? number | null
      : T extends 'choice'
        ? Choice
        : PeopleInJurisdiction[];

export type ReportFields = { [K in FieldName]: ValueOf<(typeof FIELD_TYPES)[K]> };

export const TEXT_LIMIT = 300;
export const LONGTEXT_LIMIT = 20_000;

export type SectionId =
  | 'reporter'
  | 'timing'
  | 'nature'
  | 'consequences'
  | 'measures'
  | 'earlyWarning'
  | 'assessment'
  | 'impact'
  | 'indicators'
  | 'description'
  | 'rootCause'
  | 'mitigation'
  | 'crossBorder';

export interface Section {
  id: SectionId;
  fields: readonly FieldName[];
}

const reporter: Section = { id: 'reporter', fields: ['reporter', 'contactPoint', 'reference'] };
const timing: Section = { id: 'timing', fields: ['occurredAt', 'detectedAt', 'awareAt'] };
const impact: Section = { id: 'impact', fields: ['peopleByJurisdiction', 'peopleTotal', 'impact'] };

/** The sections of each kind, in the order the law lists their contents. */
export const LAYOUTS: Record<ReportKind, readonly Section[]> = {
  gdpr_art33: [
    reporter,
    { id: 'timing', fields: [...timing.fields, 'delayReasons'] },
    {
      id: 'nature',
      fields: ['nature', 'dataCategories', 'peopleByJurisdiction', 'peopleTotal', 'recordsTotal'],
    },
    { id: 'consequences', fields: ['consequences'] },
    { id: 'measures', fields: ['measures'] },
  ],
  nis2_early_warning: [
    reporter,
    timing,
    { id: 'earlyWarning', fields: ['nature', 'suspectedMalicious', 'crossBorder', 'crossBorderDetails'] },
  ],
  nis2_notification: [
    reporter,
    timing,
    {
      id: 'assessment',
      fields: ['nature', 'severity', 'suspectedMalicious', 'crossBorder', 'crossBorderDetails'],
    },
    impact,
    { id: 'indicators', fields: ['indicators'] },
    { id: 'measures', fields: ['measures'] },
  ],
  nis2_final: [
    reporter,
    timing,
    { id: 'description', fields: ['nature', 'severity'] },
    impact,
    { id: 'rootCause', fields: ['rootCause'] },
    { id: 'mitigation', fields: ['mitigation'] },
    { id: 'crossBorder', fields: ['crossBorder', 'crossBorderDetails'] },
  ],
};

/** The fields a report of this kind holds. */
export function fieldsOf(kind: ReportKind): FieldName[] {
  return [...new Set(LAYOUTS[kind].flatMap((s) => s.fields))];
}

/** A field's empty value: what a draft holds before anyone fills it. */
export function emptyValue(name: FieldName): ReportFields[FieldName] {
  switch (FIELD_TYPES[name]) {
    case 'text':
    case 'longtext':
      return '';
    case 'instant':
    case 'count':
      return null;
    case 'choice':
      return 'unknown';
    case 'people':
      return [];
  }
}
