import type { FastifyInstance } from 'fastify';
import type { JobType, ModuleTimer } from '../platform/jobs.js';
import { accountRoutes } from './accounts/account-routes.js';
import { authRoutes } from './accounts/auth-routes.js';
import { mfaRoutes } from './accounts/mfa-routes.js';
import { peopleRoutes } from './accounts/people-routes.js';
import { userRoutes } from './accounts/user-routes.js';
import { auditRoutes } from './audit/audit-routes.js';
import { affectedCustomerRoutes } from './customers/affected-routes.js';
import { customerRoutes } from './customers/customer-routes.js';
import { importRoutes } from './customers/import-routes.js';
import { deadlineRoutes } from './deadlines/deadline-routes.js';
import { deadlineTimer, type WarningDeps } from './deadlines/deadline-warnings.js';
import { incidentRoutes } from './incidents/incident-routes.js';
import { intakeRoutes } from './intake/intake-routes.js';
import { guidanceRoutes } from './lookup/guidance-routes.js';
import { lookupJob, lookupWorker, type LookupDeps } from './lookup/lookup-job.js';
import { publicLookupRoutes } from './lookup/public-routes.js';
import { verifyRoutes } from './notices/verify-routes.js';
import { channelRoutes } from './notices/channel-routes.js';
import { smsStatusRoutes } from './notices/channel-sms.js';
import { reencryptionTimer } from './keys/keys-timer.js';
import { noticeRoutes } from './notices/notice-routes.js';
import { noticeSendJob, noticeSendRequeueTimer } from './notices/notice-sends.js';
import { organizationDeletionRoutes } from './keys/org-deletion-routes.js';
import { planRoutes } from './plans/plan-routes.js';
import { bounceRoutes } from './notices/bounce-routes.js';
import { deliveryRoutes } from './notices/delivery-routes.js';
import { emailSettingsRoutes } from './notices/email-settings-routes.js';
import { suppressionRoutes } from './notices/suppression-routes.js';
import { reportReviewRoutes } from './notices/report-review-routes.js';
import { reportRoutes } from './reports/report-routes.js';
import { tokenRoutes } from './tokens/token-routes.js';

/** The one list of modules and their routes. */
export async function registerModules(app: FastifyInstance): Promise<void> {
  await app.register(authRoutes);
  await app.register(mfaRoutes);
  await app.register(accountRoutes);
  await app.register(userRoutes);
  await app.register(peopleRoutes);
  await app.register(tokenRoutes);
  await app.register(auditRoutes);
  await app.register(incidentRoutes);
  await app.register(deadlineRoutes);
  await app.register(intakeRoutes);
  await app.register(reportRoutes);
  await app.register(planRoutes);
  await app.register(customerRoutes);
  await app.register(importRoutes);
  await app.register(affectedCustomerRoutes);
  await app.register(organizationDeletionRoutes);
  await app.register(guidanceRoutes);
  await app.register(publicLookupRoutes);
  await app.register(noticeRoutes);
  await app.register(verifyRoutes);
  await app.register(channelRoutes);
  await app.register(smsStatusRoutes);
  await app.register(suppressionRoutes);
  await app.register(emailSettingsRoutes);
  await app.register(deliveryRoutes);
  await app.register(bounceRoutes);
  await app.register(reportReviewRoutes);
}

/** The modules' timers, beside the platform's own (platform/jobs.ts TIMERS). */
export function moduleTimers(deps: WarningDeps & LookupDeps): ModuleTimer[] {
  return [deadlineTimer(deps), reencryptionTimer(deps), lookupWorker(deps), noticeSendRequeueTimer(deps)];
}

/** The jobs requests queue (in their transactions): a web process makes their queues at start. */
export const sentJobs: readonly JobType[] = [noticeSendJob, lookupJob];
