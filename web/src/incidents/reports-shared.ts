/** A regulator report as the API answers with it, shared by the section, its cards and field editors. */

import type { Locale } from '../i18n';
import type { FIELD_TYPES, ReportKind } from '../../../src/modules/reports/report-model';

// How each field is edited comes from the server's report model.
export type FieldName = keyof typeof FIELD_TYPES;
export type People = { jurisdiction: string; people: number | null }[];
export type Fields = Partial<Record<FieldName, string | number | null | People>>;

type SectionId =
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

export interface ReportView {
  id: string;
  incidentId: string;
  kind: ReportKind;
  locale: Locale;
  revision: number;
  isExercise: boolean;
  sections: { id: SectionId; fields: FieldName[] }[];
  fields: Fields;
  createdAt: string;
  updatedAt: string;
}
