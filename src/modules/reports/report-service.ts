import { createHash, randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Locale } from '../../platform/i18n.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { findIncident, recordEvent, type IncidentRow, mustFindIncident } from '../incidents/index.js';
import {
  fieldsOf,
  type ExportFormat,
  type FieldName,
  type ReportFields,
  type ReportKind,
} from './report-model.js';
import { completeFields, fieldsForKind, prefillFields } from './report-prefill.js';
import { renderReportHtml } from './report-render.js';
import {
  findReport,
  findReportOfKind,
  findVersion,
  insertReport,
  insertVersion,
  organizationForReports,
  reportsOfIncident,
  saveDraft,
  setReportContactPoint,
  versionsOf,
  type ReportRow,
  type VersionRow,
} from './report-repo.js';

export interface Caller {
  organizationId: string;
  actor: AuditActor;
  userId: string | null;
}

export async function mustFindReport(
  tx: Sql,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ReportRow> {
  const report = await findReport(tx, id, options);
  if (!report) throw new AppError('not_found');
  return report;
}

/** A new draft of a kind for an incident, pre-filled from what the incident knows. */
export async function createReport(
  tx: Sql,
  auditKey: Buffer,
  caller: Caller,
  incidentId: string,
  body: { kind: ReportKind; locale: Locale },
): Promise<ReportRow> {
  const incident = await mustFindIncident(tx, incidentId);
  if (await findReportOfKind(tx, incident.id, body.kind)) {
    throw new AppError('conflict', { kind: body.kind });
  }
  const fields = fieldsForKind(body.kind, await prefillFields(tx, incident, body.locale));
  const report = await insertReport(tx, {
    id: randomUUID(),
    organization_id: caller.organizationId,
    incident_id: incident.id,
    kind: body.kind,
    locale: body.locale,
    fields,
    created_by: caller.userId,
  });
  await recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    actor: caller.actor,
    kind: 'report_created',
    data: { reportId: report.id, reportKind: report.kind, locale: report.locale },
    auditData: { reportId: report.id, reportKind: report.kind },
  });
  return report;
}

function assertFieldsOfKind(kind: ReportKind, names: string[]): void {
  const allowed = new Set<string>(fieldsOf(kind));
  const foreign = names.find((name) => !allowed.has(name));
  if (foreign) {
    throw new AppError('validation_failed', {
      where: `body/fields/${foreign}`,
      problem: 'not part of this report',
    });
  }
}

function assertRevision(report: ReportRow, revision: number | undefined): void {
  if (revision !== undefined && revision !== report.revision) {
    throw new AppError('conflict', { revision: report.revision });
  }
}

/** Changes the named fields of a draft (and its language), nothing else. */
export async function updateReport(
  tx: Sql,
  auditKey: Buffer,
  caller: Caller,
  id: string,
  body: { fields?: Partial<ReportFields>; locale?: Locale; revision?: number },
): Promise<ReportRow> {
  const report = await mustFindReport(tx, id, { lock: true });
  assertRevision(report, body.revision);
  const changed = Object.keys(body.fields ?? {});
  assertFieldsOfKind(report.kind, changed);
  const updated = await saveDraft(tx, report.id, {
    fields: { ...report.fields, ...body.fields },
    locale: body.locale ?? report.locale,
    updatedBy: caller.userId,
  });
  // The audit log names the fields, never what was typed into them.
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'report.updated',
    targetType: 'regulator_report',
    targetId: report.id,
    data: {
      incidentId: report.incident_id,
      fields: changed,
      locale: updated.locale,
      revision: updated.revision,
    },
  });
  return updated;
}

/** Fills the named fields again from the incident as it is now (e.g. once affected customers are counted). */
export async function prefillAgain(
  tx: Sql,
  auditKey: Buffer,
  caller: Caller,
  id: string,
  names: FieldName[],
): Promise<ReportRow> {
  const report = await mustFindReport(tx, id, { lock: true });
  assertFieldsOfKind(report.kind, names);
  const incident = await mustFindIncident(tx, report.incident_id);
  const fresh = await prefillFields(tx, incident, report.locale);
  const fields = Object.fromEntries(names.map((n) => [n, fresh[n]])) as Partial<ReportFields>;
  return updateReport(tx, auditKey, caller, id, { fields });
}

