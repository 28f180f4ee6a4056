import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/crypto.js';
import type { OrganizationKeys } from '../../platform/keys.js';

/**
 * The addresses a notice e-mail names for what comes back: the VERP envelope sender
 * bounces+<delivery>.<mac>@<bounce domain> (DSNs) and the List-Unsubscribe mailbox
 * unsubscribe+<delivery>.<mac>@<bounce domain>. The MAC is an HMAC of the kind and the delivery id
 * under the organization's index key, so an address cannot be made up from a delivery id (which
 * a Message-ID or a forwarded notice may reveal): only Candor can write one, and each is good for
 * its own delivery and kind only. The local part stays within 64 characters and in lower case
 * (some relays fold it): the id as 32 hex digits, 72 bits of MAC as 18.
 */
export type VerpKind = 'bounce' | 'unsubscribe';

const PREFIX: Record<VerpKind, string> = { bounce: 'bounces', unsubscribe: 'unsubscribe' };
const MAC_HEX = 18;

const mac = (keys: OrganizationKeys, kind: VerpKind, deliveryId: string) =>
  createHmac('sha256', keys.index).update(`verp:${kind}:${deliveryId}`).digest('hex').slice(0, MAC_HEX);

export function verpAddress(
  keys: OrganizationKeys,
  kind: VerpKind,
  deliveryId: string,
  bounceDomain: string,
): string {
  return `${PREFIX[kind]}+${deliveryId.replace(/-/g, '')}.${mac(keys, kind, deliveryId)}@${bounceDomain}`;
}

export interface ParsedVerp {
  kind: VerpKind;
  deliveryId: string;
  /** Undefined for the form without one (bounces+<uuid>@, before MACs): never trusted. */
  mac: string | undefined;
}

const uuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/**
 * The delivery a VERP or unsubscribe address names, and its MAC, before the MAC is checked (the
 * organization's key is needed for that: verpValid). Also reads the older form without a MAC,
 * so that reports for mail sent before it are kept for review rather than refused at the door.
 */
export function parseVerp(address: string): ParsedVerp | undefined {
  const match = address
    .trim()
    .match(
      /^(bounces|unsubscribe)\+(?:([0-9a-f]{32})\.([0-9a-f]{18})|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))@/i,
    );
  if (!match) return undefined;
  const kind: VerpKind = match[1]!.toLowerCase() === 'bounces' ? 'bounce' : 'unsubscribe';
  if (match[2]) return { kind, deliveryId: uuid(match[2].toLowerCase()), mac: match[3]!.toLowerCase() };
  return { kind, deliveryId: match[4]!.toLowerCase(), mac: undefined };
}

export function verpValid(keys: OrganizationKeys, parsed: ParsedVerp): boolean {
  return parsed.mac !== undefined && safeEqual(parsed.mac, mac(keys, parsed.kind, parsed.deliveryId));
}
