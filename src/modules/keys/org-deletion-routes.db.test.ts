import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';

const t = await createTestApp();
const name = `Closing Shop ${Date.now().toString(36)}`;
const org = await createOrganization(t, { name });
const adminUser = await createUser(t, org, ['admin'], { totp: false });
const admin = await sessionFor(t, adminUser);
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));
const created = await manager.post('/api/customers', {
  externalId: 'c-1',
  name: sensitive('Libuše Odcházející'),
  email: sensitive('libuse.odchazejici@example.cz'),
  country: 'CZ',
});
expect(created.statusCode, created.body).toBe(201);

const remove = (agent: typeof admin, body: Record<string, unknown>) =>
  agent.request('DELETE', '/api/organization', body);
const stillThere = async () =>
  (await t.db.query('SELECT 1 FROM organizations WHERE id = $1', [org])).length === 1;

describe('DELETE /api/organization', () => {
  it('is for admins only', async () => {
    const response = await remove(manager, { password: 'whatever', confirm: name });
    expect(response.statusCode).toBe(403);
    expect(await stillThere()).toBe(true);
  });

  it('asks for the admin’s password again', async () => {
    const response = await remove(admin, { password: 'not-the-password', confirm: name });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_credentials');
    expect(await stillThere()).toBe(true);
  });

  it('asks for the organization’s exact name', async () => {
    const response = await remove(admin, { password: adminUser.password, confirm: 'Closing' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
    expect((await remove(admin, { password: adminUser.password })).statusCode).toBe(400);
    expect(await stillThere()).toBe(true);
  });

  it('deletes the organization with its keys and answers the receipt, also logged', async () => {
    const response = await remove(admin, { password: adminUser.password, confirm: name });
    expect(response.statusCode, response.body).toBe(200);
    const receipt = response.json<{
      organizationId: string;
      keysDestroyed: number;
      rows: Record<string, number>;
    }>();
    expect(receipt).toMatchObject({ organizationId: org, keysDestroyed: 2 });
    expect(receipt.rows).toMatchObject({ customers: 1, users: 2, organization_keys: 2 });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await stillThere()).toBe(false);
    expect(await t.db.query('SELECT 1 FROM organization_keys WHERE organization_id = $1', [org])).toEqual([]);
    const logged = t.logs.find((l) => l.includes('"msg":"organization deleted"'));
    expect(logged).toContain(org);
    expect(logged).not.toContain(name);
    // The sessions went with it.
    expect((await admin.get('/api/organization')).statusCode).toBe(401);
  });
});
