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

/**
 * A brand colour that may go into a style attribute: `#RRGGBB` on which white text reads (as
 * saved; checked again wherever it is used, since a style attribute takes whatever it is given).
 */
export function isBrandColor(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^#[0-9A-Fa-f]{6}$/.test(value) &&
    contrastWithWhite(value) >= MIN_BRAND_CONTRAST
  );
}

/** The logo's public address (no sign-in: public pages show it), by its opaque id that changes with each upload. */
export const publicLogoUrl = (logoPublicId: string | null) =>
  logoPublicId && /^[A-Za-z0-9_-]{16,64}$/.test(logoPublicId) ? `/api/public/logos/${logoPublicId}` : null;

/** How a public page (/verify, "Was I affected?") shows the organization instead of Candor's brand. */
export interface OrganizationBrand {
  name: string;
  /** `#RRGGBB` white text reads on, or null for the neutral look. */
  color: string | null;
  logoUrl: string | null;
}

/** The brand as public responses carry it, from the organization's row; an unusable colour is left out. */
export const brandOf = (row: {
  organization: string;
  brand_color: string | null;
  logo_public_id: string | null;
}): OrganizationBrand => ({
  name: row.organization,
  color: isBrandColor(row.brand_color) ? row.brand_color.toUpperCase() : null,
  logoUrl: publicLogoUrl(row.logo_public_id),
});
