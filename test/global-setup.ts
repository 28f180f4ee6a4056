import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openEmbedded, openServer } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrations.js';
import { projectRoot } from '../src/platform/paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDir: string;
    templateDatabase: string;
    /** On a server: the login role the app under test connects as (never the owner). */
    appRole: string;
  }
}

/**
 * Migrates one template database per run; each test file clones it (a copy
 * of the embedded data directory, or CREATE DATABASE … TEMPLATE on a server).
 */
export default async function setup(project: TestProject) {
  const kind = project.config.env.CANDOR_TEST_DB;
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  if (kind === 'server') {
    const url = process.env.TEST_DATABASE_URL!;
    const name = `candor_template_${run}`;
    const admin = openServer(url, { max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const db = openServer(target.toString(), { max: 1 });
    await migrate(db);
    await db.close();
    // As docs/OPERATIONS.md tells an operator: the processes log in as a member of candor_app and
    // candor_jobs, so every test that drives the app proves the login role's rights suffice.
    const appRole = `candor_test_app_${run}`;
    await admin.exec(
      `CREATE ROLE ${appRole} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB IN ROLE candor_app, candor_jobs`,
    );
    project.provide('templateDatabase', name);
    project.provide('templateDir', '');
    project.provide('appRole', appRole);
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.exec(`DROP ROLE IF EXISTS ${appRole}`);
      await admin.close();
    };
  }
  const dir = path.join(projectRoot, 'test-results', 'db', `template-${run}`);
  mkdirSync(path.dirname(dir), { recursive: true });
  const db = await openEmbedded(dir);
  await migrate(db);
  await db.close();
  project.provide('templateDir', dir);
  project.provide('templateDatabase', '');
  project.provide('appRole', '');
  return () => rmSync(dir, { recursive: true, force: true });
}
