import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { withOrg } from '../src/platform/db.js';
import { sendJob } from '../src/platform/jobs.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { markByList } from '../src/modules/customers/affected-repo.js';
import { upsertCustomer } from '../src/modules/customers/customer-repo.js';
import { noticeSendJob } from '../src/modules/notices/notice-sends.js';
import { sendProgress } from '../src/modules/notices/delivery-control.js';
import { saveEmailSettings } from '../src/modules/notices/email-settings.js';
import { createTestApp, processDatabaseEnv, testSecretsEnv } from './app.js';
import { createApprovedNotice, createIncident, createOrganization, createUser } from './factories.js';
import { assertBuilt, killAll, startCandor, tempDir, type CandorServer } from './process.js';
import { sensitive } from './secrets.js';

// A real worker process killed with SIGKILL in the middle of a send, after a known number of
// messages were accepted by the SMTP server; a new worker then finishes the send. On the
// PostgreSQL server (the embedded database serves one process).

const onServer = process.env.CANDOR_TEST_DB === 'server';

/**
 * An SMTP server that accepts the first `acceptFirst` messages and then holds every further one
 * unanswered (the sender waits), until `release()`; it records each accepted message's recipient
 * and Message-ID.
 */
async function stallingSmtp(acceptFirst: number) {
  const accepted: { to: string; messageId: string }[] = [];
  let limit = acceptFirst;
  let admitted = 0;
  let held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accept = () =>
          void simpleParser(Buffer.concat(chunks)).then((parsed) => {
            accepted.push({ to: session.envelope.rcptTo[0]!.address, messageId: parsed.messageId ?? '' });
            callback();
          });
        if (admitted < limit) {
          admitted++;
          accept();
        } else held.push(accept); // never answered while stalled: the sender's connection hangs
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    get held() {
      return held.length;
    },
    /** Stops holding: from now on every message is accepted. Held ones from a dead worker are dropped. */
    release() {
      limit = Number.POSITIVE_INFINITY;
      held = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(onServer)('notice delivery survives a worker killed with SIGKILL', () => {
  const CUSTOMERS = 300;
  const ACCEPTED_BEFORE_KILL = 40;
  const root = tempDir('candor-crash-');

  afterAll(() => {
    killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('after the kill a new worker finishes: everyone receives the notice, repeats only with the same Message-ID', async () => {
    assertBuilt();
    const secrets = testSecretsEnv();
    const t = await createTestApp(secrets);
    const smtp = await stallingSmtp(ACCEPTED_BEFORE_KILL);
    afterAll(() => smtp.close());
    const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));

    // An organization with e-mail settings, an incident, 300 affected customers and an approved notice.
    const org = await createOrganization(t);
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const { id: incidentId, manager } = await createIncident(t, org, { title: 'Crash' });
    const tag = randomBytes(4).toString('hex');
    const emails = Array.from({ length: CUSTOMERS }, (_, i) => sensitive(`crash${i}-${tag}@example.test`));
    const versionId = await withOrg(
      t.db,
      org,
      async (tx) => {
        const keys = await keyring.get(tx, org);
        await saveEmailSettings(tx, keys, org, {
          fromAddress: 'notices@shop.example',
          dkimSelector: 'candor',
        });
        for (const [i, email] of emails.entries()) {
          await upsertCustomer(tx, keys, org, {
            externalId: `x-${i}`,
            language: ['en', 'cs', 'ar'][i % 3]!,
            timeZone: null,
            country: null,
            region: null,
            tags: [],
            attributes: {},
            consent: { email: false, sms: false, webhook: false },
            personal: { name: null, email, phone: null, address: null, attributes: {} },
          });
        }
        await markByList(
          tx,
          keys,
          org,
          incidentId,
          emails.map((_, i) => ({ externalId: `x-${i}`, categories: ['contact_details'] })),
        );
        return createApprovedNotice(tx, {
          organizationId: org,
          incidentId,
          authorId: manager.id,
          approverId: legal.id,
        });
      },
      { system: true },
    );

    const env = {
      ...secrets,
      ...processDatabaseEnv(t),
      CANDOR_ROLE: 'worker',
      CANDOR_SMTP_URL: smtp.url,
      CANDOR_PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'info',
    };
    const started = (s: CandorServer) => s.stdout.includes('"msg":"Candor started"');
    const first = await startCandor({ ...env, CANDOR_DATA_DIR: `${root}/a` }, { readyWhen: started });

    const sendId = await withOrg(
      t.db,
      org,
      async (tx) =>
        (
          await tx.query<{ id: string }>(
            `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
             VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
            [org, incidentId, versionId],
          )
        )[0]!.id,
      { system: true },
    );
    await t.db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId: org, sendId }));
    const progress = () => withOrg(t.db, org, (tx) => sendProgress(tx, sendId), { system: true });

    // Killed once exactly N messages were accepted and the next one is held: not on a timer.
    await until(
      'N accepted and the next held',
      async () => {
        if (!first.running) throw new Error('the worker exited');
        return smtp.accepted.length === ACCEPTED_BEFORE_KILL && smtp.held > 0;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${(error as Error).message} (accepted ${smtp.accepted.length}, held ${smtp.held}); worker output:\n` +
          `${first.stdout.slice(-3000)}\n${first.stderr.slice(-2000)}`,
      );
    });
    const before = await progress();
    expect(before.status).not.toBe('completed');
    expect(before.totals.sent).toBeLessThan(CUSTOMERS);
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(smtp.accepted).toHaveLength(ACCEPTED_BEFORE_KILL);
    smtp.release();

    // The dead worker's claims hold a 120-second lease; the test runs it out instead of waiting.
    await t.db.query(
      `UPDATE deliveries SET locked_until = now() - interval '1 second' WHERE send_id = $1 AND status = 'sending'`,
      [sendId],
    );
    const second = await startCandor({ ...env, CANDOR_DATA_DIR: `${root}/b` }, { readyWhen: started });
    const done = await until('the send to complete', async () => {
      const p = await progress();
      return p.status === 'completed' && p;
    });
    await second.stop('SIGTERM');
    expect(done.totals).toMatchObject({ sent: CUSTOMERS, failed: 0, pending: 0, sending: 0 });

    const rows = await t.db.query<{ message_id: string }>(
      'SELECT message_id FROM deliveries WHERE send_id = $1',
      [sendId],
    );
    const ids = new Set(rows.map((r) => r.message_id));
    const byRecipient = new Map<string, Set<string>>();
    for (const m of smtp.accepted)
      byRecipient.set(m.to, (byRecipient.get(m.to) ?? new Set()).add(m.messageId));
    for (const email of emails) {
      const got = byRecipient.get(email.toLowerCase());
      expect(got, 'every customer receives the notice').toBeDefined();
      // A repeat (a message in flight at the kill) carries the same Message-ID: one id per customer.
      expect(got!.size).toBe(1);
      expect(ids.has([...got!][0]!)).toBe(true);
    }
    // Repeats are bounded by what was accepted before the kill.
    expect(smtp.accepted.length - CUSTOMERS).toBeLessThanOrEqual(ACCEPTED_BEFORE_KILL);
  }, 240_000);
});
