import { createHash } from 'node:crypto';
import { hmac } from '../../platform/crypto.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  organizationId: string;
  seq: number;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
}

/** JSON with object keys sorted at every depth, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function eventHash(event: ChainedEvent): string {
  const body = canonicalJson({ ...event, occurredAt: event.occurredAt.toISOString() });
  return createHash('sha256').update(body).digest('hex');
}

/** The MAC that signs a chain position; made with a key the database never holds. */
export function positionMac(auditKey: Buffer, organizationId: string, seq: number, hash: string): string {
  return hmac(auditKey, `${organizationId}:${seq}:${hash}`);
}
