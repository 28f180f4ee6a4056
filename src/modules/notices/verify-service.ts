import { hmac } from '../../platform/crypto.js';
import { asApp, withOrg, type Database } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { countLookup } from '../lookup/index.js';
import {
  locateVerification,
  normalizeVerificationCode,
  readVerification,
  verificationKeys,
  type VerifiedNotice,
} from './notice-verification.js';

/** Checks allowed per IP in one hour (every check counts, genuine or not). */
export const VERIFY_LIMIT_PER_IP = 20;
export const verifyIpKey = (sessionKey: Buffer, ip: string) =>
  `verify:ip:${hmac(sessionKey, `verify-ip:${ip}`)}`;

export interface VerifyDeps {
  db: Database;
  keyring: OrganizationKeyring;
  secrets: {
    sessionKey: Buffer;
    auditKey: Buffer;
    masterKey: Buffer;
    previousMasterKeys?: readonly Buffer[];
  };
}

/**
 * The public check of a code, as a function of (ip, request id, code as typed): counted against
 * the IP first (PostgreSQL, shared by every process), then located across organizations and read,
 * counted and audited in its organization. Undefined when the code is not one of ours.
 */
export function verificationChecker(
  deps: VerifyDeps,
): (check: { ip: string; requestId: string; code: string }) => Promise<VerifiedNotice | undefined> {
  const { db, keyring, secrets } = deps;
  const indexKeys = verificationKeys(secrets);
  return async ({ ip, requestId, code: typed }) => {
    await asApp(db, (tx) =>
      countLookup(tx, [{ key: verifyIpKey(secrets.sessionKey, ip), limit: VERIFY_LIMIT_PER_IP }]),
    );
    const code = normalizeVerificationCode(typed);
    if (!code) {
      throw new AppError('validation_failed', {
        where: 'body/code',
        problem: 'a code has 12 letters and digits, like K7QF-2M9X-D4TA',
      });
    }
    const located = await asApp(db, (tx) => locateVerification(tx, indexKeys, code));
    if (!located) return undefined;
    return withOrg(
      db,
      located.organizationId,
      async (tx) => {
        const keys = await keyring.get(tx, located.organizationId);
        const found = await readVerification(tx, keys, located.codeIndex);
        if (found) {
          await appendAudit(tx, secrets.auditKey, located.organizationId, systemActor(requestId), {
            action: 'notice.verification_checked',
            targetType: 'delivery',
            targetId: found.deliveryId,
            data: { channel: found.channel },
          });
        }
        return found;
      },
      { system: true },
    );
  };
}
