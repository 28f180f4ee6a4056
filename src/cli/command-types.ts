import type { Config } from '../config.js';
import type { Database } from '../platform/db.js';

/** The control socket's streamed answer: {"progress":…} lines, then one {"result":…} line. */
export const CONTROL_NDJSON = 'application/x-ndjson';

/** What every command gets, and what it gives back. */
export interface CommandContext {
  config: Config;
  db: Database;
}

export interface CommandResult {
  exitCode: number;
  /** The answer, for standard output: what `candor … > file` saves. */
  output: string;
  /** Why the command failed, for standard error: never mixed into the answer. */
  error?: string;
}
