import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit } from '../audit/index.js';
import { openPersonal } from '../customers/index.js';
import { SMS_AUDIENCE_PAGE, smsAudiencePage } from './audience-repo.js';
import { createWebhookSecret } from './channel-webhook.js';
import { isNoticeLocale } from './notice-model.js';
import { loadRenderer } from './notice-render.js';
import {
  findIncidentExercise,
  findNotice,
  findVersion,
  latestVersion,
  organizationLocale,
} from './notice-repo.js';
import type { NoticeCaller } from './notice-caller.js';
import { listTestRecipients } from './notice-test-recipients.js';
import { estimateSms, type SmsEstimate, type SmsPricing } from './sms-segments.js';

/** What the channel routes' services need of the app. */
export interface NoticeChannelDeps {
  auditKey: Buffer;
  keyring: OrganizationKeyring;
  /** CANDOR_SMS_PRICES, when configured. */
  smsPricing: SmsPricing | undefined;
}

/** Stands in for each recipient's own code: every code has the same length and GSM-7 letters. */
const CODE_SHAPE = 'XXXX-XXXX-XXXX';

/** A new webhook signing secret for the organization (replacing the old at once), audited. */
export async function newOrganizationWebhookSecret(
  tx: Sql,
  deps: Pick<NoticeChannelDeps, 'auditKey' | 'keyring'>,
  caller: NoticeCaller,
): Promise<{ secret: string; createdAt: Date }> {
  const made = await createWebhookSecret(
    tx,
    await deps.keyring.get(tx, caller.organizationId),
    caller.organizationId,
    caller.userId,
  );
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'notice.webhook_secret_created',
    targetType: 'organization',
    targetId: caller.organizationId,
  });
  return made;
}

/**
 * What sending a notice version by SMS will cost, before it is sent: each recipient's SMS
 * rendered as they would receive it (their language, name and affected categories), its
 * segments counted (GSM-7 or UCS-2) and priced by their number's country prefix
 * (CANDOR_SMS_PRICES). Mandatory notices go to every affected customer with a phone, optional
 * ones to those who consented to SMS; an exercise incident's audience is its test recipients.
 * Nothing personal leaves the server; the estimate is audited with its totals.
 */
export async function estimateNoticeSms(
  tx: Sql,
  deps: NoticeChannelDeps,
  caller: NoticeCaller,
  noticeId: string,
  query: { version?: number; audience?: 'customers' | 'test_recipients' },
) {
  const { organizationId } = caller;
  const pricing = deps.smsPricing;
  const notice = await findNotice(tx, noticeId);
  if (!notice) throw new AppError('not_found');
  const version = query.version
    ? await findVersion(tx, notice.id, query.version)
    : await latestVersion(tx, notice.id);
  if (!version) throw new AppError('not_found', { where: 'querystring/version' });
  const incident = await findIncidentExercise(tx, notice.incidentId);
  if (!incident) throw new AppError('not_found');
  const audience = query.audience ?? (incident.is_exercise ? 'test_recipients' : 'customers');
  const keys = await deps.keyring.get(tx, organizationId);
  const render = await loadRenderer(tx, organizationId, version.id);
  const fallback = await organizationLocale(tx);
  const messages: { to: string; body: string }[] = [];
  if (audience === 'test_recipients') {
    for (const r of await listTestRecipients(tx, keys)) {
      if (!r.phone) continue;
      const body = render({
        customerId: null,
        name: r.name,
        locale: r.locale,
        timeZone: '',
        categories: [],
        verificationCode: CODE_SHAPE,
      }).sms;
      messages.push({ to: r.phone, body });
    }
  } else {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await smsAudiencePage(tx, notice.incidentId, after, notice.kind === 'mandatory');
      for (const row of page) {
        const opened = await openPersonal(tx, keys, row.customer_id);
        if (!opened?.personal.phone) continue;
        const language = opened.customer.language;
        const body = render({
          customerId: row.customer_id,
          name: opened.personal.name,
          locale: isNoticeLocale(language) ? language : fallback,
          timeZone: opened.customer.timeZone ?? '',
          categories: row.data_categories,
          verificationCode: CODE_SHAPE,
        }).sms;
        messages.push({ to: opened.personal.phone, body });
      }
      if (page.length < SMS_AUDIENCE_PAGE) break;
      after = page[page.length - 1]!.customer_id;
    }
  }
  const estimate: SmsEstimate = estimateSms(
    messages,
    pricing ?? { currency: '', byPrefix: new Map(), default: undefined },
  );
  await appendAudit(tx, deps.auditKey, organizationId, caller.actor, {
    action: 'notice.sms_estimated',
    targetType: 'notice',
    targetId: notice.id,
    data: {
      version: version.version,
      audience,
      messages: estimate.messages,
      segments: estimate.segments,
    },
  });
  return {
    audience,
    messages: estimate.messages,
    segments: estimate.segments,
    ucs2: estimate.ucs2,
    unpriced: pricing ? estimate.unpriced : estimate.messages,
    currency: pricing ? pricing.currency : null,
    cost: pricing ? estimate.cost : null,
  };
}
