/**
 * A name that ends with its own full stop ("Acme s.r.o.", "Acme Inc.", "J. Novák Jr.") placed where
 * a message ends its sentence ("…sent to you by {organization}.") would read "Acme Inc..": the
 * name's stop closes the sentence, as a typesetter would set it. Both formatters (the server's and
 * the admin app's) mark such values before formatting and settle the text after, so no catalog has
 * to avoid ending a sentence with a name. Imports nothing: the admin app bundles it.
 */

/** Stands in for a value's final stop while the message is formatted (a private-use character). */
const STOP = '\uE000';

/**
 * The values with each string's final "." replaced by the mark, or undefined when none ends with
 * one or a value already holds the mark (then the message is formatted as written, unsettled).
 */
export function markFinalStops<V>(values: Record<string, V> | undefined): Record<string, V> | undefined {
  if (!values) return undefined;
  const entries = Object.entries(values);
  const strings = entries.flatMap(([, value]) => (typeof value === 'string' ? [value] : []));
  if (!strings.some((value) => value.endsWith('.')) || strings.some((value) => value.includes(STOP)))
    return undefined;
  return Object.fromEntries(
    entries.map(([name, value]) =>
      typeof value === 'string' && value.endsWith('.')
        ? [name, `${value.slice(0, -1)}${STOP}`]
        : [name, value],
    ),
  ) as Record<string, V>;
}

/** Text formatted with marked values, each mark back as the value's stop absorbing the message's own after it. */
export function settleFinalStops(text: string): string {
  return text.replaceAll(`${STOP}.`, '.').replaceAll(STOP, '.');
}
