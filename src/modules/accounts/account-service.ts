import { newToken } from '../../platform/crypto.js';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { canonicalTimeZone } from '../../platform/time-format.js';
import type { Auth } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import {
  findOrganizationSettings,
  findPublicLogo,
  locatePublicLogo,
  updateOrganizationLogo,
  updateOrganizationProfile,
  updateOrganizationSettings,
  type OrganizationProfileColumns,
  type OrganizationSettingsRow,
} from './organization-repo.js';
import { LOGO_MAX_BYTES, MIN_BRAND_CONTRAST, contrastWithWhite, e164 } from './organization-model.js';
import { sniffLogo } from './organization-profile.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { deleteSessionsOf, findUser, updatePasswordHash } from './user-repo.js';

/**
 * A user changes their own password: the current one must be right; every
 * other session of theirs ends.
 */
export async function changePassword(
  db: Database,
  auditKey: Buffer,
  auth: Auth,
  actor: AuditActor,
  passwords: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = (await withOrg(db, auth.organizationId, (tx) => findUser(tx, auth.actor.id)))!;
  if (!(await verifyPassword(user.password_hash, passwords.currentPassword))) {
    throw new AppError('invalid_credentials');
  }
  checkPasswordPolicy(passwords.newPassword, user.email);
  const hash = await hashPassword(passwords.newPassword);
  await withOrg(db, auth.organizationId, async (tx) => {
    await updatePasswordHash(tx, user.id, hash);
    await deleteSessionsOf(tx, user.id, auth.session?.id);
    await appendAudit(tx, auditKey, auth.organizationId, actor, {
      action: 'user.password_changed',
      targetType: 'user',
      targetId: user.id,
    });
  });
}

export interface OrganizationChanges {
  name?: string;
  defaultLocale?: string;
  requireMfa?: boolean;
  undueDelayTargetHours?: number;
  intakeStartsPlan?: boolean;
  timeZone?: string;
  /** `#RRGGBB`, white text must read on it; null clears it (as for every field below). */
  brandColor?: string | null;
  supportEmail?: string | null;
  supportPhone?: string | null;
  /** Free text per language; an empty one is dropped. */
  supportHours?: Partial<Record<'en' | 'cs' | 'ar', string>>;
  dpoName?: string | null;
  dpoEmail?: string | null;
  dpoPhone?: string | null;
}

const optional = (value: string | null | undefined) =>
  value === undefined ? undefined : value?.trim() || null;

function phone(value: string | null | undefined, where: string): string | null | undefined {
  const given = optional(value);
  if (!given) return given;
  const number = e164(given);
  if (!number) throw new AppError('validation_failed', { where, problem: 'not_e164' });
  return number;
}

/** The profile fields as columns, each checked; a field not given stays undefined (unchanged). */
function profileColumns(changes: OrganizationChanges): Partial<OrganizationProfileColumns> {
  const given = optional(changes.brandColor);
  const brand = given ? given.toUpperCase() : given;
  if (brand && contrastWithWhite(brand) < MIN_BRAND_CONTRAST) {
    throw new AppError('validation_failed', {
      where: 'body/brandColor',
      problem: 'low_contrast',
      contrast: contrastWithWhite(brand).toFixed(2),
      minimum: MIN_BRAND_CONTRAST,
    });
  }
  return {
    brand_color: brand,
    support_email: optional(changes.supportEmail),
    support_phone: phone(changes.supportPhone, 'body/supportPhone'),
    support_hours:
      changes.supportHours &&
      Object.fromEntries(
        Object.entries(changes.supportHours)
          .map(([locale, text]) => [locale, text.trim()])
          .filter(([, text]) => text),
      ),
    dpo_name: optional(changes.dpoName),
    dpo_email: optional(changes.dpoEmail),
    dpo_phone: phone(changes.dpoPhone, 'body/dpoPhone'),
  };
}

/** Changes the settings given, audits which ones, and returns the organization as it now is. */
export async function updateOrganization(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  changes: OrganizationChanges,
): Promise<OrganizationSettingsRow> {
  const timeZone = changes.timeZone === undefined ? null : canonicalTimeZone(changes.timeZone);
  if (timeZone === undefined) {
    throw new AppError('validation_failed', { where: 'body/timeZone', problem: 'unknown_time_zone' });
  }
  const profile = profileColumns(changes);
  await updateOrganizationSettings(tx, {
    name: changes.name ?? null,
    defaultLocale: changes.defaultLocale ?? null,
    requireMfa: changes.requireMfa ?? null,
    undueDelayTargetHours: changes.undueDelayTargetHours ?? null,
    intakeStartsPlan: changes.intakeStartsPlan ?? null,
    timeZone,
  });
  await updateOrganizationProfile(tx, profile);
  // The names of the fields, never their values: the DPO's and support's contacts stay out of the log.
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'organization.updated',
    targetType: 'organization',
    targetId: organizationId,
    data: { fields: Object.keys(changes) },
  });
  return findOrganizationSettings(tx);
}

/**
 * Replaces the logo with an uploaded image (PNG, JPEG or WebP by its bytes, at most 256 KB), or
 * removes it (null); audited like the other settings.
 */
export async function changeOrganizationLogo(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  bytes: Buffer | null,
): Promise<OrganizationSettingsRow> {
  if (bytes) {
    if (bytes.length > LOGO_MAX_BYTES) {
      throw new AppError('payload_too_large', {
        where: 'body',
        problem: 'logo_too_large',
        limit: LOGO_MAX_BYTES,
      });
    }
    const type = sniffLogo(bytes);
    if (!type) throw new AppError('validation_failed', { where: 'body', problem: 'not_png_jpeg_or_webp' });
    await updateOrganizationLogo(tx, { bytes, type, publicId: newToken(18) });
  } else {
    await updateOrganizationLogo(tx, null);
  }
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'organization.updated',
    targetType: 'organization',
    targetId: organizationId,
    data: { fields: ['logo'] },
  });
  return findOrganizationSettings(tx);
}

/**
 * A logo by its public id, for public pages: located across organizations by the id alone, then
 * read in its organization. Undefined for an unknown or replaced id (one answer for both).
 */
export async function publicLogo(
  db: Database,
  logoId: string,
): Promise<{ logo: Buffer; logo_type: string } | undefined> {
  const organizationId = await asApp(db, (tx) => locatePublicLogo(tx, logoId));
  if (!organizationId) return undefined;
  return withOrg(db, organizationId, (tx) => findPublicLogo(tx, logoId), { system: true });
}
