import type { Sql } from '../../platform/db.js';
import type { Role } from '../access/index.js';

/** invitations: open while neither accepted, revoked nor expired. */

export interface InvitationRow {
  id: string;
  email: string;
  roles: string[];
  expires_at: Date;
  created_at: Date;
}

export async function listOpenInvitations(tx: Sql): Promise<InvitationRow[]> {
  return tx.query<InvitationRow>(
    `SELECT id, email, roles, expires_at, created_at FROM invitations
     WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at`,
  );
}

export async function insertInvitation(
  tx: Sql,
  invitation: {
    organizationId: string;
    email: string;
    roles: Role[];
    tokenHash: Buffer;
    invitedBy: string;
    days: number;
  },
): Promise<{ id: string; expires_at: Date; created_at: Date }> {
  const rows = await tx.query<{ id: string; expires_at: Date; created_at: Date }>(
    `INSERT INTO invitations (organization_id, email, roles, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id, expires_at, created_at`,
    [
      invitation.organizationId,
      invitation.email,
      invitation.roles,
      invitation.tokenHash,
      invitation.invitedBy,
      invitation.days,
    ],
  );
  return rows[0]!;
}

/** False when there is no open invitation of that id. */
export async function markInvitationRevoked(tx: Sql, id: string): Promise<boolean> {
  const rows = await tx.query(
    'UPDATE invitations SET revoked_at = now() WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id',
    [id],
  );
  return rows.length > 0;
}

/** An open invitation with its organization's name, for the person invited. */
export async function findOpenInvitation(
  tx: Sql,
  id: string,
): Promise<{ email: string; roles: string[]; name: string } | undefined> {
  const rows = await tx.query<{ email: string; roles: string[]; name: string }>(
    `SELECT i.email, i.roles, o.name FROM invitations i JOIN organizations o ON o.id = i.organization_id
     WHERE i.id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`,
    [id],
  );
  return rows[0];
}

/** Marks an open invitation accepted: undefined when it is no longer open. */
export async function markInvitationAccepted(
  tx: Sql,
  id: string,
): Promise<{ email: string; roles: Role[] } | undefined> {
  const rows = await tx.query<{ email: string; roles: Role[] }>(
    `UPDATE invitations SET accepted_at = now()
     WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
     RETURNING email, roles`,
    [id],
  );
  return rows[0];
}
