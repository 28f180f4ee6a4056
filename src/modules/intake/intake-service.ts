import { createHmac, randomBytes } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { Config } from '../../config.js';
import { deriveKey, open, safeEqual, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import {
  recordEvent,
  INCIDENT_TYPES,
  type Severity,
  declareIncident,
  setDedupeKey,
} from '../incidents/index.js';
import {
  findOpenIncidentByDedupeKey,
  findSeenAlert,
  findWebhookSecret,
  insertSeenAlert,
  intakeStartsPlan,
  lockAlertKey,
  saveWebhookSecret,
} from './intake-repo.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface IntakeDeps {
  config: Pick<Config, 'secrets'>;
}

/** The documented generic alert a detection tool posts (see docs/INTAKE.md). */
export const Alert = Type.Object(
  {
    /** A stable id of this alert at its source: a retried delivery carries the same one. */
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    source: Type.String({ minLength: 1, maxLength: 100 }),
    severity: Type.Unsafe<string>({
      type: 'string',
      enum: ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'critical', 'high', 'medium', 'low', 'info'],
    }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    /** Which incident type the alert suggests; 'other' when the tool cannot tell. */
    type: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...INCIDENT_TYPES] })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    observables: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.String({ minLength: 1, maxLength: 50 }),
            value: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 500 },
      ),
    ),
    /** Alerts with the same key belong to the same incident while it is open. */
    dedupeKey: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type Alert = Static<typeof Alert>;

const SEVERITY: Record<string, Severity> = {
  SEV1: 'SEV1',
  SEV2: 'SEV2',
  SEV3: 'SEV3',
  SEV4: 'SEV4',
  critical: 'SEV1',
  high: 'SEV2',
  medium: 'SEV3',
  low: 'SEV4',
  info: 'SEV4',
};

export interface IntakeResult {
  incidentId: string;
  incidentNumber: number;
  action: 'opened' | 'appended';
  duplicate: boolean;
}

const INTAKE_LOCK = 727_004;

/**
 * One alert in: appended to the open incident with its dedupe key, or a new
 * incident in state detected. Concurrent posts with one key serialize on an
 * advisory lock, so exactly one incident opens; a retried alert (same id)
 * gets its first answer again and changes nothing.
 */
export async function receiveAlert(
  tx: Sql,
  deps: IntakeDeps,
  organizationId: string,
  actor: AuditActor,
  alert: Alert,
  deliveryId: string | undefined,
): Promise<IntakeResult> {
  const alertKey = alert.id
    ? `alert:${alert.source}:${alert.id}`
    : deliveryId
      ? `delivery:${deliveryId}`
      : undefined;
  await lockAlertKey(tx, INTAKE_LOCK, `${organizationId}:${alert.dedupeKey}`);
  if (alertKey) {
    const first = await findSeenAlert(tx, alertKey);
    if (first)
      return {
        incidentId: first.incident_id,
        incidentNumber: first.number,
        action: first.action,
        duplicate: true,
      };
  }
  const open = await findOpenIncidentByDedupeKey(tx, alert.dedupeKey);
  let result: IntakeResult;
  const timelineData = {
    source: alert.source,
    severity: alert.severity,
    title: alert.title,
    observables: alert.observables ?? [],
    occurredAt: alert.occurredAt ?? null,
  };
  if (open) {
    await recordEvent(tx, deps.config.secrets.auditKey, {
      organizationId,
      incidentId: open.id,
      actor,
      kind: 'alert',
      data: timelineData,
      note: alert.description,
      auditData: { source: alert.source },
    });
    result = { incidentId: open.id, incidentNumber: open.number, action: 'appended', duplicate: false };
  } else {
    const startPlan = await intakeStartsPlan(tx);
    const incident = await declareIncident(
      tx,
      deps,
      { organizationId, actor, userId: null },
      {
        title: alert.title,
        summary: alert.description ?? '',
        type: (alert.type ?? 'other') as (typeof INCIDENT_TYPES)[number],
        severity: SEVERITY[alert.severity]!,
        // Detected when the tool saw it; "became aware" is for a person to set.
        moments: { detected: alert.occurredAt ?? new Date().toISOString() },
        startPlan,
      },
    );
    await setDedupeKey(tx, incident.id, alert.dedupeKey);
    await recordEvent(tx, deps.config.secrets.auditKey, {
      organizationId,
      incidentId: incident.id,
      actor,
      kind: 'alert',
      data: timelineData,
      note: alert.description,
      auditData: { source: alert.source },
    });
    result = { incidentId: incident.id, incidentNumber: incident.number, action: 'opened', duplicate: false };
  }
  if (alertKey) {
    await insertSeenAlert(tx, organizationId, alertKey, result.incidentId, result.action);
  }
  return result;
}

