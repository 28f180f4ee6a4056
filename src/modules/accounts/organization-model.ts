/**
 * How the organization describes itself, the checks the server and the admin app share: the brand
 * colour (white text must read on it), phone numbers (E.164) and the logo's size.
 */

/** WCAG 2 contrast of white text on the colour `#RRGGBB`: 1 (none) to 21. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

/** Buttons and headers put white text on the brand colour: WCAG AA for normal text. */
export const MIN_BRAND_CONTRAST = 4.5;

/**
 * A phone number as E.164 (`+420601234567`), the spaces, dots, dashes and brackets people write
 * taken out; undefined when it is not one.
 */
export function e164(phone: string): string | undefined {
  const compact = phone.replace(/[\s.()-]/g, '');
  return /^\+[1-9][0-9]{6,14}$/.test(compact) ? compact : undefined;
}

export const LOGO_MAX_BYTES = 256 * 1024;
