import type { ImportEncoding } from '../modules/customers/customer-model.js';

/* ---------- what travels from the import to the terminal (also over the control socket) ---------- */

/** The encoding the file is read in, and what said so: its byte-order mark, --encoding, or the detector. */
export interface ImportReading {
  encoding: ImportEncoding;
  by: 'bom' | 'option' | 'detected';
}

export interface ImportCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  batches: number;
  byteOffset: number;
}

export type ImportEvent =
  | {
      kind: 'import.started';
      importId: string;
      fileBytes: number;
      format: 'csv' | 'jsonl';
      resumed: boolean;
      /** Rows an interrupted import had already committed (resumed): not this run's work. */
      alreadyRead: number;
      reading?: ImportReading;
    }
  | { kind: 'import.batch'; counts: ImportCounts };

/* ---------- progress on the terminal ---------- */

const n = (value: number) => value.toLocaleString('en');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const readingText = (r: ImportReading) =>
  r.by === 'bom'
    ? `${r.encoding} by its byte-order mark`
    : r.by === 'detected'
      ? `${r.encoding} detected`
      : r.encoding;

/**
 * Draws the import's progress on standard error: a bar redrawn in place on a terminal (at most ten
 * times a second), otherwise a plain line for the first batch and then at most one a second; the
 * last state is always drawn at the end.
 */
export function importProgress(
  out: { write(text: string): unknown; isTTY?: boolean; columns?: number },
  now: () => number = () => performance.now(),
) {
  let started = 0;
  let fileBytes = 0;
  let lastLine = 0;
  let shown = false;
  let last: ImportCounts | undefined;
  let alreadyRead = 0;
  let importId: string | undefined;
  let pending = false;
  let drawn = false;

  const line = (c: ImportCounts) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? (c.read - alreadyRead) / seconds : 0;
    const byteRate = seconds > 0 ? c.byteOffset / seconds : 0;
    const share = fileBytes > 0 ? Math.min(1, c.byteOffset / fileBytes) : 1;
    const eta = byteRate > 0 ? (fileBytes - c.byteOffset) / byteRate : Number.NaN;
    const counts =
      `inserted ${n(c.inserted)}, updated ${n(c.updated)}, unchanged ${n(c.unchanged)}, ` +
      `rejected ${n(c.rejected)}`;
    const text =
      `${String(Math.floor(share * 100)).padStart(3)}%  ${n(c.read)} rows  ${n(Math.round(rate))} rows/s  ` +
      `ETA ${duration(eta)}  ${counts}`;
    if (!out.isTTY) return text;
    const width = 24;
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
  };

  const draw = (c: ImportCounts) => {
    if (out.isTTY) {
      const text = line(c);
      const max = (out.columns ?? 0) > 20 ? out.columns! - 1 : text.length;
      out.write(`\r\x1b[2K${text.slice(0, max)}`);
      drawn = true;
    } else {
      out.write(`progress: ${line(c)}\n`);
    }
    lastLine = now();
    shown = true;
    pending = false;
  };

  const finish = () => {
    if (pending && last) draw(last);
    if (drawn) out.write('\n');
    drawn = false;
  };

  return {
    event(e: ImportEvent) {
      if (e.kind === 'import.started') {
        started = now();
        importId = e.importId;
        fileBytes = e.fileBytes;
        alreadyRead = e.alreadyRead;
        out.write(
          `${e.resumed ? 'Resuming' : 'Starting'} import ${e.importId} (${e.format}, ${size(e.fileBytes)}` +
            `${e.reading ? `, ${readingText(e.reading)}` : ''}). ` +
            `Interrupted, it continues with --resume ${e.importId}.\n`,
        );
        return;
      }
      last = e.counts;
      if (!shown || now() - lastLine >= (out.isTTY ? 100 : 1000)) draw(e.counts);
      else pending = true;
    },
    /** Ends the progress display before the summary is printed. */
    finish,
    /** Ctrl-C: the display ends, and how the import goes on is said. */
    interrupted(inServer: boolean) {
      finish();
      if (!importId) return;
      out.write(
        inServer
          ? `Interrupted. Import ${importId} goes on inside the running Candor (GET /api/imports/${importId}).\n`
          : `Interrupted with ${n(last?.read ?? alreadyRead)} rows committed: continue with --resume ${importId} (the same file).\n`,
      );
    },
  };
}
