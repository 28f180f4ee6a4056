import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../test/agent.js';
import { createTestApp } from '../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../test/factories.js';
import { sensitive } from '../../test/secrets.js';
import { projectRoot } from './paths.js';

const t = await createTestApp({ LOG_LEVEL: 'debug' });

interface Line {
  level: number;
  msg: string;
  method?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  reqId?: string;
  organizationId?: string;
  actorId?: string;
}
const DEBUG = 20;
const INFO = 30;
const ERROR = 50;

/** The log lines a request wrote (the app logs nothing else while these tests run). */
async function linesOf(request: () => Promise<unknown>): Promise<{ lines: Line[]; raw: string }> {
  const from = t.logs.length;
  await request();
  const raw = t.logs.slice(from).join('');
  const lines = raw
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  return { lines, raw };
}

describe('one log line per request', () => {
  it('names method, route pattern, status and duration, at info, and nothing of the URL or body', async () => {
    const id = randomUUID();
    const email = sensitive('jana.novakova@example.test');
    const { lines, raw } = await linesOf(() =>
      t.app.inject({ url: `/api/incidents/${id}?email=${encodeURIComponent(email)}&q=secret-search` }),
    );
    expect(lines).toEqual([
      {
        level: INFO,
        time: expect.any(String),
        service: 'candor',
        reqId: expect.any(String),
        msg: 'request',
        method: 'GET',
        route: '/api/incidents/:id',
        status: 401,
        durationMs: expect.any(Number),
      },
    ]);
    expect(raw).not.toContain(id);
    expect(raw).not.toContain('secret-search');
    expect(raw).not.toContain('?');

    const password = sensitive('correct horse battery staple');
    const signIn = await linesOf(() =>
      new Agent(t.app).post('/api/auth/sign-in', { email: sensitive('petr@example.test'), password }),
    );
    expect(signIn.lines.filter((l) => l.msg === 'request')).toMatchObject([
      { level: INFO, method: 'POST', route: '/api/auth/sign-in' },
    ]);
  });

  it('writes health probes and metric scrapes at debug', async () => {
    for (const url of ['/healthz', '/readyz']) {
      const { lines } = await linesOf(() => t.app.inject(url));
      expect(lines).toMatchObject([{ level: DEBUG, msg: 'request', route: url, status: 200 }]);
    }
    const scrape = await linesOf(() =>
      t.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${t.config.secrets.metricsToken}` },
      }),
    );
    expect(scrape.lines).toMatchObject([{ level: DEBUG, route: '/metrics', status: 200 }]);
  });

  it('writes the admin app’s files and page shells at debug, under one route label also in /metrics', async () => {
    const asset = readdirSync(path.join(projectRoot, 'dist', 'web', 'assets')).find((f) => f.endsWith('.js'));
    expect(asset, 'the admin app is built (npm run build)').toBeDefined();
    const file = await linesOf(() => t.app.inject(`/assets/${asset}`));
    expect(file.lines).toMatchObject([{ level: DEBUG, route: 'static', status: 200 }]);
    const page = await linesOf(() => t.app.inject('/incidents'));
    expect(page.lines).toMatchObject([{ level: DEBUG, route: 'static', status: 200 }]);

    // An unknown API path is no page: a 404 at info, without its path.
    const missing = await linesOf(() => t.app.inject('/api/no-such-thing'));
    expect(missing.lines).toMatchObject([{ level: INFO, route: 'unmatched', status: 404 }]);
    expect(missing.raw).not.toContain('no-such-thing');

    const metrics = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${t.config.secrets.metricsToken}` },
    });
    expect(metrics.body).toContain('route="static"');
    expect(metrics.body).not.toContain(asset);
  });

  it('writes a server error at error level, with the organization and actor', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin'], { totp: false });
    const agent = await sessionFor(t, admin);
    await t.db.query('ALTER TABLE invitations RENAME TO invitations_gone');
    try {
      const { lines } = await linesOf(() => agent.get('/api/invitations'));
      expect(lines.filter((l) => l.msg === 'request')).toMatchObject([
        { level: ERROR, route: '/api/invitations', status: 500, organizationId: org, actorId: admin.id },
      ]);
    } finally {
      await t.db.query('ALTER TABLE invitations_gone RENAME TO invitations');
    }
  });
});
