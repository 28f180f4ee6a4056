import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../platform/paths.js';

/** The family every exported document is set in: Noto Sans, and Noto Sans Arabic for Arabic script. */
export const DOCUMENT_FONT = 'Candor Document';

const FONT_DIR = path.join(projectRoot, 'assets', 'fonts');

// The subsets and unicode ranges of @fontsource/noto-sans and @fontsource/noto-sans-arabic 5.3.0.
const SUBSETS = [
  {
    file: 'noto-sans-latin',
    range:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
  {
    file: 'noto-sans-latin-ext',
    range:
      'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF',
  },
  {
    file: 'noto-sans-arabic-arabic',
    range:
      'U+0600-06FF,U+0750-077F,U+0870-088E,U+0890-0891,U+0897-08E1,U+08E3-08FF,U+200C-200E,U+2010-2011,U+204F,U+2E41,U+FB50-FDFF,U+FE70-FE74,U+FE76-FEFC',
  },
] as const;

let css: string | undefined;

/**
 * @font-face rules with the fonts inlined as data: URLs, so a document is
 * self-contained and Chromium embeds these fonts (never a system font) in its PDF.
 */
export function fontFaces(): string {
  css ??= SUBSETS.flatMap(({ file, range }) =>
    [400, 700].map((weight) => {
      const data = readFileSync(path.join(FONT_DIR, `${file}-${weight}-normal.woff2`)).toString('base64');
      return `@font-face{font-family:'${DOCUMENT_FONT}';font-style:normal;font-weight:${weight};src:url(data:font/woff2;base64,${data}) format('woff2');unicode-range:${range};}`;
    }),
  ).join('\n');
  return css;
}
