import { open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import { listImportErrors } from './import-repo.js';
import type { ImportError } from './import-types.js';

/* The error report of an import: one part per batch, sealed under the organization's data key. */

const reportContext = (importId: string, batch: number) => `import-errors:${importId}:${batch}`;

/** A batch's rejected rows, sealed (under the current data key) for import_errors. */
export function sealErrorReport(
  keys: OrganizationKeys,
  importId: string,
  batch: number,
  errors: ImportError[],
): Buffer {
  return seal(keys.data(keys.dataVersion), JSON.stringify(errors), reportContext(importId, batch));
}

/** The error report, decrypted: callers audit the download. */
export async function openErrorReport(
  tx: Sql,
  keys: OrganizationKeys,
  importId: string,
): Promise<ImportError[]> {
  const rows = await listImportErrors(tx, importId);
  return rows.flatMap(
    (r) =>
      JSON.parse(
        open(keys.data(r.key_version), Buffer.from(r.report), reportContext(importId, r.batch)).toString(
          'utf8',
        ),
      ) as ImportError[],
  );
}
