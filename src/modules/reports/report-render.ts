import { escapeHtml } from '../../platform/html.js';
import { direction, t, type Locale, type MessageKey } from '../../platform/i18n.js';
import { DOCUMENT_FONT, fontFaces } from './report-fonts.js';
import {
  FIELD_TYPES,
  LAYOUTS,
  type Choice,
  type FieldName,
  type PeopleInJurisdiction,
  type ReportFields,
  type ReportKind,
} from './report-model.js';
import { formatTime } from '../../platform/time-format.js';

export interface RenderInput {
  kind: ReportKind;
  locale: Locale;
  fields: ReportFields;
  isExercise: boolean;
  revision: number;
  generatedAt: Date;
}

const msg = (locale: Locale, key: string, values?: Record<string, string | number>) =>
  escapeHtml(t(locale, key as MessageKey, values));

function formatInstant(locale: Locale, iso: string): string {
  const date = new Date(iso);
  const text = formatTime(date, { locale, timeZone: 'UTC', style: 'longDateTime' });
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(text)}</time>`;
}

/** "Czechia" for CZ, "United States (US-CA)" for a state, in the document's language. */
export function jurisdictionName(locale: Locale, code: string): string {
  const country = code.slice(0, 2);
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([locale], { type: 'region' }).of(country);
  } catch {
    name = undefined;
  }
  if (!name || name === country) return code;
  return code.length > 2 ? `${name} (${code})` : name;
}

function peopleTable(locale: Locale, rows: PeopleInJurisdiction[]): string {
  const numbers = new Intl.NumberFormat(locale);
  const body = rows
    .map(
      (r) =>
        `<tr><td dir="auto">${escapeHtml(jurisdictionName(locale, r.jurisdiction))}</td><td class="num">${
          r.people === null
            ? `<span class="empty">${msg(locale, 'report.notKnown')}</span>`
            : numbers.format(r.people)
        }</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">${msg(locale, 'report.table.jurisdiction')}</th><th scope="col">${msg(
    locale,
    'report.table.people',
  )}</th></tr></thead><tbody>${body}</tbody></table>`;
}

function fieldValue(locale: Locale, name: FieldName, fields: ReportFields): string {
  const empty = `<span class="empty">${msg(locale, 'report.notProvided')}</span>`;
  const value = fields[name];
  switch (FIELD_TYPES[name]) {
    case 'text':
    case 'longtext': {
      const text = (value as string).trim();
      return text ? `<div class="text" dir="auto">${escapeHtml(text)}</div>` : empty;
    }
    case 'instant':
      return value ? formatInstant(locale, value as string) : empty;
    case 'count':
      return value === null ? empty : escapeHtml(new Intl.NumberFormat(locale).format(value as number));
    case 'choice':
      return msg(locale, `report.choice.${value as Choice}`);
    case 'people': {
      const rows = value as PeopleInJurisdiction[];
      return rows.length ? peopleTable(locale, rows) : empty;
    }
  }
}

const STYLE = `
@page { size: A4; margin: 20mm 18mm 18mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8.5pt; color: #555; } }
html { font-family: '${DOCUMENT_FONT}', sans-serif; font-size: 10.5pt; line-height: 1.45; color: #151515; background: #fff; }
body { margin: 0 auto; max-inline-size: 50rem; padding: 1.5rem; }
@media print { body { padding: 0; max-inline-size: none; } }
header { border-block-end: 2px solid #151515; padding-block-end: 0.6rem; }
h1 { font-size: 16pt; line-height: 1.25; margin: 0 0 0.3rem; }
h2 { font-size: 12pt; margin: 1.3rem 0 0.2rem; padding-block-end: 0.15rem; border-block-end: 1px solid #9a9a9a; break-after: avoid; }
.basis, .meta { margin: 0; color: #444; }
.meta { font-size: 9pt; margin-block-start: 0.3rem; }
dl { margin: 0; }
dt { font-weight: 700; margin-block-start: 0.6rem; break-after: avoid; }
dd { margin: 0.1rem 0 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.empty { color: #6b6b6b; }
table { border-collapse: collapse; margin-block-start: 0.2rem; }
th, td { border: 1px solid #b5b5b5; padding: 0.15rem 0.6rem; text-align: start; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
footer { margin-block-start: 1.6rem; font-size: 8.5pt; color: #555; }
.exercise { border: 2px solid #b00020; color: #b00020; font-weight: 700; padding: 0.4rem 0.7rem; margin-block-end: 0.8rem; }
.exercise strong { letter-spacing: 0.08em; }
/* Fixed boxes are repeated on every printed page: the stamp is on each one. */
.exercise-stamp { position: fixed; inset-block-start: 42%; inset-inline: 0; text-align: center; font-size: 64pt; font-weight: 700;
  letter-spacing: 0.1em; color: rgba(176, 0, 32, 0.14); transform: rotate(-28deg); pointer-events: none; }
`;

/** A CSS string literal of a catalog text: nothing in it can end the string or the style element. */
function cssString(value: string): string {
  return `"${[...value].map((c) => (/[\p{L}\p{N} .,:;!?()–—-]/u.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

/** Printed in the top margin of every page of an exercise's document. */
function exercisePages(locale: Locale): string {
  const stamp = cssString(t(locale, 'report.exercise.stamp'));
  return `@page { @top-center { content: ${stamp}; color: #b00020; font-weight: 700; font-size: 10pt; letter-spacing: 0.08em; } }`;
}

/**
 * The report as one self-contained HTML document: inline styles, fonts as
 * data: URLs, no scripts, and a policy that lets it load nothing else.
 */
export function renderReportHtml(input: RenderInput): string {
  const { kind, locale, fields } = input;
  const title = msg(locale, `report.title.${kind}`);
  const sections = LAYOUTS[kind]
    .map((section, index) => {
      const items = section.fields
        .map(
          (name) =>
            `<dt>${msg(locale, `report.field.${name}`)}</dt><dd>${fieldValue(locale, name, fields)}</dd>`,
        )
        .join('');
      const note = section.id === 'timing' ? `<p class="meta">${msg(locale, 'report.timesInUtc')}</p>` : '';
      return `<section><h2>${index + 1}. ${msg(locale, `report.section.${section.id}`)}</h2>${note}<dl>${items}</dl></section>`;
    })
    .join('\n');
  const generated = formatTime(input.generatedAt, { locale, timeZone: 'UTC', style: 'longDateTime' });
  const exercise = input.isExercise
    ? `<div class="exercise-stamp" aria-hidden="true">${msg(locale, 'report.exercise.stamp')}</div>
<p class="exercise" role="note"><strong>${msg(locale, 'report.exercise.stamp')}</strong> — ${msg(locale, 'report.exercise.notice')}</p>`
    : '';
  const reference = fields.reference.trim();
  return `<!DOCTYPE html>
<html lang="${locale}" dir="${direction(locale)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Candor">
<title>${input.isExercise ? `${msg(locale, 'report.exercise.stamp')} — ` : ''}${title}${reference ? ` — ${escapeHtml(reference)}` : ''}</title>
<style>
${fontFaces()}
${STYLE}
${input.isExercise ? exercisePages(locale) : ''}
</style>
</head>
<body>
${exercise}
<header>
<h1>${title}</h1>
<p class="basis">${msg(locale, `report.basis.${kind}`)}</p>
<p class="meta">${msg(locale, 'report.meta', { generated: `${generated} UTC`, revision: input.revision })}</p>
</header>
<main>
${sections}
</main>
<footer>${msg(locale, 'report.footer')}</footer>
</body>
</html>
`;
}
