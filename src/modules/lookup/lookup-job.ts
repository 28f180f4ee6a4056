import { randomUUID } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { Config } from '../../config.js';
import { hashToken, newToken } from '../../platform/crypto.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { isLocale, LOCALES, type Locale } from '../../platform/i18n.js';
import { defineJob, type JobDefinition, type JobType } from '../../platform/jobs.js';
import {
  masterKeyFrom,
  organizationKeyring,
  type OrganizationKeyring,
  type OrganizationKeys,
} from '../../platform/keys.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { actionMail } from '../accounts/index.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { openPersonal } from '../customers/index.js';
import {
  deleteStaleLinks,
  deliveryExists,
  findAffectedMatches,
  findPageForJob,
  insertLink,
  organizationNameById,
  type MatchRow,
} from './lookup-repo.js';

/** The queue of look-ups: one job per request, known address or not. */
export const LOOKUP_QUEUE = 'affected-lookup';

/** A one-time link's life. */
export const LINK_MINUTES = 15;

/**
 * What a look-up job carries: never the address, only the organization's keyed blind index of it
 * (the same HMAC the customers table holds), which cannot be turned back into the address.
 */
export const LookupJobData = Type.Object(
  {
    organizationId: Type.String({ format: 'uuid' }),
    incidentId: Type.String({ format: 'uuid' }),
    emailIndex: Type.String(),
    /** The language the person used on the page: the e-mail's language if the customer has none. */
    locale: Type.Enum(LOCALES),
  },
  { additionalProperties: false },
);
export type LookupJobData = Static<typeof LookupJobData>;

/** The look-up job as the public route sends it (in the transaction that counts the look-up). */
export const lookupJob: JobType<typeof LookupJobData> = {
  name: LOOKUP_QUEUE,
  schema: LookupJobData,
  options: { retryLimit: 3, retryDelay: 30 },
};

/**
 * Composes and DKIM-signs a message from the organization's notice sender, or answers undefined
 * before it has e-mail settings (the notices module's signedOrganizationMail, given by the
 * composition root: notices reads lookup's pages, so lookup does not import notices back).
 */
export type OrganizationMailSigner = (
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  mail: { to: string; subject: string; text: string; html: string; messageId: string; locale: string },
) => Promise<{ fromAddress: string; raw: Buffer } | undefined>;

export interface LookupDeps {
  db: Database;
  config: Config;
  outbox: Outbox;
  logger: Logger;
  signMail: OrganizationMailSigner;
  /** The process's keyring (the composition root's); without one, a job makes its own. */
  keyring?: OrganizationKeyring;
}

const linkUrl = (config: Config, publicId: string, token: string) =>
  new URL(`/affected/${publicId}/result#token=${token}`, config.publicUrl).toString();

/**
 * The look-up itself, after the response: finds the affected customers with this blind index
 * and e-mails each a one-time link, in their language, to the address held in the vault.
 * Unknown or unaffected addresses end here with nothing written. An exercise incident never
 * e-mails a customer: the match is recorded in the audit log instead.
 */
export async function runLookup(deps: LookupDeps, data: LookupJobData, jobId: string): Promise<number> {
  const keyring = deps.keyring ?? organizationKeyring(masterKeyFrom(deps.config.secrets));
  return withOrg(
    deps.db,
    data.organizationId,
    async (tx) => {
      // Used and expired links of the organization are of no further use: they go here.
      await deleteStaleLinks(tx);
      const page = await findPageForJob(tx, data.incidentId);
      if (!page) return 0;
      const matches = await findAffectedMatches(tx, data.emailIndex, data.incidentId);
      if (matches.length === 0) return 0;
      const actor = systemActor(jobId);
      if (page.is_exercise) {
        for (const m of matches) {
          await appendAudit(tx, deps.config.secrets.auditKey, data.organizationId, actor, {
            action: 'lookup.exercise_not_sent',
            targetType: 'incident',
            targetId: data.incidentId,
            data: { customerId: m.customer_id },
          });
        }
        return 0;
      }
      const keys = await keyring.get(tx, data.organizationId);
      let sent = 0;
      for (const m of matches) sent += await sendLink(deps, tx, keys, data, page.public_id, m, jobId);
      return sent;
    },
    { system: true },
  );
}

async function sendLink(
  deps: LookupDeps,
  tx: Sql,
  keys: Awaited<ReturnType<ReturnType<typeof organizationKeyring>['get']>>,
  data: LookupJobData,
  publicId: string,
  match: MatchRow,
  jobId: string,
): Promise<number> {
  const opened = await openPersonal(tx, keys, match.customer_id);
  const to = opened?.personal.email;
  if (!to) return 0;
  // A retried job sends no second link: the idempotency key is the job's and the customer's.
  const idempotencyKey = `lookup:${jobId}:${match.customer_id}`;
  if (await deliveryExists(tx, idempotencyKey)) return 0;
  const token = newToken();
  await insertLink(tx, {
    organizationId: data.organizationId,
    incidentId: data.incidentId,
    customerId: match.customer_id,
    tokenHash: hashToken(token),
    minutes: LINK_MINUTES,
  });
  const base = match.language?.toLowerCase().split('-')[0];
  const locale: Locale = isLocale(base) ? base : data.locale;
  const organization = await organizationNameById(tx, data.organizationId);
  const message = actionMail({
    to,
    locale,
    subject: 'lookup.mail.subject',
    intro: 'lookup.mail.intro',
    action: 'lookup.mail.action',
    outro: 'lookup.mail.outro',
    link: linkUrl(deps.config, publicId, token),
    values: { organization, minutes: LINK_MINUTES },
  });
  // The link comes from the organization, as its notices do: from its notice sender, DKIM-signed.
  // Before it has e-mail settings, the platform's sender carries the organization's name.
  const messageId = `<${randomUUID()}@${deps.config.publicUrl.hostname}>`;
  const signed = await deps.signMail(tx, keys, data.organizationId, {
    ...message,
    html: message.html ?? '',
    messageId,
    locale,
  });
  await deps.outbox.enqueueEmail(tx, data.organizationId, {
    purpose: 'affected_lookup',
    idempotencyKey,
    messageId,
    message: signed
      ? { ...message, raw: signed.raw.toString('base64') }
      : { ...message, fromName: organization },
  });
  // The address was decrypted by the system to send this link: audited once, no address in it.
  await appendAudit(tx, deps.config.secrets.auditKey, data.organizationId, systemActor(jobId), {
    action: 'customer.revealed',
    targetType: 'customer',
    targetId: match.customer_id,
    data: { reason: 'affected_lookup_link', incidentId: data.incidentId, fields: 'email' },
  });
  return 1;
}

/** The worker side: the queue startJobs works (no cron). */
export function lookupWorker(deps: LookupDeps): JobDefinition<typeof LookupJobData> {
  return defineJob(lookupJob.name, lookupJob.schema, async (data, jobId) => {
    try {
      return await runLookup(deps, data, jobId);
    } catch (error) {
      // pg-boss keeps a failed job's error: its message must never carry personal data.
      deps.logger.error({ job: LOOKUP_QUEUE, jobId, err: error }, 'look-up job failed');
      throw new Error('look-up failed; see the log for this job id');
    }
  });
}
