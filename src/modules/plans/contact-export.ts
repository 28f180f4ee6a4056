import { stringify } from 'csv-stringify/sync';
import { direction, t, type Locale, type MessageKey } from '../../platform/i18n.js';
import type { Channel, Contact } from './contact-repo.js';
import { escapeHtml } from '../../platform/html.js';
import { formatTime } from '../../platform/time-format.js';

const COLUMNS = ['name', 'role', 'affiliation', 'phone', 'channels', 'notes'] as const;
const label = (locale: Locale, column: (typeof COLUMNS)[number]) =>
  t(locale, `plan.contacts.column.${column}` as MessageKey);
const channelLabel = (locale: Locale, channel: Channel) =>
  `${t(locale, `plan.contacts.channel.${channel.type}` as MessageKey)}: ${channel.value}`;

// A phone number such as "+420 601 234 567" is data, not a formula (no letters, so no function or
// reference): it is left as it is. Anything else a spreadsheet would evaluate (=, +, -, @, tab, CR
// first) gets a leading quote from csv-stringify's escape_formulas; a field-level option (see its
// `cast` option) turns that off for phone numbers only.
const PHONE_LIKE = /^\+[0-9 ()./-]+$/;
const phoneAsData = { escape_formulas: false };

/** RFC 4180 CSV with a byte-order mark, so spreadsheets read Czech and Arabic text as UTF-8. */
export function contactsCsv(contacts: Contact[], locale: Locale): string {
  const rows = contacts.map((c) => [
    c.name,
    c.role,
    c.affiliation,
    c.phone,
    c.channels.map((ch) => channelLabel(locale, ch)).join('; '),
    c.notes,
  ]);
  return stringify([COLUMNS.map((c) => label(locale, c)), ...rows], {
    bom: true,
    record_delimiter: 'windows',
    // Given a record delimiter, csv-stringify quotes only fields holding that whole sequence: a
    // lone CR or LF in a note must be quoted too.
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: { string: (value) => (PHONE_LIKE.test(value) ? { value, ...phoneAsData } : value) },
  });
}

export const PRINT_CSS_PATH = '/api/contacts/print.css';

/**
 * The printable list: a page of its own with no script and no inline style
 * (the content security policy allows neither); its stylesheet is served
 * from PRINT_CSS_PATH.
 */
export function contactsHtml(
  contacts: Contact[],
  options: { locale: Locale; organization: string; printedAt: Date },
): string {
  const { locale } = options;
  const e = escapeHtml;
  const date = formatTime(options.printedAt, { locale, timeZone: 'UTC', style: 'longDateTime' });
  const title = t(locale, 'plan.contacts.title');
  const rows = contacts
    .map(
      (c) => `      <tr>
        <td>${e(c.name)}</td>
        <td>${e(c.role)}</td>
        <td>${e(c.affiliation)}</td>
        <td class="phone"><span dir="ltr">${e(c.phone)}</span></td>
        <td>${c.channels.map((ch) => `<bdi>${e(channelLabel(locale, ch))}</bdi>`).join('<br>')}</td>
        <td>${e(c.notes)}</td>
      </tr>`,
    )
    .join('\n');
  const table = contacts.length
    ? `<table>
    <thead>
      <tr>${COLUMNS.map((c) => `<th scope="col">${e(label(locale, c))}</th>`).join('')}</tr>
    </thead>
    <tbody>
${rows}
    </tbody>
  </table>`
    : `<p class="empty">${e(t(locale, 'plan.contacts.empty'))}</p>`;
  return `<!doctype html>
<html lang="${locale}" dir="${direction(locale)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${e(title)} · ${e(options.organization)}</title>
  <link rel="stylesheet" href="${PRINT_CSS_PATH}">
</head>
<body>
<main>
  <h1>${e(title)}</h1>
  <p class="meta">${e(t(locale, 'plan.contacts.printed', { organization: options.organization, date }))}</p>
  <p class="guidance">${e(t(locale, 'plan.contacts.guidance'))}</p>
  ${table}
  <p class="confidential">${e(t(locale, 'plan.contacts.confidential'))}</p>
</main>
</body>
</html>
`;
}

/** Logical properties only, so the Arabic page mirrors by itself. */
export const PRINT_CSS = `:root { color-scheme: light; }
body {
  margin: 0;
  font-family: "Noto Sans", "Noto Sans Arabic", "Segoe UI", Tahoma, Arial, sans-serif;
  color: #111;
  background: #fff;
  line-height: 1.4;
}
main { max-inline-size: 60rem; margin-inline: auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin-block: 0 0.25rem; }
.meta { color: #444; margin-block: 0 1rem; }
.guidance { border-inline-start: 4px solid #b00020; padding-inline-start: 0.75rem; font-weight: 600; }
table { inline-size: 100%; border-collapse: collapse; margin-block: 1rem; font-size: 0.95rem; }
th, td { border: 1px solid #888; padding: 0.4rem 0.5rem; text-align: start; vertical-align: top; }
th { background: #eee; }
.phone { white-space: nowrap; font-variant-numeric: tabular-nums; }
.confidential { font-size: 0.85rem; color: #444; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  main { padding: 0; max-inline-size: none; }
  th { background: none; }
  tr { break-inside: avoid; }
}
`;
