// The public site's stylesheets. Served as files, never inlined: the site's Content-Security-Policy
// is `style-src 'self'`. Only logical properties (inline/block, start/end), so an Arabic page
// mirrors by itself from its `dir`; system fonts only, nothing fetched.
import { createHash } from 'node:crypto';
import type { SiteBrand } from './trust-model.js';

/** The accent used when an organization has no valid colour of its own. */
export const NEUTRAL_ACCENT = '#1f4e79';

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * The organization's colour as a stylesheet of its own (a second URL, as the CSP forbids inline
 * styles). Only a `#RRGGBB` is written: anything else could close the rule and add its own.
 */
export function brandStylesheet(brand: SiteBrand): string {
  const accent = brand.color && HEX_COLOR.test(brand.color) ? brand.color.toLowerCase() : NEUTRAL_ACCENT;
  return `:root { --accent: ${accent}; }\n`;
}

export const SITE_STYLESHEET = `
:root {
  --accent: ${NEUTRAL_ACCENT};
  --text: #1a1a1a;
  --muted: #4d4d4d;
  --surface: #ffffff;
  --subtle: #f3f4f6;
  --line: #d0d4da;
  --ok: #1d6b3a;
  --warn: #8a4b00;
  color-scheme: light;
  /* System fonts that carry Latin with Czech diacritics and Arabic: no font is fetched. */
  --font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial,
    'Noto Sans Arabic', 'Segoe UI Arabic', 'Geeza Pro', Tahoma, sans-serif;
}
:lang(ar) {
  /* Arabic needs more room between lines for its marks, and an Arabic face ahead of Latin ones. */
  --font: 'Noto Sans Arabic', 'Segoe UI', 'Geeza Pro', 'Noto Naskh Arabic', Tahoma, system-ui, sans-serif;
  line-height: 1.8;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: var(--font);
  font-size: 1.0625rem;
  line-height: 1.6;
  color: var(--text);
  background: var(--surface);
  text-align: start;
}
/* A long word, address or id wraps instead of widening the page on a phone. */
main, header, footer, h1, h2, h3, p, li, dd { overflow-wrap: anywhere; }
.wrap { max-inline-size: 44rem; margin-inline: auto; padding-inline: 1rem; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip {
  position: absolute;
  inset-inline-start: 0.5rem;
  inset-block-start: -10rem;
  padding-block: 0.5rem;
  padding-inline: 1rem;
  background: var(--surface);
  border: 2px solid var(--accent);
  z-index: 10;
}
.skip:focus { inset-block-start: 0.5rem; }
.site-header { border-block-end: 4px solid var(--accent); padding-block: 1rem; }
.site-header .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem 1.5rem; }
.brand { display: flex; align-items: center; gap: 0.75rem; color: var(--text); text-decoration: none; font-weight: 700; font-size: 1.25rem; }
.brand img { block-size: 2.5rem; inline-size: auto; max-inline-size: 10rem; }
.languages { margin-inline-start: auto; }
.languages ul { display: flex; gap: 0.75rem; list-style: none; margin: 0; padding: 0; }
.languages a { display: inline-block; padding-block: 0.25rem; padding-inline: 0.25rem; }
.languages a[aria-current] { color: var(--text); font-weight: 700; text-decoration: none; border-block-end: 2px solid var(--accent); }
main { display: block; padding-block: 1.5rem 2.5rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin-block: 0 0.75rem; }
h2 { font-size: 1.3rem; margin-block: 2rem 0.5rem; }
h3 { font-size: 1.1rem; margin-block: 0 0.25rem; }
p { margin-block: 0 0.75rem; }
.status { display: inline-block; padding-block: 0.125rem; padding-inline: 0.5rem; border-radius: 0.25rem; background: var(--subtle); font-weight: 600; }
.status-resolved { color: var(--ok); }
.status-investigating, .status-identified, .status-contained { color: var(--warn); }
.all-clear { padding: 1rem; border: 1px solid var(--line); border-inline-start: 6px solid var(--ok); background: var(--subtle); }
.open-notice { padding: 1rem; border: 1px solid var(--line); border-inline-start: 6px solid var(--warn); background: var(--subtle); }
.incidents { list-style: none; margin: 0; padding: 0; }
.incidents > li { border-block-end: 1px solid var(--line); padding-block: 0.75rem; }
.meta, .times { color: var(--muted); font-size: 0.95rem; }
.pending { color: var(--muted); font-style: italic; font-size: 0.95rem; }
.actions { padding: 1rem; border: 1px solid var(--line); border-inline-start: 6px solid var(--accent); margin-block: 1.5rem; }
.next-update { font-weight: 600; }
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline > li { position: relative; padding-block: 0.5rem 1rem; padding-inline-start: 1.25rem; border-inline-start: 3px solid var(--line); }
.timeline > li:first-child { border-inline-start-color: var(--accent); }
.links { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; padding: 0; list-style: none; }
.site-footer { border-block-start: 1px solid var(--line); padding-block: 1.5rem; color: var(--muted); font-size: 0.95rem; }
.site-footer ul { list-style: none; margin: 0 0 1rem; padding: 0; }
.powered { font-size: 0.85rem; }
@media (min-width: 40rem) {
  body { font-size: 1.125rem; }
  h1 { font-size: 2rem; }
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
@media print {
  .skip, .languages, .powered { display: none; }
  body { font-size: 11pt; color: #000; background: #fff; }
  a { color: #000; }
  /* A printed page keeps where its links lead. */
  main a[href^="http"]::after { content: " (" attr(href) ")"; }
  .timeline > li, .actions { break-inside: avoid; }
}
`;

/** Where the stylesheet is served: named by its content's hash, so it may be cached for good. */
export const SITE_STYLESHEET_PATH = `/trust-assets/site.${createHash('sha256').update(SITE_STYLESHEET).digest('base64url').slice(0, 16)}.css`;
