import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import type { Agent } from '../../../test/agent.js';
import { withOrg } from '../../platform/db.js';
import { loadPublicIncident, loadSiteHome } from './index.js';

const t = await createTestApp();

const slug = () => `acme-${randomBytes(4).toString('hex')}`;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const errorOf = (r: LightMyRequestResponse) =>
  r.json<{ error: { code: string; details?: Record<string, string> } }>().error;

const pageTexts = {
  en: { title: 'Card data exposed', summary: 'Some card numbers were read by an intruder.' },
  ar: { title: 'كشف بيانات البطاقات', summary: 'قرأ متسلل بعض أرقام البطاقات.' },
};
const updateBody = (status = 'investigating', nextUpdateBy: string | null = inAnHour()) => ({
  status,
  texts: {
    en: { message: `We are ${status}.`, customerActions: 'Watch your statements.' },
    cs: { message: `Stav: ${status}.`, customerActions: '' },
  },
  nextUpdateBy,
});

interface TrustView {
  page: { id: string; publicId: string; firstPublishedAt: string | null } | null;
  updates: {
    id: string;
    state: string;
    status: string;
    authorId: string | null;
    approvedBy: string | null;
  }[];
  requireApproval: boolean;
}

/** An organization with its people: an admin, a writer (communications), a legal approver. */
async function organization(options: { requireApproval?: boolean; published?: boolean } = {}) {
  const org = await createOrganization(t, { name: sensitive(`Acme ${randomBytes(3).toString('hex')}`) });
  const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
  const writerUser = await createUser(t, org, ['communications'], { totp: false });
  const writer = await sessionFor(t, writerUser);
  const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
  const site = {
    slug: slug(),
    published: options.published ?? true,
    requireApproval: options.requireApproval ?? true,
  };
  const saved = await admin.put('/api/trust/site', { ...site, supportUrl: 'https://help.example.test/' });
  expect(saved.statusCode, saved.body).toBe(200);
  return { org, admin, writer, writerUser, legal, slug: site.slug };
}

async function draft(writer: Agent, incidentId: string, body = updateBody()) {
  const created = await writer.post(`/api/incidents/${incidentId}/trust/updates`, body);
  expect(created.statusCode, created.body).toBe(201);
  return created.json<TrustView>().updates[0]!;
}

async function withPage(writer: Agent, incidentId: string) {
  const page = await writer.put(`/api/incidents/${incidentId}/trust/page`, { texts: pageTexts });
  expect(page.statusCode, page.body).toBe(200);
  return page.json<TrustView>().page!;
}

describe('trust center: site settings', () => {
  it('saves the settings, and a slug another organization holds is a 409 naming slug', async () => {
    const a = await organization();
    const got = await a.admin.get('/api/trust/site');
    expect(got.json()).toMatchObject({
      site: {
        slug: a.slug,
        published: true,
        requireApproval: true,
        supportUrl: 'https://help.example.test/',
      },
    });
    const b = await organization();
    const taken = await b.admin.put('/api/trust/site', {
      slug: a.slug,
      published: false,
      requireApproval: true,
    });
    expect(taken.statusCode).toBe(409);
    expect(errorOf(taken)).toMatchObject({
      code: 'conflict',
      details: { where: 'body/slug', reason: 'slug_taken' },
    });
    // Its own settings are untouched by the refusal.
    expect((await b.admin.get('/api/trust/site')).json<{ site: { slug: string } }>().site.slug).toBe(b.slug);
  });

  it('refuses a bad slug and a support address that is not https, naming the field', async () => {
    const a = await organization();
    for (const [body, where] of [
      [{ slug: 'Acme', published: true, requireApproval: true }, 'body/slug'],
      [{ slug: '-acme', published: true, requireApproval: true }, 'body/slug'],
      [{ slug: 'ab', published: true, requireApproval: true }, 'body/slug'],
      [
        { slug: 'acme', published: true, requireApproval: true, supportUrl: 'http://x.test/' },
        'body/supportUrl',
      ],
      [
        { slug: 'acme', published: true, requireApproval: true, supportUrl: 'javascript:alert(1)' },
        'body/supportUrl',
      ],
    ] as const) {
      const refused = await a.admin.put('/api/trust/site', body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(refused).details?.where).toBe(where);
    }
  });

  it('only admins change the settings; everyone may read them', async () => {
    const a = await organization();
    expect(
      (await a.writer.put('/api/trust/site', { slug: slug(), published: true, requireApproval: false }))
        .statusCode,
    ).toBe(403);
    expect((await a.legal.get('/api/trust/site')).statusCode).toBe(200);
  });
});