const webhookSecretKey = (deps: IntakeDeps) => deriveKey(deps.config.secrets.masterKey, 'intake-webhook');
const webhookSecretContext = (organizationId: string) => `intake:${organizationId}`;

/** A delivery to the organization's webhook: its Standard Webhooks headers and the exact bytes received. */
export interface SignedDelivery {
  headers: { id?: string; timestamp?: string; signature?: string };
  rawBody: string;
  requestId: string;
}

/**
 * An alert posted to the organization's webhook, checked against the organization's
 * secret before anything else, then received as the system (`tx` a system transaction).
 */
export async function receiveSignedAlert(
  tx: Sql,
  deps: IntakeDeps,
  organizationId: string,
  delivery: SignedDelivery,
  alert: Alert,
): Promise<IntakeResult> {
  // Everything that can be judged without the organization is judged first, so an unknown
  // organization, one without a secret and a known one give the same answers in the same order.
  const headers = checkWebhookHeaders(delivery.headers);
  const sealed = await findWebhookSecret(tx);
  if (!sealed) {
    // Answers like a bad signature, after the same work (a MAC over the body), not sooner.
    checkWebhookSignature(UNKNOWN_ORGANIZATION_SECRET, headers, delivery.rawBody);
    throw new AppError('unauthenticated', { problem: 'bad webhook-signature' });
  }
  const secret = open(
    webhookSecretKey(deps),
    Buffer.from(sealed),
    webhookSecretContext(organizationId),
  ).toString();
  checkWebhookSignature(secret, headers, delivery.rawBody);
  return receiveAlert(
    tx,
    deps,
    organizationId,
    { type: 'system', id: null, requestId: delivery.requestId },
    alert,
    delivery.headers.id,
  );
}

/** A new webhook secret replaces the old one at once; it is shown this once and kept sealed. */
export async function rotateWebhookSecret(
  tx: Sql,
  deps: IntakeDeps,
  organizationId: string,
  actor: AuditActor,
): Promise<string> {
  const secret = newWebhookSecret();
  await saveWebhookSecret(tx, seal(webhookSecretKey(deps), secret, webhookSecretContext(organizationId)));
  await appendAudit(tx, deps.config.secrets.auditKey, organizationId, actor, {
    action: 'intake.secret_rotated',
    targetType: 'organization',
    targetId: organizationId,
  });
  return secret;
}

/** A new signing secret for the intake webhook, in the Standard Webhooks format. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const TOLERANCE_SECONDS = 300;

/** Stands in for the secret of an organization that has none (or does not exist): never matches. */
const UNKNOWN_ORGANIZATION_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

type WebhookHeaders = { id?: string; timestamp?: string; signature?: string };

/**
 * The headers' presence and the timestamp's freshness (within five minutes: replays of old
 * deliveries are refused): what needs no secret.
 */
function checkWebhookHeaders(headers: WebhookHeaders, now = Date.now()): Required<WebhookHeaders> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature)
    throw new AppError('unauthenticated', {
      problem: 'missing webhook-id, webhook-timestamp or webhook-signature',
    });
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) {
    throw new AppError('unauthenticated', { problem: 'webhook-timestamp is missing or too old' });
  }
  return { id, timestamp, signature };
}

/**
 * Standard Webhooks signature check: HMAC-SHA256 over "id.timestamp.body" with the secret's
 * bytes, base64, in a "v1,<sig>" list.
 */
function checkWebhookSignature(secret: string, headers: Required<WebhookHeaders>, rawBody: string): void {
  const { id, timestamp, signature } = headers;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64');
  const valid = signature
    .split(' ')
    .map((s) => s.split(','))
    .some(([version, sig]) => version === 'v1' && sig !== undefined && safeEqual(sig, expected));
  if (!valid) throw new AppError('unauthenticated', { problem: 'bad webhook-signature' });
}
