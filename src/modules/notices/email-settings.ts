import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { EmailChannelConfig } from '../../config.js';
import { open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { normalizeEmail } from '../customers/index.js';
import {
  findEmailSettings,
  findEmailSettingsOf,
  lockEmailSettings,
  updateEmailSettings,
  upsertEmailSettingsWithKey,
  type EmailSettingsRow,
} from './email-settings-repo.js';

/**
 * How an organization sends notices by e-mail: the From address, whose domain is also DKIM's d=
 * (aligned, so DMARC passes on DKIM alone), and the RSA-2048 key pair Candor generated for it.
 * The private key is sealed under the organization's data key; the public key is what the DNS
 * TXT record publishes.
 */
export interface EmailSettings {
  fromAddress: string;
  fromName: string | null;
  replyTo: string | null;
  /** The From address's domain (ASCII): DKIM signs as d=<domain>. */
  domain: string;
  dkimSelector: string;
  /** SubjectPublicKeyInfo, DER, base64: the p= of the TXT record. */
  publicKey: string;
  updatedAt: Date;
}

export interface SigningSettings extends EmailSettings {
  /** PKCS#8 PEM. */
  privateKey: string;
}

export interface DnsRecord {
  name: string;
  type: 'TXT';
  /** The whole value. */
  value: string;
  /** The value as DNS character-strings of at most 255 octets, in order (a zone file quotes each). */
  strings: string[];
}

export interface EmailDnsGuidance {
  dkim: DnsRecord;
  spf: DnsRecord & { mechanism: string | null };
  dmarc: DnsRecord;
  /** DKIM's d= is the From domain: true by construction, shown so the admin can see why DMARC aligns. */
  aligned: boolean;
}

export const sealContext = (organizationId: string) => `email-dkim:${organizationId}`;

const toSettings = (r: EmailSettingsRow): EmailSettings => ({
  fromAddress: r.from_address,
  fromName: r.from_name,
  replyTo: r.reply_to,
  domain: r.domain,
  dkimSelector: r.dkim_selector,
  publicKey: Buffer.from(r.dkim_public_key).toString('base64'),
  updatedAt: r.updated_at,
});

export async function getEmailSettings(tx: Sql): Promise<EmailSettings | undefined> {
  const row = await findEmailSettings(tx);
  return row && toSettings(row);
}

/** The settings with the unsealed private key, for signing; undefined when none are saved. */
export async function loadSigningSettings(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
): Promise<SigningSettings | undefined> {
  const row = await findEmailSettingsOf(tx, organizationId);
  if (!row) return undefined;
  const privateKey = open(
    keys.data(row.key_version),
    Buffer.from(row.dkim_private_key),
    sealContext(organizationId),
  ).toString();
  return { ...toSettings(row), privateKey };
}

export interface EmailSettingsInput {
  fromAddress: string;
  fromName?: string | null;
  replyTo?: string | null;
  dkimSelector: string;
  /** A new key pair even though one exists (the old TXT record then stops verifying). */
  rotateKey?: boolean;
}

export class EmailSettingsError extends Error {
  constructor(readonly field: 'fromAddress' | 'replyTo' | 'dkimSelector' | 'fromName') {
    super(`Invalid e-mail setting: ${field}`);
  }
}

const SELECTOR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Saves the settings; the first save (and a rotation) generates the RSA-2048 key pair. */
export async function saveEmailSettings(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  input: EmailSettingsInput,
): Promise<{ settings: EmailSettings; keyGenerated: boolean }> {
  const fromAddress = normalizeEmail(input.fromAddress);
  if (!fromAddress || fromAddress.length > 254) throw new EmailSettingsError('fromAddress');
  const replyTo = input.replyTo ? normalizeEmail(input.replyTo) : null;
  if (replyTo === undefined) throw new EmailSettingsError('replyTo');
  const fromName = input.fromName?.trim() || null;
  if (fromName && (fromName.length > 200 || /[\r\n"<>]/.test(fromName)))
    throw new EmailSettingsError('fromName');
  const selector = input.dkimSelector.trim().toLowerCase();
  if (!SELECTOR.test(selector)) throw new EmailSettingsError('dkimSelector');
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);

  const existing = await lockEmailSettings(tx, organizationId);
  const generate = !existing || input.rotateKey === true;
  const fields = { organizationId, fromAddress, fromName, replyTo, domain, selector };
  if (generate) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const sealed = seal(keys.data(keys.dataVersion), privateKey, sealContext(organizationId));
    await upsertEmailSettingsWithKey(tx, fields, {
      sealedPrivateKey: sealed,
      publicKey,
      keyVersion: keys.dataVersion,
    });
  } else {
    await updateEmailSettings(tx, fields);
  }
  return { settings: (await getEmailSettings(tx))!, keyGenerated: generate };
}

/**
 * An admin saves the settings (saveEmailSettings), audited, in the caller's transaction; an
 * invalid field is validation_failed naming it.
 */
export async function changeEmailSettings(
  tx: Sql,
  deps: { keys: OrganizationKeys; auditKey: Buffer },
  organizationId: string,
  actor: AuditActor,
  input: EmailSettingsInput,
): Promise<EmailSettings> {
  try {
    const saved = await saveEmailSettings(tx, deps.keys, organizationId, input);
    await appendAudit(tx, deps.auditKey, organizationId, actor, {
      action: 'email_settings.updated',
      targetType: 'organization',
      targetId: organizationId,
      data: {
        domain: saved.settings.domain,
        selector: saved.settings.dkimSelector,
        keyGenerated: saved.keyGenerated,
      },
    });
    return saved.settings;
  } catch (error) {
    if (error instanceof EmailSettingsError) throw new AppError('validation_failed', { field: error.field });
    throw error;
  }
}

/** Splits a TXT value into DNS character-strings of at most 255 octets (RFC 1035 §3.3.14). */
export function txtStrings(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out;
}

const txt = (name: string, value: string): DnsRecord => ({
  name,
  type: 'TXT',
  value,
  strings: txtStrings(value),
});

/** The DNS records the admin publishes: DKIM (exact), SPF and DMARC (guidance). */
export function dnsGuidance(settings: EmailSettings, config: EmailChannelConfig): EmailDnsGuidance {
  // Checked here too: the record must carry the key the private key signs with.
  createPublicKey({ key: Buffer.from(settings.publicKey, 'base64'), format: 'der', type: 'spki' });
  const mechanism = config.spfMechanism ?? null;
  const rua = config.dmarcRua ?? `mailto:dmarc-reports@${settings.domain}`;
  return {
    dkim: txt(
      `${settings.dkimSelector}._domainkey.${settings.domain}`,
      `v=DKIM1; k=rsa; p=${settings.publicKey}`,
    ),
    spf: {
      ...txt(settings.domain, `v=spf1 ${mechanism ?? 'include:<your relay>'} ~all`),
      mechanism,
    },
    dmarc: txt(`_dmarc.${settings.domain}`, `v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=${rua}`),
    aligned: true,
  };
}
