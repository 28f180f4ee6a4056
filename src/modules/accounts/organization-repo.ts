import type { Sql } from '../../platform/db.js';
import type { Locale } from '../../platform/i18n.js';
import { sqlFragment } from '../../platform/sql-text.js';

/** The caller's organization row: under RLS, organizations holds only it. */

export interface OrganizationSettingsRow {
  id: string;
  name: string;
  default_locale: 'en' | 'cs' | 'ar';
  require_mfa: boolean;
  undue_delay_target_hours: number;
  intake_starts_plan: boolean;
  time_zone: string;
  has_secret: boolean;
  brand_color: string | null;
  logo_type: string | null;
  logo_updated_at: Date | null;
  support_email: string | null;
  support_phone: string | null;
  support_hours: Partial<Record<Locale, string>>;
  dpo_name: string | null;
  dpo_email: string | null;
  dpo_phone: string | null;
}

export async function insertOrganization(
  tx: Sql,
  organization: { id: string; name: string; defaultLocale: string; timeZone?: string },
): Promise<void> {
  await tx.query('INSERT INTO organizations (id, name, default_locale, time_zone) VALUES ($1, $2, $3, $4)', [
    organization.id,
    organization.name,
    organization.defaultLocale,
    organization.timeZone ?? 'UTC',
  ]);
}

export async function findRequireMfa(tx: Sql): Promise<boolean | undefined> {
  const rows = await tx.query<{ require_mfa: boolean }>('SELECT require_mfa FROM organizations');
  return rows[0]?.require_mfa;
}

export async function findOrganizationName(tx: Sql): Promise<string> {
  return (await tx.query<{ name: string }>('SELECT name FROM organizations'))[0]!.name;
}

export async function findOrganizationNameAndLocale(
  tx: Sql,
): Promise<{ name: string; default_locale: string }> {
  return (
    await tx.query<{ name: string; default_locale: string }>('SELECT name, default_locale FROM organizations')
  )[0]!;
}

export async function findOrganizationSummary(
  tx: Sql,
): Promise<{ id: string; name: string; default_locale: Locale; require_mfa: boolean; time_zone: string }> {
  return (
    await tx.query<{
      id: string;
      name: string;
      default_locale: Locale;
      require_mfa: boolean;
      time_zone: string;
    }>('SELECT id, name, default_locale, require_mfa, time_zone FROM organizations')
  )[0]!;
}

const SELECT_SETTINGS = `SELECT id, name, default_locale, require_mfa, undue_delay_target_hours, intake_starts_plan, time_zone,
  intake_webhook_secret IS NOT NULL AS has_secret, brand_color, logo_type, logo_updated_at,
  support_email, support_phone, support_hours, dpo_name, dpo_email, dpo_phone FROM organizations`;

export async function findOrganizationSettings(tx: Sql): Promise<OrganizationSettingsRow> {
  return (await tx.query<OrganizationSettingsRow>(SELECT_SETTINGS))[0]!;
}

/** Each field left null keeps its value. */
export async function updateOrganizationSettings(
  tx: Sql,
  fields: {
    name: string | null;
    defaultLocale: string | null;
    requireMfa: boolean | null;
    undueDelayTargetHours: number | null;
    intakeStartsPlan: boolean | null;
    timeZone: string | null;
  },
): Promise<void> {
  await tx.query(
    `UPDATE organizations SET name = coalesce($1, name), default_locale = coalesce($2, default_locale),
       require_mfa = coalesce($3, require_mfa), undue_delay_target_hours = coalesce($4, undue_delay_target_hours),
       intake_starts_plan = coalesce($5, intake_starts_plan), time_zone = coalesce($6, time_zone)`,
    [
      fields.name,
      fields.defaultLocale,
      fields.requireMfa,
      fields.undueDelayTargetHours,
      fields.intakeStartsPlan,
      fields.timeZone,
    ],
  );
}

/** The profile columns a caller may set or clear (null clears); the keys are the only SQL names used. */
export interface OrganizationProfileColumns {
  brand_color: string | null;
  support_email: string | null;
  support_phone: string | null;
  support_hours: Partial<Record<Locale, string>>;
  dpo_name: string | null;
  dpo_email: string | null;
  dpo_phone: string | null;
}

const PROFILE_COLUMNS: readonly (keyof OrganizationProfileColumns)[] = [
  'brand_color',
  'support_email',
  'support_phone',
  'support_hours',
  'dpo_name',
  'dpo_email',
  'dpo_phone',
];

/** Sets exactly the profile columns given (unlike the settings above, null here clears a value). */
export async function updateOrganizationProfile(
  tx: Sql,
  fields: Partial<OrganizationProfileColumns>,
): Promise<void> {
  const columns = PROFILE_COLUMNS.filter((c) => fields[c] !== undefined);
  if (!columns.length) return;
  const values = columns.map((c) => (c === 'support_hours' ? JSON.stringify(fields[c]) : fields[c]));
  // Column names from PROFILE_COLUMNS only; the values are parameters.
  await tx.query(
    `UPDATE organizations SET ${sqlFragment(columns.map((c, i) => `${c} = $${i + 1}`).join(', '))}`,
    values,
  );
}

export async function updateOrganizationLogo(
  tx: Sql,
  logo: { bytes: Buffer; type: string; publicId: string } | null,
): Promise<void> {
  await tx.query(
    `UPDATE organizations SET logo = $1, logo_type = $2, logo_public_id = $3,
       logo_updated_at = CASE WHEN $1::bytea IS NULL THEN NULL ELSE now() END`,
    [logo?.bytes ?? null, logo?.type ?? null, logo?.publicId ?? null],
  );
}

/** The organization whose logo has this public id (the named SECURITY DEFINER look-up). */
export async function locatePublicLogo(tx: Sql, logoId: string): Promise<string | undefined> {
  return (
    await tx.query<{ organization_id: string }>('SELECT * FROM candor_find_public_logo($1)', [logoId])
  )[0]?.organization_id;
}

/** The logo by its public id, in its organization's transaction. */
export async function findPublicLogo(
  tx: Sql,
  logoId: string,
): Promise<{ logo: Buffer; logo_type: string } | undefined> {
  const row = (
    await tx.query<{ logo: Buffer | Uint8Array | null; logo_type: string | null }>(
      'SELECT logo, logo_type FROM organizations WHERE logo_public_id = $1',
      [logoId],
    )
  )[0];
  if (!row?.logo || !row.logo_type) return undefined;
  return { logo: Buffer.from(row.logo), logo_type: row.logo_type };
}

export async function findOrganizationLogo(
  tx: Sql,
): Promise<{ logo: Buffer; logo_type: string; logo_updated_at: Date } | undefined> {
  const row = (
    await tx.query<{
      logo: Buffer | Uint8Array | null;
      logo_type: string | null;
      logo_updated_at: Date | null;
    }>('SELECT logo, logo_type, logo_updated_at FROM organizations')
  )[0];
  if (!row?.logo || !row.logo_type || !row.logo_updated_at) return undefined;
  return { logo: Buffer.from(row.logo), logo_type: row.logo_type, logo_updated_at: row.logo_updated_at };
}
