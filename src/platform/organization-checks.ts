import { withOrg, type Database, type Sql } from './db.js';
import type { Logger } from './logger.js';
import type { Outbox } from './outbox.js';

/**
 * A timer's check of one organization, as system work inside it (it sees restricted incidents too);
 * the outbox is woken when the check queued anything. Returns what the check counted.
 */
export async function checkInOrganization(
  deps: { db: Database; outbox: Pick<Outbox, 'wake'> },
  organizationId: string,
  check: (tx: Sql) => Promise<number>,
): Promise<number> {
  const counted = await withOrg(deps.db, organizationId, check, { system: true });
  if (counted > 0) deps.outbox.wake();
  return counted;
}

/** Each organization's check in turn: one organization's failure is logged and never holds up the others. */
export async function checkEachOrganization(
  deps: { logger: Logger },
  organizationIds: string[],
  what: string,
  check: (organizationId: string) => Promise<number>,
): Promise<number> {
  let counted = 0;
  for (const organizationId of organizationIds) {
    try {
      counted += await check(organizationId);
    } catch (error) {
      deps.logger.error({ err: error, organizationId }, `${what} failed`);
    }
  }
  return counted;
}
