import type { Sql } from '../../platform/db.js';
import type { Locale } from '../../platform/i18n.js';

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
  intake_webhook_secret IS NOT NULL AS has_secret FROM organizations`;

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
