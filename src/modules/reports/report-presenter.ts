import type { Sql } from '../../platform/db.js';
import { mustFindIncident } from '../incidents/index.js';
import { LAYOUTS } from './report-model.js';
import { fieldsForKind } from './report-prefill.js';
import type { ReportRow, VersionRow } from './report-repo.js';
import { versionFilename } from './report-service.js';

/** A draft as the API shows it, with its layout and whether its incident is an exercise. */
export async function reportView(tx: Sql, report: ReportRow) {
  const incident = await mustFindIncident(tx, report.incident_id);
  return {
    id: report.id,
    incidentId: report.incident_id,
    kind: report.kind,
    locale: report.locale,
    revision: report.revision,
    isExercise: incident.is_exercise,
    sections: LAYOUTS[report.kind].map((s) => ({ id: s.id, fields: [...s.fields] })),
    fields: fieldsForKind(report.kind, report.fields),
    createdAt: report.created_at.toISOString(),
    updatedAt: report.updated_at.toISOString(),
  };
}

/** An exported version as the API shows it (the document itself is downloaded apart). */
export function versionView(incidentNumber: number, v: VersionRow) {
  return {
    id: v.id,
    reportId: v.report_id,
    incidentId: v.incident_id,
    number: v.number,
    kind: v.kind,
    format: v.format,
    locale: v.locale,
    isExercise: v.is_exercise,
    reportRevision: v.report_revision,
    sha256: v.sha256,
    size: v.size,
    filename: versionFilename(incidentNumber, v),
    createdBy: v.created_by,
    createdAt: v.created_at.toISOString(),
  };
}
