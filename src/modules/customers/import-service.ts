import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { runImport, type ImportDeps } from './customer-import.js';
import type { ImportDelimiter, ImportEncoding } from './customer-model.js';
import { openErrorReport } from './import-report.js';
import { findImport, listRecentImportIds, loadMapping, saveMapping } from './import-repo.js';
import type { ImportError, ImportMapping, ImportOptions, ImportSummary } from './import-types.js';

/** Who starts or reads an import: the organization, the audit's actor and, for a person, their id. */
export interface ImportCaller {
  organizationId: string;
  actor: AuditActor;
  userId?: string | null;
}

/**
 * The columns of an upload: given with it (and saved under a name when asked), or a saved
 * mapping by its name; an unknown name is a bad `mapping`.
 */
export async function uploadMapping(
  tx: Sql,
  organizationId: string,
  chosen: { columns?: ImportMapping; saveAs?: string; name?: string },
): Promise<ImportMapping | undefined> {
  if (chosen.columns) {
    if (chosen.saveAs) await saveMapping(tx, organizationId, chosen.saveAs, chosen.columns);
    return chosen.columns;
  }
  if (chosen.name === undefined) return undefined;
  const saved = await loadMapping(tx, chosen.name);
  if (!saved) throw new AppError('validation_failed', { field: 'mapping' });
  return saved;
}

/** An uploaded file streamed into the vault, under the id the client chose or a new one. */
export async function importUpload(
  deps: ImportDeps,
  caller: ImportCaller,
  source: AsyncIterable<Buffer>,
  chosen: {
    format: ImportOptions['format'];
    delimiter?: ImportDelimiter;
    encoding?: ImportEncoding;
    defaultCountry?: string;
    mapping?: ImportMapping;
    id?: string;
  },
): Promise<ImportSummary> {
  const run: ImportOptions = {
    format: chosen.format,
    ...(chosen.delimiter ? { delimiter: chosen.delimiter } : {}),
    ...(chosen.encoding ? { encoding: chosen.encoding } : {}),
    ...(chosen.defaultCountry ? { defaultCountry: chosen.defaultCountry } : {}),
    ...(chosen.mapping ? { mapping: chosen.mapping } : {}),
    ...(chosen.id ? { importId: chosen.id } : {}),
    createdBy: caller.userId ?? null,
  };
  return runImport(deps, caller.organizationId, caller.actor, source, run).catch((error: unknown) => {
    // A chosen id already taken (in any organization: ids are global) is refused, never resumed.
    if (chosen.id && (error as { code?: unknown }).code === '23505') {
      throw new AppError('conflict', { field: 'id' });
    }
    throw error;
  });
}

/** The newest imports first, each as the engine reads it (findImport). */
export async function listImports(tx: Sql, limit: number): Promise<ImportSummary[]> {
  const list: ImportSummary[] = [];
  for (const id of await listRecentImportIds(tx, limit)) {
    const summary = await findImport(tx, id);
    if (summary) list.push(summary);
  }
  return list;
}

/**
 * An import's error report, opened and its download audited (the raw lines are personal data);
 * undefined for an import the caller cannot see.
 */
export async function downloadErrorReport(
  tx: Sql,
  deps: { keyring: OrganizationKeyring; auditKey: Buffer },
  caller: ImportCaller,
  importId: string,
  via?: 'cli',
): Promise<{ importId: string; errors: ImportError[] } | undefined> {
  const summary = await findImport(tx, importId);
  if (!summary) return undefined;
  const errors = await openErrorReport(tx, await deps.keyring.get(tx, caller.organizationId), summary.id);
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'customers.import_errors_downloaded',
    targetType: 'import',
    targetId: summary.id,
    data: via ? { rows: errors.length, via } : { rows: errors.length },
  });
  return { importId: summary.id, errors };
}