export interface PreparedExport {
  report: ReportRow;
  incident: IncidentRow;
  locale: Locale;
  html: string;
}

/** The document of the draft as it is now. */
export async function prepareExport(
  tx: Sql,
  id: string,
  locale: Locale | undefined,
): Promise<PreparedExport> {
  const report = await mustFindReport(tx, id);
  const incident = await mustFindIncident(tx, report.incident_id);
  const chosen = locale ?? report.locale;
  const html = renderReportHtml({
    kind: report.kind,
    locale: chosen,
    fields: completeFields(report.fields),
    isExercise: incident.is_exercise,
    revision: report.revision,
    generatedAt: new Date(),
  });
  return { report, incident, locale: chosen, html };
}

export const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * Keeps an exported document as a new immutable version with its hash and
 * records the export on the incident's timeline.
 */
export async function storeVersion(
  tx: Sql,
  auditKey: Buffer,
  caller: Caller,
  prepared: PreparedExport,
  format: ExportFormat,
  content: Buffer,
): Promise<VersionRow> {
  // The lock numbers versions one at a time; a report deleted meanwhile is not found.
  const report = await mustFindReport(tx, prepared.report.id, { lock: true });
  const version = await insertVersion(tx, {
    organization_id: caller.organizationId,
    incident_id: report.incident_id,
    report_id: report.id,
    kind: report.kind,
    format,
    locale: prepared.locale,
    is_exercise: prepared.incident.is_exercise,
    report_revision: prepared.report.revision,
    content,
    sha256: sha256Hex(content),
    created_by: caller.userId,
  });
  const facts = {
    reportId: report.id,
    reportKind: report.kind,
    versionId: version.id,
    number: version.number,
    format,
    locale: version.locale,
    sha256: version.sha256,
  };
  await recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId: report.incident_id,
    actor: caller.actor,
    kind: 'report_exported',
    data: { ...facts, isExercise: version.is_exercise },
    auditData: facts,
  });
  return version;
}

/** The download name: ASCII only, so every client and file system takes it as it is. */
export function versionFilename(incidentNumber: number, version: VersionRow): string {
  const stamp = version.is_exercise ? '-exercise' : '';
  return `incident-${incidentNumber}-${version.kind.replace(/_/g, '-')}-v${version.number}-${version.locale}${stamp}.${version.format}`;
}

/** The reports of an incident the caller sees, oldest first. */
export async function incidentReports(tx: Sql, incidentId: string): Promise<ReportRow[]> {
  const incident = await mustFindIncident(tx, incidentId);
  return reportsOfIncident(tx, incident.id);
}

/** A report's exported versions, newest first, with its incident's number (for their file names). */
export async function reportVersions(
  tx: Sql,
  id: string,
): Promise<{ incidentNumber: number; versions: VersionRow[] }> {
  const report = await mustFindReport(tx, id);
  const incidentNumber = (await mustFindIncident(tx, report.incident_id)).number;
  return { incidentNumber, versions: await versionsOf(tx, report.id) };
}

/** An exported document and its incident, or undefined when the caller sees neither. */
export async function findVersionDownload(
  tx: Sql,
  id: string,
): Promise<{ version: VersionRow & { content: Buffer }; incident: IncidentRow } | undefined> {
  const version = await findVersion(tx, id);
  const incident = version && (await findIncident(tx, version.incident_id));
  return version && incident ? { version, incident } : undefined;
}

export async function reportSettings(tx: Sql): Promise<{ contactPoint: string }> {
  return { contactPoint: (await organizationForReports(tx)).contactPoint };
}

/** The organization's default contact point for new reports. */
export async function updateReportSettings(
  tx: Sql,
  auditKey: Buffer,
  caller: Caller,
  contactPoint: string,
): Promise<{ contactPoint: string }> {
  await setReportContactPoint(tx, contactPoint);
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'report.settings_updated',
    targetType: 'organization',
    targetId: caller.organizationId,
  });
  return { contactPoint };
}
