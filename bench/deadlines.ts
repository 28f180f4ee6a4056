// npm run bench:deadlines [-- ORGANIZATIONS [INCIDENTS_PER_ORGANIZATION]]
// The deadline engine and its every-minute check on the embedded database: computing the clocks
// of incidents in three jurisdictions (the pure engine alone as the baseline, then with the SQL
// that stores them), a check that finds nothing due (what almost every minute costs) and a check
// in which every running clock crosses a threshold at once (warnings and e-mails enqueued).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import type { AppDeps } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { systemActor } from '../src/modules/audit/audit-service.js';
import {
  evaluate,
  type IncidentFacts,
  type OrganizationProfile,
} from '../src/modules/deadlines/deadline-engine.js';
import { syncClocks } from '../src/modules/deadlines/deadline-service.js';
import { checkDeadlines } from '../src/modules/deadlines/deadline-warnings.js';
import type { IncidentRow } from '../src/modules/incidents/incident-repo.js';
import { openEmbedded, withOrg } from '../src/platform/db.js';
import { createLogger } from '../src/platform/logger.js';
import { createMetrics } from '../src/platform/metrics.js';
import { migrate } from '../src/platform/migrations.js';
import { createOutbox } from '../src/platform/outbox.js';

const organizations = Number(process.argv[2] ?? 50);
const perOrganization = Number(process.argv[3] ?? 10);
const incidents = organizations * perOrganization;
const AWARE = new Date('2026-03-02T09:00:00Z');
const JURISDICTIONS = [
  ['CZ', 1200],
  ['US-CA', 600],
  ['SA', 100],
] as const;

const dataDir = mkdtempSync(path.join(tmpdir(), 'candor-bench-'));
const key = () => randomBytes(32).toString('base64');
const config = loadConfig({
  CANDOR_DATA_DIR: dataDir,
  CANDOR_SESSION_SECRET: key(),
  CANDOR_MASTER_KEY: key(),
  CANDOR_AUDIT_KEY: key(),
  CANDOR_METRICS_TOKEN: 'bench',
});
const db = await openEmbedded(path.join(dataDir, 'pgdata'));
await migrate(db);
const logger = createLogger({ level: 'silent' });
const metrics = createMetrics();
const outbox = createOutbox({
  config,
  db,
  logger,
  metrics,
  mailer: () => {
    throw new Error('the bench only enqueues');
  },
});
const deps: AppDeps = {
  config,
  db,
  logger,
  outbox,
  metrics,
  keyring: organizationKeyring(masterKeyFrom(config.secrets)),
};

// Baseline: the pure engine on the same facts.
const facts: IncidentFacts = {
  moments: { aware: AWARE, detected: AWARE },
  dataCategories: ['contact_details', 'payment_card'],
  jurisdictions: JURISDICTIONS.map(([code, affected]) => ({ code, affected })),
  riskLevel: null,
  significant: null,
};
const profile: OrganizationProfile = {
  leadAuthority: 'CZ',
  secRegistrant: true,
  hipaaCovered: false,
  nis2Entity: null,
  czRegulated: null,
  establishedIn: [],
  undueDelayTargetHours: 72,
};
let start = performance.now();
let clocksPerIncident = 0;
for (let i = 0; i < incidents; i++) clocksPerIncident = evaluate(facts, profile).length;
const engineMs = performance.now() - start;

// Candidate: incidents stored, their clocks computed and stored by syncClocks.
let syncMs = 0;
for (let o = 0; o < organizations; o++) {
  const org = randomUUID();
  await withOrg(db, org, async (tx) => {
    await tx.query(`INSERT INTO organizations (id, name) VALUES ($1, $2)`, [org, `Bench ${o}`]);
    await tx.query(
      `INSERT INTO users (organization_id, email, display_name, password_hash, roles)
       VALUES ($1, $2, 'Legal', 'x', '{legal}')`,
      [org, `legal-${o}@bench.test`],
    );
    for (let i = 0; i < perOrganization; i++) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO incidents (id, organization_id, number, title, type, severity, state, data_categories, aware_at, detected_at)
         VALUES ($1, $2, $3, 'Bench', 'data_breach', 'SEV2', 'detected', $4, $5, $5)`,
        [id, org, i + 1, facts.dataCategories, AWARE],
      );
      for (const [code, affected] of JURISDICTIONS) {
        await tx.query(
          `INSERT INTO incident_jurisdictions (organization_id, incident_id, code, estimated_affected) VALUES ($1, $2, $3, $4)`,
          [org, id, code, affected],
        );
      }
      const incident = (await tx.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1', [id]))[0]!;
      const t0 = performance.now();
      await syncClocks(tx, deps, incident, systemActor());
      syncMs += performance.now() - t0;
    }
  });
}
const clocks = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deadline_clocks'))[0]!.n;
const running = (
  await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deadline_clocks WHERE applicable AND status = 'active' AND due_at IS NOT NULL`,
  )
)[0]!.n;

// A minute in which nothing is due: one hour after awareness no clock is at half its time.
start = performance.now();
const idleSent = await checkDeadlines({
  db,
  config,
  outbox,
  logger,
  now: () => new Date(AWARE.getTime() + 3_600_000),
});
const idleMs = performance.now() - start;

// A minute in which every running clock has run out at once.
start = performance.now();
const busySent = await checkDeadlines({
  db,
  config,
  outbox,
  logger,
  now: () => new Date('2027-06-01T00:00:00Z'),
});
const busyMs = performance.now() - start;
const mails = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries'))[0]!.n;

await db.close();
rmSync(dataDir, { recursive: true, force: true });

const per = (ms: number, n: number) => `${((ms / n) * 1000).toFixed(0)} µs each`;
console.log(`command: npm run bench:deadlines -- ${organizations} ${perOrganization}`);
console.log(`incidents: ${incidents} in ${organizations} organizations, jurisdictions CZ, US-CA, SA`);
console.log(`clocks: ${clocks} (${clocksPerIncident} per incident), running: ${running}`);
console.log(
  `baseline  engine alone, evaluate():        ${engineMs.toFixed(0)} ms, ${per(engineMs, incidents)}`,
);
console.log(`syncClocks, engine + SQL (PGlite):         ${syncMs.toFixed(0)} ms, ${per(syncMs, incidents)}`);
console.log(`check, nothing due (${idleSent} warnings):        ${idleMs.toFixed(0)} ms`);
console.log(
  `check, every running clock missed:         ${busyMs.toFixed(0)} ms, ${busySent} warnings, ${mails} e-mails enqueued`,
);
console.log(`budget of one check: 60000 ms (the timer runs every minute)`);
