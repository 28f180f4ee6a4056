import { randomBytes, randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { expect } from 'vitest';
import { hashToken, newToken, seal } from '../src/platform/crypto.js';
import { csrfTokenFor } from '../src/modules/accounts/session-service.js';
import { withOrg, type Sql } from '../src/platform/db.js';
import type { Role } from '../src/modules/access/permissions.js';
import type { DeclareBody } from '../src/modules/incidents/incident-schemas.js';
import { mfaKeys } from '../src/modules/accounts/mfa-service.js';
import { hashPassword } from '../src/modules/accounts/password.js';
import type { NoticeKind } from '../src/modules/notices/notice-contracts.js';
import { templateFor } from '../src/modules/notices/notice-templates.js';
import { Agent } from './agent.js';
import type { TestApp } from './app.js';
import { sensitive } from './secrets.js';

export interface TestUser {
  id: string;
  organizationId: string;
  email: string;
  password: string;
  roles: Role[];
  totpSecret: string;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function createOrganization(t: TestApp, options: { name?: string; requireMfa?: boolean } = {}) {
  const id = randomUUID();
  await withOrg(t.db, id, (tx) =>
    tx.query('INSERT INTO organizations (id, name, require_mfa) VALUES ($1, $2, $3)', [
      id,
      options.name ?? `Org ${unique()}`,
      options.requireMfa ?? true,
    ]),
  );
  return id;
}

/** A user with a password and an enrolled TOTP authenticator. */
export async function createUser(
  t: TestApp,
  organizationId: string,
  roles: Role[],
  options: { totp?: boolean } = {},
): Promise<TestUser> {
  const email = sensitive(`user-${unique()}@example.test`);
  const password = sensitive(`pw-${randomBytes(12).toString('base64url')}`);
  const totpSecret = sensitive(new OTPAuth.Secret({ size: 20 }).base32);
  const id = randomUUID();
  const keys = mfaKeys(t.config.secrets.masterKey);
  await withOrg(t.db, organizationId, async (tx) =>
    tx.query(
      `INSERT INTO users (id, organization_id, email, display_name, password_hash, roles, totp_secret, totp_enabled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        id,
        organizationId,
        email,
        sensitive(`Name ${unique()}`),
        await hashPassword(password),
        roles,
        options.totp === false ? null : seal(keys.totp, totpSecret, `totp:${id}`),
        options.totp === false ? null : new Date(),
      ],
    ),
  );
  return { id, organizationId, email, password, roles, totpSecret };
}

const lastStep = new Map<string, number>();

/**
 * A code the server will accept: the current time step, or the next one when
 * this secret's current code was already used (codes are never accepted twice).
 */
export function freshTotpCode(secret: string): string {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (lastStep.get(secret) ?? 0) + 1);
  if (step > now + 1) throw new Error('Two TOTP sign-ins of one user in one 30 s step: use another user');
  lastStep.set(secret, step);
  return totpCode(secret, step * 30_000);
}

export function totpCode(secret: string, at = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  });
}

/** Signs in through the real endpoints: password, then a TOTP code. */
export async function signIn(t: TestApp, user: TestUser, agent = new Agent(t.app)): Promise<Agent> {
  const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
  expect(first.statusCode, first.body).toBe(200);
  if (first.json<{ state: string }>().state === 'mfa') {
    const second = await agent.post('/api/auth/mfa/totp', { code: freshTotpCode(user.totpSecret) });
    expect(second.statusCode, second.body).toBe(200);
  }
  return agent;
}

/** A signed-in agent without the sign-in flow: a session row made directly (fast, for big matrices). */
export async function sessionFor(t: TestApp, user: TestUser): Promise<Agent> {
  const token = sensitive(newToken());
  const rows = await withOrg(t.db, user.organizationId, (tx) =>
    tx.query<{ id: string }>(
      `INSERT INTO sessions (organization_id, user_id, token_hash, state, expires_at)
       VALUES ($1, $2, $3, 'active', now() + interval '1 hour') RETURNING id`,
      [user.organizationId, user.id, hashToken(token)],
    ),
  );
  const agent = new Agent(t.app);
  agent.cookies.set('candor_session', token);
  agent.csrfToken = csrfTokenFor(t.app, rows[0]!.id);
  return agent;
}

/** An incident declared through the API by a fresh incident manager of the organization. */
export async function createIncident(
  t: TestApp,
  organizationId: string,
  body: Partial<DeclareBody> = {},
  by?: TestUser,
): Promise<{ id: string; number: number; manager: TestUser; agent: Agent }> {
  const manager = by ?? (await createUser(t, organizationId, ['incident_manager'], { totp: false }));
  const agent = await sessionFor(t, manager);
  const response = await agent.post('/api/incidents', {
    title: `Incident ${unique()}`,
    type: 'data_breach',
    severity: 'SEV2',
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  const { id, number } = response.json<{ id: string; number: number }>();
  return { id, number, manager, agent };
}

/**
 * A notice with one version as the drafting side leaves it once approved: written by the
 * author, approved by someone else, the data-breach template as its content. Runs in the
 * caller's transaction; returns the version's id.
 */
export async function createApprovedNotice(
  tx: Sql,
  options: {
    organizationId: string;
    incidentId: string;
    authorId: string;
    approverId: string;
    version?: number;
    kind?: NoticeKind;
  },
): Promise<string> {
  const { organizationId, incidentId, authorId, approverId } = options;
  const [notice] = await tx.query<{ id: string }>(
    `INSERT INTO notices (organization_id, incident_id, kind, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [organizationId, incidentId, options.kind ?? 'mandatory', authorId],
  );
  const content = templateFor({ type: 'data_breach', hasSupportUrl: false, hasLookupUrl: false });
  const [version] = await tx.query<{ id: string }>(
    `INSERT INTO notice_versions (organization_id, incident_id, notice_id, version, content, author_id, approved_by, approved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id`,
    [
      organizationId,
      incidentId,
      notice!.id,
      options.version ?? 1,
      JSON.stringify(content),
      authorId,
      approverId,
    ],
  );
  return version!.id;
}