describe('trust center: pages and updates', () => {
  it('drafts, approves by another user, publishes, and the public loaders show it', async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org);
    const empty = await a.writer.get(`/api/incidents/${incident.id}/trust`);
    expect(empty.json()).toEqual({ page: null, updates: [], requireApproval: true });

    // An update needs the page first.
    const early = await a.writer.post(`/api/incidents/${incident.id}/trust/updates`, updateBody());
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).details?.reason).toBe('trust_page_missing');

    const page = await withPage(a.writer, incident.id);
    expect(page.publicId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(page.firstPublishedAt).toBeNull();
    const update = await draft(a.writer, incident.id);
    expect(update).toMatchObject({ state: 'draft', status: 'investigating', authorId: a.writerUser.id });

    // A draft on a site that requires approval is not published.
    const tooSoon = await a.writer.post(`/api/trust/updates/${update.id}/publish`);
    expect(tooSoon.statusCode).toBe(409);
    expect(errorOf(tooSoon).details?.reason).toBe('trust_update_not_approved');
    expect(await loadPublicIncident(t.db, a.slug, page.publicId)).toBeUndefined();
    expect((await loadSiteHome(t.db, a.slug))!.incidents).toEqual([]);

    const approved = await a.legal.post(`/api/trust/updates/${update.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<TrustView>().updates[0]).toMatchObject({ state: 'approved' });
    const published = await a.writer.post(`/api/trust/updates/${update.id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    const after = published.json<TrustView>();
    expect(after.updates[0]!.state).toBe('published');
    expect(after.page!.firstPublishedAt).not.toBeNull();

    const shown = await loadPublicIncident(t.db, a.slug, page.publicId);
    expect(shown).toBeDefined();
    expect(shown!.site).toMatchObject({
      slug: a.slug,
      timeZone: 'UTC',
      defaultLocale: 'en',
      supportUrl: 'https://help.example.test/',
      supportEmail: null,
    });
    expect(shown!.incident).toMatchObject({
      publicId: page.publicId,
      texts: pageTexts,
      status: 'investigating',
      publishedAt: after.page!.firstPublishedAt,
      lookupPath: null,
    });
    expect(shown!.incident.updates).toHaveLength(1);
    expect(shown!.incident.updates[0]).toMatchObject({ id: update.id, status: 'investigating' });

    // A second update: drafts stay hidden, published ones come newest first; resolved closes the promise.
    const second = await draft(a.writer, incident.id, updateBody('resolved', null));
    const hidden = await loadPublicIncident(t.db, a.slug, page.publicId);
    expect(hidden!.incident.updates.map((u) => u.id)).toEqual([update.id]);
    expect((await a.legal.post(`/api/trust/updates/${second.id}/approve`)).statusCode).toBe(200);
    expect((await a.writer.post(`/api/trust/updates/${second.id}/publish`)).statusCode).toBe(200);
    const resolved = await loadPublicIncident(t.db, a.slug, page.publicId);
    expect(resolved!.incident.status).toBe('resolved');
    expect(resolved!.incident.updates.map((u) => u.id)).toEqual([second.id, update.id]);
    expect(resolved!.incident.updates[0]!.nextUpdateBy).toBeNull();
    // The first publication stays the first.
    expect(resolved!.incident.publishedAt).toBe(after.page!.firstPublishedAt);
    const home = await loadSiteHome(t.db, a.slug);
    expect(home!.incidents.map((i) => i.publicId)).toEqual([page.publicId]);

    // Audited, and on the incident's timeline.
    const actions = await withOrg(t.db, a.org, (tx) =>
      tx.query<{ action: string }>(
        'SELECT action FROM audit_events WHERE organization_id = $1 ORDER BY seq',
        [a.org],
      ),
    );
    const names = actions.map((r) => r.action);
    for (const action of [
      'trust.site_saved',
      'incident.trust_page_created',
      'incident.trust_update_drafted',
      'incident.trust_update_approved',
      'incident.trust_update_published',
    ]) {
      expect(names).toContain(action);
    }
    const timeline = await incident.agent.get(`/api/incidents/${incident.id}/timeline`);
    const kinds = timeline.json<{ kind: string }[]>().map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['trust_page_created', 'trust_update_published']));
  });

  it('the author cannot approve, nor the maker of the token that wrote it', async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org);
    await withPage(a.writer, incident.id);
    // A user who writes and approves (communications and legal): never their own update.
    const both = await sessionFor(
      t,
      await createUser(t, a.org, ['communications', 'legal'], { totp: false }),
    );
    const own = await draft(both, incident.id);
    const refused = await both.post(`/api/trust/updates/${own.id}/approve`);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('author_cannot_approve');

    // Written through a token: its maker cannot approve; another legal user can.
    const maker = await sessionFor(t, await createUser(t, a.org, ['admin', 'legal'], { totp: false }));
    const token = await maker.post('/api/tokens', { name: 'status bot', scopes: ['trust.write'] });
    expect(token.statusCode, token.body).toBe(201);
    const bearer = { authorization: `Bearer ${sensitive(token.json<{ token: string }>().token)}` };
    const viaToken = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${incident.id}/trust/updates`,
      headers: bearer,
      payload: updateBody(),
    });
    expect(viaToken.statusCode, viaToken.body).toBe(201);
    const machine = viaToken.json<TrustView>().updates[0]!;
    expect(machine.authorId).toBeNull();
    const byMaker = await maker.post(`/api/trust/updates/${machine.id}/approve`);
    expect(byMaker.statusCode).toBe(403);
    expect(errorOf(byMaker).code).toBe('author_cannot_approve');
    expect((await a.legal.post(`/api/trust/updates/${machine.id}/approve`)).statusCode).toBe(200);

    // And the database holds the rule too.
    await expect(
      withOrg(t.db, a.org, (tx) =>
        tx.query(`UPDATE trust_updates SET state = 'approved', approved_by = author_id WHERE id = $1`, [
          own.id,
        ]),
      ),
    ).rejects.toThrow();
    await expect(
      withOrg(t.db, a.org, (tx) =>
        tx.query(`UPDATE trust_updates SET state = 'published', published_at = now() WHERE id = $1`, [
          own.id,
        ]),
      ),
    ).rejects.toThrow(/needs approval/);
  });

  it('an edit of an approved update makes it a draft again, its editor the author', async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org);
    await withPage(a.writer, incident.id);
    const update = await draft(a.writer, incident.id);
    expect((await a.legal.post(`/api/trust/updates/${update.id}/approve`)).statusCode).toBe(200);
    const edited = await a.writer.put(`/api/trust/updates/${update.id}`, updateBody('identified'));
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<TrustView>().updates[0]).toMatchObject({
      state: 'draft',
      status: 'identified',
      approvedBy: null,
    });
    expect((await a.writer.post(`/api/trust/updates/${update.id}/publish`)).statusCode).toBe(409);
  });

  it('a site without approval publishes a draft directly; a published update never changes', async () => {
    const a = await organization({ requireApproval: false });
    const incident = await createIncident(t, a.org);
    const page = await withPage(a.writer, incident.id);
    const update = await draft(a.writer, incident.id);
    const published = await a.writer.post(`/api/trust/updates/${update.id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json<TrustView>().updates[0]).toMatchObject({ state: 'published', approvedBy: null });
    expect((await loadPublicIncident(t.db, a.slug, page.publicId))!.incident.updates).toHaveLength(1);

    for (const response of [
      await a.writer.put(`/api/trust/updates/${update.id}`, updateBody('contained')),
      await a.writer.post(`/api/trust/updates/${update.id}/publish`),
      await a.legal.post(`/api/trust/updates/${update.id}/approve`),
    ]) {
      expect(response.statusCode, response.body).toBe(409);
      expect(errorOf(response).details?.reason).toBe('trust_update_published');
    }
    await expect(
      withOrg(t.db, a.org, (tx) =>
        tx.query(`UPDATE trust_updates SET status = 'contained' WHERE id = $1`, [update.id]),
      ),
    ).rejects.toThrow();
  });

  it('refuses invalid texts and promises, naming the field', async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org);
    await withPage(a.writer, incident.id);
    const url = `/api/incidents/${incident.id}/trust/updates`;
    const ok = updateBody();
    const cases: [unknown, string][] = [
      [{ ...ok, texts: { ar: { message: 'رسالة\u0007', customerActions: '' } } }, 'body/texts/ar/message'],
      [
        { ...ok, texts: { en: { message: 'ok', customerActions: 'a\u202Eb' } } },
        'body/texts/en/customerActions',
      ],
      [{ ...ok, texts: { en: { message: 'x'.repeat(5001), customerActions: '' } } }, 'body/texts/en/message'],
      [
        { ...ok, texts: { en: { message: 'ok', customerActions: 'x'.repeat(3001) } } },
        'body/texts/en/customerActions',
      ],
      [{ ...ok, texts: { en: { message: '   ', customerActions: '' } } }, 'body/texts/en/message'],
      [{ ...ok, texts: {} }, 'body/texts'],
      [{ ...ok, texts: { fr: { message: 'Bonjour', customerActions: '' } } }, 'body/texts'],
      [{ ...ok, status: 'fixed' }, 'body/status'],
      [{ ...ok, nextUpdateBy: new Date(Date.now() - 60_000).toISOString() }, 'body/nextUpdateBy'],
      [{ ...ok, status: 'resolved', nextUpdateBy: inAnHour() }, 'body/nextUpdateBy'],
    ];
    for (const [body, where] of cases) {
      const refused = await a.writer.post(url, body);
      expect(refused.statusCode, `${where}: ${refused.body}`).toBe(400);
      expect(errorOf(refused), where).toMatchObject({ code: 'validation_failed', details: { where } });
    }
    const pageUrl = `/api/incidents/${incident.id}/trust/page`;
    for (const [texts, where] of [
      [{ en: { title: 'x'.repeat(201), summary: 's' } }, 'body/texts/en/title'],
      [{ cs: { title: 'Titulek', summary: 'x'.repeat(2001) } }, 'body/texts/cs/summary'],
      [{ ar: { title: 'عنوان\u0000', summary: 's' } }, 'body/texts/ar/title'],
    ] as const) {
      const refused = await a.writer.put(pageUrl, { texts });
      expect(refused.statusCode, where).toBe(400);
      expect(errorOf(refused).details?.where).toBe(where);
    }
    // Newlines and tabs are text.
    const fine = await a.writer.post(url, {
      ...ok,
      texts: { en: { message: 'Line one\nLine two\tindented', customerActions: '' } },
    });
    expect(fine.statusCode, fine.body).toBe(201);
  });
});

