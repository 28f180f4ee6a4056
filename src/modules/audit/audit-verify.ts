import type { Database } from '../../platform/db.js';
import { eventHash, GENESIS_HASH, positionMac } from './audit-chain.js';
import { chainPage, findSignedHead, listCheckpoints, listOrganizationIds } from './audit-repo.js';

export interface ChainReport {
  organizationId: string;
  events: number;
  ok: boolean;
  /** The first problem found, naming the row (seq) at fault. */
  problem?: string;
}

const PAGE = 1000;

/**
 * Verifies every organization's chain. A cross-organization path: it runs
 * as the owner (the CLI, or the server on the CLI's behalf), never in a request.
 */
export async function verifyAuditChains(db: Database, auditKey: Buffer): Promise<ChainReport[]> {
  const orgs = await listOrganizationIds(db);
  const reports: ChainReport[] = [];
  for (const { id } of orgs) reports.push(await verifyChain(db, auditKey, id));
  return reports;
}

export async function verifyChain(
  db: Database,
  auditKey: Buffer,
  organizationId: string,
): Promise<ChainReport> {
  const fail = (events: number, problem: string): ChainReport => ({
    organizationId,
    events,
    ok: false,
    problem,
  });
  const hashAt = new Map<number, string>();
  const checkpoints = await listCheckpoints(db, organizationId);
  const wanted = new Set(checkpoints.map((c) => c.seq));
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await chainPage(db, organizationId, expectedSeq, PAGE);
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return fail(
          count,
          `row ${expectedSeq} was removed (the chain jumps from ${expectedSeq - 1} to ${row.seq})`,
        );
      }
      const recomputed = eventHash({
        organizationId: row.organization_id,
        seq: row.seq,
        occurredAt: row.occurred_at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        requestId: row.request_id,
        data: row.data,
        prevHash: row.prev_hash,
      });
      if (recomputed !== row.hash)
        return fail(count, `row ${row.seq} was altered (its content does not match its hash)`);
      if (row.prev_hash !== prevHash) {
        return fail(
          count,
          `row ${row.seq} was inserted or its predecessor altered (its link to row ${row.seq - 1} is broken)`,
        );
      }
      if (wanted.has(row.seq)) hashAt.set(row.seq, row.hash);
      prevHash = row.hash;
      expectedSeq++;
      count++;
    }
    if (rows.length < PAGE) break;
  }
  const lastSeq = expectedSeq - 1;

  for (const cp of checkpoints) {
    if (cp.mac !== positionMac(auditKey, organizationId, cp.seq, cp.hash)) {
      return fail(count, `checkpoint at row ${cp.seq} was forged (bad signature)`);
    }
    if (cp.seq > lastSeq) {
      return fail(
        count,
        `the tail was truncated: checkpoint at row ${cp.seq} but the chain ends at row ${lastSeq}`,
      );
    }
    if (hashAt.get(cp.seq) !== cp.hash) {
      return fail(count, `the chain was re-hashed after the checkpoint at row ${cp.seq}`);
    }
  }

  const head = await findSignedHead(db, organizationId);
  if (!head) {
    return lastSeq === 0
      ? { organizationId, events: 0, ok: true }
      : fail(count, 'the signed head of the chain is missing');
  }
  if (head.mac !== positionMac(auditKey, organizationId, head.seq, head.hash)) {
    return fail(count, `the head of the chain (row ${head.seq}) was forged (bad signature)`);
  }
  if (head.seq > lastSeq) {
    return fail(count, `the tail was truncated: rows ${lastSeq + 1} to ${head.seq} are missing`);
  }
  if (head.seq < lastSeq) return fail(count, `row ${head.seq + 1} was inserted after the signed head`);
  if (head.hash !== prevHash)
    return fail(count, `the chain was re-hashed (row ${head.seq} does not match the signed head)`);
  return { organizationId, events: count, ok: true };
}
