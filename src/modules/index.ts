import type { FastifyInstance } from 'fastify';
import type { JobType, ModuleTimer } from '../platform/jobs.js';
import { accountRoutes, authRoutes, mfaRoutes, peopleRoutes, userRoutes } from './accounts/index.js';
import { auditRoutes } from './audit/index.js';
import { affectedCustomerRoutes, customerRoutes, importRoutes } from './customers/index.js';
import {
  clockReaction,
  deadlineRoutes,
  deadlineTimer,
  followClocks,
  type WarningDeps,
} from './deadlines/index.js';
import { incidentRoutes, reactToIncidents } from './incidents/index.js';
import { intakeRoutes } from './intake/index.js';
import {
  guidanceRoutes,
  lookupJob,
  lookupWorker,
  type LookupDeps,
  publicLookupRoutes,
} from './lookup/index.js';
import {
  verifyRoutes,
  channelRoutes,
  smsStatusRoutes,
  noticeRoutes,
  noticeSendJob,
  noticeSendRequeueTimer,
  bounceRoutes,
  deliveryRoutes,
  emailSettingsRoutes,
  suppressionRoutes,
  reportReviewRoutes,
  signedOrganizationMail,
} from './notices/index.js';
import { reencryptionTimer, organizationDeletionRoutes } from './keys/index.js';
import { planReaction, planRoutes, taskClockFollower } from './plans/index.js';
import { reportRoutes } from './reports/index.js';
import { tokenRoutes } from './tokens/index.js';
import { publicSiteRoutes, trustLapseTimer, trustPreviewRoutes, trustRoutes } from './trust/index.js';

// What follows an incident's declaration or change, in this order: its plan, then its clocks.
reactToIncidents(planReaction, clockReaction);
// After every sync of an incident's clocks, its plan's open tasks move with awareness and the clocks.
followClocks(taskClockFollower);

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
  await app.register(trustRoutes);
  await app.register(trustPreviewRoutes);
  await app.register(publicSiteRoutes);
}

/** The modules' timers, beside the platform's own (platform/jobs.ts TIMERS). */
export function moduleTimers(deps: WarningDeps & Omit<LookupDeps, 'signMail'>): ModuleTimer[] {
  return [
    deadlineTimer(deps),
    reencryptionTimer(deps),
    lookupWorker({ ...deps, signMail: signedOrganizationMail }),
    noticeSendRequeueTimer(deps),
    trustLapseTimer(deps),
  ];
}

/** The jobs requests queue (in their transactions): a web process makes their queues at start. */
export const sentJobs: readonly JobType[] = [noticeSendJob, lookupJob];
