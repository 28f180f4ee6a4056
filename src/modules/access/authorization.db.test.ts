import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp, rebuildApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor, type TestUser } from '../../../test/factories.js';
import { PERMISSIONS, ROLES, type Access, type Role } from './permissions.js';

const t = await createTestApp();
const home = await createOrganization(t);
const foreign = await createOrganization(t);
const users = Object.fromEntries(
  await Promise.all(
    ROLES.map(async (role) => [role, await createUser(t, home, [role], { totp: false })] as const),
  ),
) as Record<Role, TestUser>;
const target = await createUser(t, home, ['viewer'], { totp: false });
const foreignAdmin = await createUser(t, foreign, ['admin'], { totp: false });

// The table of cases is Fastify's own route list.
const apiRoutes = t.app.routeAccess.filter((r) => r.url.startsWith('/api/') && r.url !== '/api/openapi.json');

function allowed(access: Access, role: Role): boolean {
  switch (access.kind) {
    case 'public':
    case 'session':
    case 'enrolled':
    case 'user':
      return true;
    case 'permission':
      return (PERMISSIONS[access.permission] as readonly Role[]).includes(role);
  }
}

const urlFor = (url: string, id: string) => url.replace(/:id\b/g, id);
const denied = (code: string | undefined) => code === 'forbidden' || code === 'unauthenticated';

describe('authorization matrix', () => {
  it('covers every API route', () => {
    expect(apiRoutes.length).toBeGreaterThan(30);
    for (const r of apiRoutes) expect(r.access, `${r.method} ${r.url}`).toBeDefined();
  });

  it('refuses to build an app with an API route that declares no access rule', async () => {
    const app = await rebuildApp(t);
    expect(() => app.get('/api/unguarded', async () => 'open')).toThrow(/declares no access rule/);
    await app.close();
  });

  it.each(ROLES)('every route answers the %s role as the matrix says', async (role) => {
    for (const route of apiRoutes) {
      const agent = await sessionFor(t, users[role]);
      const response = await agent.request(
        route.method as 'GET',
        urlFor(route.url, target.id),
        route.method === 'GET' ? undefined : {},
      );
      const code =
        response.statusCode >= 400 ? response.json<{ error?: { code: string } }>().error?.code : undefined;
      const label = `${role} ${route.method} ${route.url} -> ${response.statusCode} ${code ?? ''}`;
      expect(response.statusCode, label).toBeLessThan(500);
      if (allowed(route.access, role)) expect(denied(code), label).toBe(false);
      else {
        expect(response.statusCode, label).toBe(403);
        expect(code, label).toBe('forbidden');
      }
    }
  });

  it('anonymous callers reach only public routes', async () => {
    for (const route of apiRoutes) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: urlFor(route.url, target.id),
        headers: { origin: t.config.publicUrl.origin },
        ...(route.method === 'GET' ? {} : { payload: {} }),
      });
      const code =
        response.statusCode >= 400 ? response.json<{ error?: { code: string } }>().error?.code : undefined;
      const label = `anonymous ${route.method} ${route.url} -> ${response.statusCode}`;
      if (route.access.kind === 'public') expect(denied(code), label).toBe(false);
      else expect(response.statusCode, label).toBe(401);
    }
  });

  it("an admin of another organization never reaches this organization's records", async () => {
    const before = await t.db.query('SELECT roles, status, display_name FROM users WHERE id = $1', [
      target.id,
    ]);
    for (const route of apiRoutes.filter((r) => r.url.includes(':id'))) {
      const agent = await sessionFor(t, foreignAdmin);
      const response = await agent.request(
        route.method as 'GET',
        urlFor(route.url, target.id),
        route.method === 'GET' ? undefined : { roles: ['admin'] },
      );
      expect(response.statusCode, `${route.method} ${route.url}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${route.method} ${route.url}`).not.toBe(500);
    }
    const after = await t.db.query('SELECT roles, status, display_name FROM users WHERE id = $1', [
      target.id,
    ]);
    expect(after).toEqual(before);
    // And lists show only their own organization.
    const agent = await sessionFor(t, foreignAdmin);
    const listed = (await agent.get('/api/users')).json<{ id: string }[]>().map((u) => u.id);
    expect(listed).toEqual([foreignAdmin.id]);
    const audit = (await agent.get('/api/audit')).json<{ events: { targetId: string | null }[] }>().events;
    expect(audit.some((e) => e.targetId === target.id)).toBe(false);
  });

  it('an unknown id is a 404, not an error', async () => {
    const agent = await sessionFor(t, users.admin);
    const response = await agent.post(`/api/users/${randomUUID()}/deactivate`);
    expect(response.statusCode).toBe(404);
  });
});
