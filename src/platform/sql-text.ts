/**
 * The reviewed ways to put something other than a parameter into SQL text. The lint rule
 * `candor/no-sql-interpolation` (eslint-rules/no-sql-interpolation.js) refuses a query whose text
 * interpolates anything else; each use of these is a place a reviewer reads. Values never go
 * here: they are parameters ($1, …).
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A table, column or function name the code chose (from a constant list, never from a request),
 * double-quoted. Refuses anything but a plain lower-case identifier.
 */
export function sqlIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A count or limit the code computed, as SQL text: a safe integer, nothing else. */
export function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`Not an integer: ${String(n)}`);
  return String(n);
}

/**
 * A fragment the code assembled from identifiers, placeholders ($n) and SQL words (a column list,
 * a WHERE clause of a known shape). It can hold no quote, no statement separator, no comment and
 * no dollar quote,
 * so a value that slipped in cannot end the fragment and start SQL of its own.
 */
export function sqlFragment(text: string): string {
  if (/['";\\]|--|\/\*|\$[A-Za-z_]*\$/.test(text)) {
    throw new Error('A SQL fragment holds a quote, a ";", a comment or a dollar quote');
  }
  return text;
}
