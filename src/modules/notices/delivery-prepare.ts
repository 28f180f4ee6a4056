/**
 * A claimed batch made ready to send, in its organization's transaction: the sends' states, the
 * recipients decrypted (one query for the batch's customers), the suppression list checked (one
 * query per channel and kind), each message rendered, and what /verify confirms recorded (one
 * statement for the batch where the recorder can). Rows that cannot go get their outcome here.
 */
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { openNoticeSecret, type ClaimedNotice, type DeliveryOutcome } from '../../platform/outbox.js';
import type { PersonalFields } from '../customers/index.js';
import type { DataCategory } from '../incidents/index.js';
import { openCustomerRecord } from '../keys/index.js';
import { findAffectedCategories, findSealedCustomers, findSendStatuses } from './delivery-repo.js';
import type {
  Channel,
  ChannelSender,
  NoticeKind,
  NoticeRecipient,
  RenderedNotice,
} from './notice-contracts.js';
import { loadRenderer } from './notice-render.js';
import { listTestRecipients, type TestRecipient } from './notice-test-recipients.js';
import { maskRecipient, type VerificationRecord } from './notice-verification.js';
import { addressIndex, suppressedIndexes } from './suppression.js';

export interface PrepareDeps {
  db: Database;
  keyring: OrganizationKeyring;
  channels: Partial<Record<Channel, ChannelSender>>;
  recordVerification(tx: Sql, record: VerificationRecord): Promise<void>;
  /** A claimed batch's records (one organization's) in one statement; else one recordVerification each. */
  recordVerifications?(tx: Sql, records: readonly VerificationRecord[]): Promise<void>;
}

export interface Prepared {
  row: ClaimedNotice;
  to: string;
  /** The address's blind index: recorded on the delivery, so a bounce acts on this address only. */
  index: string | undefined;
  rendered: RenderedNotice;
}

