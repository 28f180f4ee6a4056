import { randomBytes } from 'node:crypto';
import { withOrg } from '../src/platform/db.js';
import { sendJob } from '../src/platform/jobs.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { markByList } from '../src/modules/customers/affected-repo.js';
import { upsertCustomer } from '../src/modules/customers/customer-repo.js';
import type { DataCategory } from '../src/modules/incidents/incident-model.js';
import { pauseSend, sendProgress } from '../src/modules/notices/delivery-control.js';
import { saveEmailSettings } from '../src/modules/notices/email-settings.js';
import type { Channel, NoticeKind } from '../src/modules/notices/notice-contracts.js';
import { noticeSendJob } from '../src/modules/notices/notice-sends.js';
import type { TestApp } from './app.js';
import {
  createApprovedNotice,
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
} from './factories.js';
import { sensitive } from './secrets.js';

/**
 * Sends of notices as the delivery tests need them: an organization ready to send e-mail, its
 * customers marked affected, a send request with its job, and waiting for it to finish.
 */
export interface SendSetup {
  org: string;
  incidentId: string;
  versionId: string;
  admin: Awaited<ReturnType<typeof sessionFor>>;
}

export const unique = () => randomBytes(4).toString('hex');

export function noticeSends(t: TestApp) {
  const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
  /** Queues a notice-send job for a send, in a transaction of its own. */
  const queueSendJob = (organizationId: string, sendId: string) =>
    t.db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId, sendId }));

  /** An organization with e-mail settings, an incident, and an approved notice version of the kind. */
  async function setUp(options: { exercise?: boolean; kind?: NoticeKind } = {}): Promise<SendSetup> {
    const org = await createOrganization(t);
    const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
    const legal = await createUser(t, org, ['legal'], { totp: false });
    await withOrg(t.db, org, async (tx) =>
      saveEmailSettings(tx, await keyring.get(tx, org), org, {
        fromAddress: 'notices@shop.example',
        dkimSelector: 'candor2026',
      }),
    );
    const { id: incidentId, manager } = await createIncident(t, org, {
      title: 'Card data exposed',
      ...(options.exercise ? { isExercise: true } : {}),
    });
    // The drafting side's: a notice with one version, approved by a legal user who did not write it.
    const versionId = await withOrg(
      t.db,
      org,
      (tx) =>
        createApprovedNotice(tx, {
          organizationId: org,
          incidentId,
          authorId: manager.id,
          approverId: legal.id,
          ...(options.kind ? { kind: options.kind } : {}),
        }),
      { system: true },
    );
    return { org, incidentId, admin, versionId };
  }

  /** A notice version of another kind for the same incident (e.g. an optional update after a mandatory notice). */
  async function addNotice(s: SendSetup, kind: NoticeKind): Promise<SendSetup> {
    const [author, approver] = await withOrg(
      t.db,
      s.org,
      async (tx) =>
        (
          await tx.query<{ created_by: string; approved_by: string }>(
            `SELECT n.created_by, v.approved_by FROM notice_versions v JOIN notices n ON n.id = v.notice_id
             WHERE v.id = $1`,
            [s.versionId],
          )
        ).map((r) => [r.created_by, r.approved_by])[0]!,
      { system: true },
    );
    const versionId = await withOrg(
      t.db,
      s.org,
      (tx) =>
        createApprovedNotice(tx, {
          organizationId: s.org,
          incidentId: s.incidentId,
          authorId: author!,
          approverId: approver!,
          kind,
        }),
      { system: true },
    );
    return { ...s, versionId };
  }

  /** Customers with an e-mail address (and a phone when given), marked affected by the incident. */
  async function addCustomers(
    s: SendSetup,
    people: {
      externalId: string;
      email: string;
      phone?: string;
      language?: string;
      categories: DataCategory[];
      consentEmail?: boolean;
    }[],
  ): Promise<void> {
    await withOrg(t.db, s.org, async (tx) => {
      const keys = await keyring.get(tx, s.org);
      for (const p of people) {
        await upsertCustomer(tx, keys, s.org, {
          externalId: p.externalId,
          language: p.language ?? 'en',
          timeZone: 'Europe/Prague',
          country: 'CZ',
          region: null,
          tags: [],
          attributes: {},
          consent: { email: p.consentEmail ?? false, sms: false, webhook: false },
          personal: {
            name: sensitive(`Person ${p.externalId}`),
            email: p.email,
            phone: p.phone ?? null,
            address: null,
            attributes: {},
          },
        });
      }
      await markByList(
        tx,
        keys,
        s.org,
        s.incidentId,
        people.map((p) => ({ externalId: p.externalId, categories: p.categories })),
      );
    });
  }

  /** The send request as the send route writes it, and its job. */
  async function requestSend(
    s: SendSetup,
    options: {
      audience?: 'customers' | 'test_recipients';
      kind?: NoticeKind;
      channels?: Channel[];
      /** Paused before its job runs: the fan-out writes held rows. */
      paused?: boolean;
    } = {},
  ): Promise<string> {
    const sendId = await withOrg(
      t.db,
      s.org,
      async (tx) =>
        (
          await tx.query<{ id: string }>(
            `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
            [
              s.org,
              s.incidentId,
              s.versionId,
              options.kind ?? 'mandatory',
              options.channels ?? ['email'],
              options.audience ?? 'customers',
            ],
          )
        )[0]!.id,
      { system: true },
    );
    if (options.paused) await withOrg(t.db, s.org, (tx) => pauseSend(tx, sendId), { system: true });
    await queueSendJob(s.org, sendId);
    return sendId;
  }

  const progress = (org: string, sendId: string) =>
    withOrg(t.db, org, (tx) => sendProgress(tx, sendId), { system: true });

  const completed = (org: string, sendId: string) =>
    until(`send ${sendId} to complete`, async () => {
      const p = await progress(org, sendId);
      return p.status === 'completed' && p;
    });

  return { keyring, queueSendJob, setUp, addNotice, addCustomers, requestSend, progress, completed };
}

/** Polls `check` every 100 ms until it returns a value, or fails after the timeout. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
