import { clockState, timeLeftSeconds } from './deadline-engine.js';
import type { ClockRow } from './deadline-repo.js';
import { RULES_BY_ID } from './deadline-rules.js';
import type { ClockList, ClockView, WarningView } from './deadline-schemas.js';
import type { ClockSnapshot } from './deadline-service.js';
import type { WarningRow } from './deadline-warning-repo.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function clockView(row: ClockRow, now: Date, withEvidence: boolean): ClockView {
  const rule = RULES_BY_ID.get(row.rule_id);
  const facts = {
    status: row.status,
    applicable: row.applicable,
    startsAt: row.starts_at,
    dueAt: row.due_at,
    filedAt: row.filed_at,
  };
  const state = clockState(facts, now);
  return {
    id: row.id,
    incidentId: row.incident_id,
    ruleId: row.rule_id,
    regime: rule?.regime ?? '',
    citation: rule?.citation ?? '',
    jurisdiction: row.jurisdiction,
    timeZone: row.time_zone,
    isExercise: row.is_exercise,
    titleKey: `deadline.rule.${row.rule_id}`,
    notifierKey: `deadline.party.${rule?.notifier ?? 'controller'}`,
    recipientKey: `deadline.party.${rule?.recipient ?? 'supervisory_authority'}`,
    contentKeys: (rule?.contents ?? []).map((c) => `deadline.content.${c}`),
    startMoment: rule && 'moment' in rule.start ? rule.start.moment : null,
    startsAfterRule: rule && 'afterFiling' in rule.start ? rule.start.afterFiling : null,
    startsAt: iso(row.starts_at),
    dueAt: iso(row.due_at),
    timeLeftSeconds: timeLeftSeconds(facts, now),
    state,
    reasonKey:
      row.status === 'waived'
        ? 'deadline.reason.manual'
        : state === 'not_applicable' && row.reason
          ? `deadline.reason.${row.reason}`
          : null,
    waivedReason: row.waived_reason,
    noteKeys: row.notes.map((n) => `deadline.note.${n}`),
    uncertain: (rule?.uncertain?.length ?? 0) > 0,
    filing:
      withEvidence && row.filed_at
        ? {
            filedAt: row.filed_at.toISOString(),
            reference: row.filed_reference,
            text: row.filed_text,
            document:
              row.document_name && row.document_type && row.document_sha256
                ? {
                    name: row.document_name,
                    contentType: row.document_type,
                    size: row.document_size ?? 0,
                    sha256: row.document_sha256,
                  }
                : null,
          }
        : null,
  };
}

/** Filings' evidence (reference, text, document) only for those who may read reports. */
export function clockList(snapshot: ClockSnapshot, withEvidence: boolean): ClockList {
  return {
    now: snapshot.now.toISOString(),
    clocks: snapshot.rows.map((r) => clockView(r, snapshot.now, withEvidence)),
  };
}

/** One clock of the snapshot (it holds it: the clock was just filed or waived). */
export function oneClock(snapshot: ClockSnapshot, clockId: string, withEvidence: boolean): ClockView {
  return clockView(
    snapshot.rows.find((r) => r.id === clockId)!,
    snapshot.now,
    withEvidence,
  );
}

export function warningView(r: WarningRow): WarningView {
  return {
    id: r.id,
    incidentId: r.incident_id,
    incidentNumber: r.number,
    incidentTitle: r.title,
    clockId: r.clock_id,
    ruleId: r.rule_id,
    titleKey: `deadline.rule.${r.rule_id}`,
    jurisdiction: r.jurisdiction,
    timeZone: r.time_zone,
    threshold: r.threshold,
    dueAt: r.due_at.toISOString(),
    isExercise: r.is_exercise,
    createdAt: r.created_at.toISOString(),
    readAt: iso(r.read_at),
  };
}
