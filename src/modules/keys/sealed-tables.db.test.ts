import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { SEALED_COLUMNS } from './sealed-columns.js';

const t = await createTestApp();

/**
 * A table that seals under an organization's data key has a key_version column. One missing from
 * SEALED_COLUMNS is skipped by the re-encryption after a rotation, and its rows become unreadable
 * once the old key versions are destroyed (as inbound_reports was until it was listed).
 */
describe('the tables sealed under data keys', () => {
  it('are every table with a key_version column, and the key destruction checks each of them', async () => {
    const withVersion = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name = 'key_version' ORDER BY table_name`,
    );
    const listed = SEALED_COLUMNS.map((entry) => entry.table).sort();
    expect(withVersion.map((row) => row.table_name)).toEqual(listed);

    const [destroy] = await t.db.query<{ source: string }>(
      `SELECT prosrc AS source FROM pg_proc WHERE proname = 'candor_destroy_data_key_versions'`,
    );
    for (const table of listed) expect(destroy?.source, table).toContain(`'${table}'`);
  });
});
