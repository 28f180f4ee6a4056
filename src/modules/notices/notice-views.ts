import type { Sql } from '../../platform/db.js';
import type { IncidentRow } from '../incidents/index.js';
import { candourCheck, type CandourFlag } from './notice-candour.js';
import {
  listAcceptances,
  listVersions,
  organizationLocale,
  readersByLocale,
  type Notice,
  type NoticeVersion,
} from './notice-repo.js';
import type { NoticeView } from './notice-schemas.js';
import { listSends, type NoticeSend } from './send-repo.js';

// What leaves the server about a notice: its versions, candour flags, readers and sends.

export const iso = (d: Date) => d.toISOString();

const summary = (v: NoticeVersion) => ({
  id: v.id,
  version: v.version,
  authorId: v.authorId,
  createdAt: iso(v.createdAt),
  approvedBy: v.approvedBy,
  approvedAt: v.approvedAt ? iso(v.approvedAt) : null,
});

/** A version's candour flags, each with its acceptance, and its readers by language. */
export async function flagsOf(tx: Sql, incident: IncidentRow, version: NoticeVersion) {
  const fallback = await organizationLocale(tx);
  const readers = await readersByLocale(tx, incident.id, incident.is_exercise, fallback);
  const flags = candourCheck({
    content: version.content,
    customersByLocale: readers,
    defaultLocale: fallback,
  });
  const accepted = new Map((await listAcceptances(tx, version.id)).map((a) => [a.flagId, a]));
  return {
    readers,
    flags: flags.map((f: CandourFlag) => {
      const a = accepted.get(f.id);
      return {
        ...f,
        accepted: a ? { reason: a.reason, acceptedBy: a.acceptedBy, acceptedAt: iso(a.acceptedAt) } : null,
      };
    }),
  };
}

export const sendView = (s: NoticeSend, versions: Map<string, number>) => ({
  id: s.id,
  noticeVersionId: s.noticeVersionId,
  version: versions.get(s.noticeVersionId) ?? 0,
  kind: s.kind,
  channels: s.channels,
  audience: s.audience,
  scheduledAt: iso(s.scheduledAt),
  status: s.status,
  requestedBy: s.requestedBy,
  createdAt: iso(s.createdAt),
});

export async function view(tx: Sql, notice: Notice, incident: IncidentRow): Promise<NoticeView> {
  const versions = await listVersions(tx, notice.id, 1000);
  const latest = versions[0]!;
  const { flags, readers } = await flagsOf(tx, incident, latest);
  const numbers = new Map(versions.map((v) => [v.id, v.version]));
  return {
    id: notice.id,
    incidentId: notice.incidentId,
    kind: notice.kind,
    isExercise: incident.is_exercise,
    createdAt: iso(notice.createdAt),
    latest: { ...summary(latest), content: latest.content, links: latest.links, flags, readers },
    versions: versions.map(summary),
    sends: (await listSends(tx, notice.id)).map((s) => sendView(s, numbers)),
  };
}