describe('trust center: who sees what', () => {
  it("another organization's admin gets 404 for the incident and its updates", async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org);
    await withPage(a.writer, incident.id);
    const update = await draft(a.writer, incident.id);
    const foreign = await organization();
    const foreignWriter = await sessionFor(
      t,
      await createUser(t, foreign.org, ['admin', 'legal'], { totp: false }),
    );
    for (const response of [
      await foreignWriter.get(`/api/incidents/${incident.id}/trust`),
      await foreignWriter.put(`/api/incidents/${incident.id}/trust/page`, { texts: pageTexts }),
      await foreignWriter.post(`/api/incidents/${incident.id}/trust/updates`, updateBody()),
      await foreignWriter.put(`/api/trust/updates/${update.id}`, updateBody()),
      await foreignWriter.post(`/api/trust/updates/${update.id}/approve`),
      await foreignWriter.post(`/api/trust/updates/${update.id}/publish`),
      await a.writer.post(`/api/trust/updates/${randomUUID()}/publish`),
    ]) {
      expect(response.statusCode, response.body).toBe(404);
    }
  });

  it('a restricted incident stays hidden from a non-member', async () => {
    const a = await organization();
    const incident = await createIncident(t, a.org, { restricted: true });
    const member = incident.agent; // its creator
    await withPage(member, incident.id);
    const update = await draft(member, incident.id);
    for (const response of [
      await a.writer.get(`/api/incidents/${incident.id}/trust`),
      await a.writer.put(`/api/incidents/${incident.id}/trust/page`, { texts: pageTexts }),
      await a.writer.post(`/api/incidents/${incident.id}/trust/updates`, updateBody()),
      await a.writer.put(`/api/trust/updates/${update.id}`, updateBody()),
      await a.legal.post(`/api/trust/updates/${update.id}/approve`),
    ]) {
      expect(response.statusCode, response.body).toBe(404);
    }
    expect((await member.get(`/api/incidents/${incident.id}/trust`)).statusCode).toBe(200);
  });

  it('public loaders: unpublished or unknown sites, exercises and pages without a published update are not shown', async () => {
    const a = await organization({ requireApproval: false });
    const real = await createIncident(t, a.org);
    const exercise = await createIncident(t, a.org, { isExercise: true });
    const quiet = await createIncident(t, a.org);
    const realPage = await withPage(a.writer, real.id);
    const exercisePage = await withPage(a.writer, exercise.id);
    await withPage(a.writer, quiet.id);
    await draft(a.writer, quiet.id);
    for (const incidentId of [real.id, exercise.id]) {
      const update = await draft(a.writer, incidentId);
      expect((await a.writer.post(`/api/trust/updates/${update.id}/publish`)).statusCode).toBe(200);
    }
    const home = await loadSiteHome(t.db, a.slug);
    expect(home!.site.brand.name).toMatch(/^Acme /);
    expect(home!.incidents.map((i) => i.publicId)).toEqual([realPage.publicId]);
    expect(await loadPublicIncident(t.db, a.slug, exercisePage.publicId)).toBeUndefined();
    expect(await loadSiteHome(t.db, 'no-such-site')).toBeUndefined();
    expect(await loadSiteHome(t.db, "x'; --")).toBeUndefined();

    // Another organization's slug does not open this organization's page.
    const other = await organization();
    expect(await loadPublicIncident(t.db, other.slug, realPage.publicId)).toBeUndefined();

    const unpublished = await a.admin.put('/api/trust/site', {
      slug: a.slug,
      published: false,
      requireApproval: false,
    });
    expect(unpublished.statusCode).toBe(200);
    expect(await loadSiteHome(t.db, a.slug)).toBeUndefined();
    expect(await loadPublicIncident(t.db, a.slug, realPage.publicId)).toBeUndefined();
  });

  it('home lists open incidents first, then those resolved in the last 90 days, with the lookup page', async () => {
    const a = await organization({ requireApproval: false });
    await withOrg(t.db, a.org, (tx) =>
      tx.query(`UPDATE organizations SET support_email = 'help@example.test', time_zone = 'Europe/Prague'`),
    );
    const publish = async (incidentId: string, status: string) => {
      const update = await draft(
        a.writer,
        incidentId,
        updateBody(status, status === 'resolved' ? null : inAnHour()),
      );
      expect((await a.writer.post(`/api/trust/updates/${update.id}/publish`)).statusCode).toBe(200);
      return update.id;
    };
    const resolvedRecently = await createIncident(t, a.org);
    const open = await createIncident(t, a.org);
    const resolvedLongAgo = await createIncident(t, a.org);
    const pages: Record<string, string> = {};
    for (const [name, incident] of Object.entries({ resolvedRecently, open, resolvedLongAgo })) {
      pages[name] = (await withPage(a.writer, incident.id)).publicId;
    }
    await publish(resolvedRecently.id, 'resolved');
    await publish(open.id, 'contained');
    const old = await publish(resolvedLongAgo.id, 'resolved');
    // Published 100 days ago (past the guard that keeps published rows as they are).
    await t.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE trust_updates DISABLE TRIGGER trust_updates_guard');
      await tx.query(`UPDATE trust_updates SET published_at = now() - interval '100 days' WHERE id = $1`, [
        old,
      ]);
      await tx.query('ALTER TABLE trust_updates ENABLE TRIGGER trust_updates_guard');
    });

    // "Was I affected?" published for the open incident.
    const guidance = { happened: 'Happened', done: 'Done', advice: 'Advice' };
    const edited = await a.writer.put(`/api/incidents/${open.id}/guidance`, {
      en: guidance,
      cs: guidance,
      ar: guidance,
    });
    expect(edited.statusCode, edited.body).toBe(201);
    expect((await a.legal.post(`/api/incidents/${open.id}/guidance/versions/1/approve`)).statusCode).toBe(
      200,
    );
    const lookup = await a.legal.post(`/api/incidents/${open.id}/lookup-page/publish`, {});
    expect(lookup.statusCode, lookup.body).toBe(200);
    const lookupId = lookup.json<{ page: { publicId: string } }>().page.publicId;

    const home = await loadSiteHome(t.db, a.slug);
    expect(home!.site).toMatchObject({ supportEmail: 'help@example.test', timeZone: 'Europe/Prague' });
    expect(home!.incidents.map((i) => i.publicId)).toEqual([pages.open, pages.resolvedRecently]);
    expect(home!.incidents[0]).toMatchObject({ status: 'contained', lookupPath: `/affected/${lookupId}` });
    expect(home!.incidents[1]).toMatchObject({ status: 'resolved', lookupPath: null });
    // Still reachable by its own address.
    expect((await loadPublicIncident(t.db, a.slug, pages.resolvedLongAgo!))!.incident.status).toBe(
      'resolved',
    );
  });
});
