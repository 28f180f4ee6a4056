import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { withOrg } from '../../platform/db.js';

const t = await createTestApp();

describe('GET /api/people', () => {
  it('gives an incident manager the active people of the organization, without e-mail addresses', async () => {
    const org = await createOrganization(t);
    const manager = await createUser(t, org, ['incident_manager'], { totp: false });
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const gone = await createUser(t, org, ['support'], { totp: false });
    await withOrg(t.db, org, (tx) =>
      tx.query(`UPDATE users SET status = 'deactivated' WHERE id = $1`, [gone.id]),
    );

    const response = await (await sessionFor(t, manager)).get('/api/people');
    expect(response.statusCode, response.body).toBe(200);
    const people = response.json<Record<string, unknown>[]>();
    expect(people.map((p) => p.id).sort()).toEqual([manager.id, legal.id].sort());
    for (const person of people) expect(Object.keys(person).sort()).toEqual(['displayName', 'id', 'roles']);
    expect(people.find((p) => p.id === legal.id)).toMatchObject({ roles: ['legal'] });
    expect(response.body).not.toContain(manager.email);
    expect(response.body).not.toContain(legal.email);
    expect(response.body).not.toContain('@');
  });

  it('refuses a viewer', async () => {
    const org = await createOrganization(t);
    const viewer = await createUser(t, org, ['viewer'], { totp: false });
    const response = await (await sessionFor(t, viewer)).get('/api/people');
    expect(response.statusCode).toBe(403);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('forbidden');
  });

  it('never lists another organization’s people', async () => {
    const home = await createOrganization(t);
    const foreign = await createOrganization(t);
    const admin = await createUser(t, home, ['admin'], { totp: false });
    const outsider = await createUser(t, foreign, ['incident_manager'], { totp: false });
    const ids = (await (await sessionFor(t, admin)).get('/api/people'))
      .json<{ id: string }[]>()
      .map((p) => p.id);
    expect(ids).toEqual([admin.id]);
    expect(ids).not.toContain(outsider.id);
    const theirs = (await (await sessionFor(t, outsider)).get('/api/people'))
      .json<{ id: string }[]>()
      .map((p) => p.id);
    expect(theirs).toEqual([outsider.id]);
  });
});
