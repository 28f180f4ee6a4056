import { hashToken, newToken } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { rolesGrant, type Permission, type Role } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { insertToken, markTokenRevoked, type TokenRow } from './token-repo.js';

/** Who asks, in their organization's transaction. */
export interface TokenCaller {
  organizationId: string;
  userId: string;
  /** The creator's roles: a token never carries a permission they do not hold themselves. */
  roles: readonly Role[];
  actor: AuditActor;
}

/**
 * A new token, audited: its secret is returned this once and stored only as
 * a hash; the first characters stay visible as its prefix.
 */
export async function createToken(
  tx: Sql,
  auditKey: Buffer,
  caller: TokenCaller,
  input: { name: string; scopes: Permission[]; expiresInDays: number | null },
): Promise<{ token: string; row: TokenRow }> {
  // Separation of duties holds for machines too: an admin who is not legal cannot mint a token
  // that files reports or approves notices (granting themselves the role is audited).
  const notHeld = input.scopes.find((scope) => !rolesGrant(caller.roles, scope));
  if (notHeld) throw new AppError('token_scope_not_held', { scope: notHeld });
  const secret = newToken();
  const prefix = secret.slice(0, 8);
  const token = `cnd_${secret}`;
  const row = await insertToken(tx, {
    organizationId: caller.organizationId,
    name: input.name,
    prefix: `cnd_${prefix}`,
    tokenHash: hashToken(token),
    scopes: input.scopes,
    createdBy: caller.userId,
    expiresInDays: input.expiresInDays,
  });
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'api_token.created',
    targetType: 'api_token',
    targetId: row.id,
    data: { scopes: input.scopes },
  });
  return { token, row };
}

export async function revokeToken(
  tx: Sql,
  auditKey: Buffer,
  caller: Omit<TokenCaller, 'userId' | 'roles'>,
  id: string,
): Promise<void> {
  if (!(await markTokenRevoked(tx, id))) throw new AppError('not_found');
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'api_token.revoked',
    targetType: 'api_token',
    targetId: id,
  });
}
