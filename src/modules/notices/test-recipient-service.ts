import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit } from '../audit/index.js';
import { normalizeWebhookUrl } from '../customers/index.js';
import type { NoticeCaller } from './notice-caller.js';
import {
  addTestRecipient,
  deleteTestRecipient,
  listTestRecipients,
  updateTestRecipient,
  type TestRecipient,
  type TestRecipientInput,
} from './notice-test-recipients.js';

/** What the organization's test recipients need of the app. */
export interface TestRecipientDeps {
  auditKey: Buffer;
  keyring: OrganizationKeyring;
}

/** A test recipient's webhook endpoint follows the customers' rule: https, no credentials, at most 2048. */
function testRecipientInput<T extends { webhookUrl?: string }>(body: T): T {
  if (body.webhookUrl === undefined) return body;
  const webhookUrl = normalizeWebhookUrl(body.webhookUrl);
  if (!webhookUrl) throw new AppError('validation_failed', { field: 'webhookUrl' });
  return { ...body, webhookUrl };
}

export async function testRecipientsOf(
  tx: Sql,
  deps: TestRecipientDeps,
  caller: NoticeCaller,
): Promise<TestRecipient[]> {
  return listTestRecipients(tx, await deps.keyring.get(tx, caller.organizationId));
}

export async function createTestRecipient(
  tx: Sql,
  deps: TestRecipientDeps,
  caller: NoticeCaller,
  body: TestRecipientInput,
): Promise<TestRecipient> {
  const r = await addTestRecipient(
    tx,
    await deps.keyring.get(tx, caller.organizationId),
    caller.organizationId,
    testRecipientInput(body),
  );
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'notice_test_recipient.created',
    targetType: 'notice_test_recipient',
    targetId: r.id,
  });
  return r;
}

export async function changeTestRecipient(
  tx: Sql,
  deps: TestRecipientDeps,
  caller: NoticeCaller,
  id: string,
  body: TestRecipientInput,
): Promise<TestRecipient> {
  const r = await updateTestRecipient(
    tx,
    await deps.keyring.get(tx, caller.organizationId),
    id,
    testRecipientInput(body),
  );
  if (!r) throw new AppError('not_found');
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'notice_test_recipient.updated',
    targetType: 'notice_test_recipient',
    targetId: r.id,
  });
  return r;
}

export async function removeTestRecipient(
  tx: Sql,
  deps: Pick<TestRecipientDeps, 'auditKey'>,
  caller: NoticeCaller,
  id: string,
): Promise<void> {
  if (!(await deleteTestRecipient(tx, id))) throw new AppError('not_found');
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'notice_test_recipient.deleted',
    targetType: 'notice_test_recipient',
    targetId: id,
  });
}
