// The logo: the checks that need its bytes (server only), and where it is served.

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp';

/**
 * The image type by its magic bytes, whatever the upload claimed. Only raster formats: an SVG can
 * carry script and foreign content, so it is not accepted at all.
 */
export function sniffLogo(bytes: Buffer): LogoType | undefined {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

/** Where the admin app fetches the logo, versioned by its upload (so it may be cached); null without one. */
export const logoUrlOf = (uploadedAt: Date | null) =>
  uploadedAt ? `/api/organization/logo?v=${uploadedAt.getTime()}` : null;
