import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts/account-routes.js';
import { authRoutes } from './accounts/auth-routes.js';
import { mfaRoutes } from './accounts/mfa-routes.js';
import { userRoutes } from './accounts/user-routes.js';
import { auditRoutes } from './audit/audit-routes.js';
import { incidentRoutes } from './incidents/incident-routes.js';
import { intakeRoutes } from './intake/intake-routes.js';
import { reportRoutes } from './reports/report-routes.js';
import { tokenRoutes } from './tokens/token-routes.js';

/** The one list of modules and their routes. */
export async function registerModules(app: FastifyInstance): Promise<void> {
  await app.register(authRoutes);
  await app.register(mfaRoutes);
  await app.register(accountRoutes);
  await app.register(userRoutes);
  await app.register(tokenRoutes);
  await app.register(auditRoutes);
  await app.register(incidentRoutes);
  await app.register(intakeRoutes);
  await app.register(reportRoutes);
}