/** prepare(organizationId, rows, outcomes); key opens each delivery's sealed verification code. */
export function createPreparer(deps: PrepareDeps, key: Buffer) {
  const { db } = deps;
  const renderers = new Map<string, Promise<(r: NoticeRecipient) => RenderedNotice>>();

  function renderer(tx: Sql, organizationId: string, versionId: string) {
    let r = renderers.get(versionId);
    if (!r) {
      r = loadRenderer(tx, organizationId, versionId);
      r.catch(() => renderers.delete(versionId));
      renderers.set(versionId, r);
      // A few versions at a time: a long-lived worker does not keep every notice ever sent.
      if (renderers.size > 20) renderers.delete(renderers.keys().next().value!);
    }
    return r;
  }

  /** Reads, decrypts and renders one organization's claimed rows, in its transaction. */
  return async function prepare(
    organizationId: string,
    rows: ClaimedNotice[],
    outcomes: Map<string, DeliveryOutcome>,
  ): Promise<Prepared[]> {
    const done = (
      row: ClaimedNotice,
      o: Omit<DeliveryOutcome, 'id' | 'retryInSeconds'> & { retryInSeconds?: number },
    ) => outcomes.set(row.id, { retryInSeconds: 0, ...o, id: row.id });
    return withOrg(
      db,
      organizationId,
      async (tx) => {
        const sendIds = [...new Set(rows.map((r) => r.send_id))];
        const sends = new Map((await findSendStatuses(tx, sendIds)).map((s) => [s.id, s]));
        const keys = await deps.keyring.get(tx, organizationId);
        const customerIds = rows.map((r) => r.customer_id).filter((id): id is string => id !== null);
        const categories = new Map<string, DataCategory[]>();
        for (const s of sends.values()) {
          const found = await findAffectedCategories(tx, s.incident_id, customerIds);
          for (const f of found) categories.set(`${s.id}:${f.customer_id}`, f.data_categories);
        }
        const testRecipients = rows.some((r) => r.test_recipient_id)
          ? new Map((await listTestRecipients(tx, keys)).map((t) => [t.id, t]))
          : new Map<string, TestRecipient>();
        // The batch's customers in one query, decrypted here (the vault's record, bound to its id).
        const people = new Map<string, { personal: PersonalFields; timeZone: string | null }>();
        if (customerIds.length) {
          for (const c of await findSealedCustomers(tx, customerIds)) {
            const personal = JSON.parse(
              openCustomerRecord(keys, c.id, c.personal, c.key_version),
            ) as PersonalFields;
            people.set(c.id, { personal, timeZone: c.time_zone });
          }
        }
        const candidates: { row: ClaimedNotice; to: string; recipient: NoticeRecipient }[] = [];
        for (const row of rows) {
          const send = sends.get(row.send_id);
          if (!send || send.status === 'cancelled') {
            done(row, { status: 'cancelled', error: 'the send was cancelled', notAnAttempt: true });
            continue;
          }
          if (send.status === 'paused') {
            done(row, { status: 'paused', error: null, notAnAttempt: true });
            continue;
          }
          let to: string | null | undefined;
          let recipient: NoticeRecipient;
          const code = row.payload ? openNoticeSecret(key, organizationId, row.id, row.payload) : '';
          if (row.customer_id) {
            const found = people.get(row.customer_id);
            if (!found) {
              done(row, { status: 'cancelled', error: 'the customer was erased', notAnAttempt: true });
              continue;
            }
            to =
              row.channel === 'email'
                ? found.personal.email
                : row.channel === 'sms'
                  ? found.personal.phone
                  : found.personal.webhookUrl;
            recipient = {
              customerId: row.customer_id,
              name: found.personal.name,
              locale: row.locale,
              timeZone: found.timeZone ?? '',
              categories: categories.get(`${row.send_id}:${row.customer_id}`) ?? [],
              verificationCode: code,
            };
          } else {
            const t = row.test_recipient_id ? testRecipients.get(row.test_recipient_id) : undefined;
            if (!t) {
              done(row, { status: 'cancelled', error: 'the test recipient was removed', notAnAttempt: true });
              continue;
            }
            to = row.channel === 'email' ? t.email : row.channel === 'sms' ? t.phone : t.webhookUrl;
            recipient = {
              customerId: null,
              name: t.name,
              locale: row.locale,
              timeZone: '',
              categories: [],
              verificationCode: code,
            };
          }
          if (!to) {
            done(row, { status: 'failed', error: `no ${row.channel} address on record` });
            continue;
          }
          if (!deps.channels[row.channel]) {
            done(row, { status: 'failed', error: `the ${row.channel} channel is not configured` });
            continue;
          }
          candidates.push({ row, to, recipient });
        }
        // The suppression list, one query per channel and kind for the whole batch: a mandatory
        // notice is stopped only by a suppression of every notice (an unsubscribe stops optional
        // updates only). A stopped delivery is 'suppressed': the send's report lists it.
        const indexes = new Map<string, string>();
        for (const c of candidates) {
          const index = addressIndex(keys, c.row.channel, c.to);
          if (index) indexes.set(c.row.id, index);
        }
        const suppressed = new Set<string>();
        const groups = new Set(candidates.map((c) => `${c.row.channel}:${c.row.kind}`));
        for (const group of groups) {
          const [channel, kind] = group.split(':') as [Channel, NoticeKind];
          const ids = candidates
            .filter((c) => c.row.channel === channel && c.row.kind === kind && indexes.has(c.row.id))
            .map((c) => c.row.id);
          const hits = await suppressedIndexes(
            tx,
            channel,
            ids.map((id) => indexes.get(id)!),
            kind,
          );
          for (const id of ids) if (hits.has(indexes.get(id)!)) suppressed.add(id);
        }
        const prepared: Prepared[] = [];
        const records: VerificationRecord[] = [];
        for (const { row, to, recipient } of candidates) {
          if (suppressed.has(row.id)) {
            done(row, {
              status: 'suppressed',
              error: `the ${row.channel} address is on the suppression list`,
            });
            continue;
          }
          const rendered = (await renderer(tx, organizationId, row.notice_version_id))(recipient);
          records.push({
            organizationId,
            deliveryId: row.id,
            code: recipient.verificationCode,
            channel: row.channel,
            subject: rendered.subject,
            subjectLocale: rendered.locale,
            sentAt: new Date(),
            maskedRecipient: maskRecipient(row.channel, to),
          });
          prepared.push({ row, to, index: indexes.get(row.id), rendered });
        }
        // What /verify confirms; recorded before the messages leave (again, harmlessly, on a repeat),
        // the whole batch in one statement where the recorder can.
        if (deps.recordVerifications) await deps.recordVerifications(tx, records);
        else for (const record of records) await deps.recordVerification(tx, record);
        return prepared;
      },
      { system: true },
    );
  };
}

export type Prepare = ReturnType<typeof createPreparer>;
