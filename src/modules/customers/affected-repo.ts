import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import type { DataCategory } from '../incidents/index.js';
import { emailIndex, normalizeEmail, phoneIndex, type CustomerSummary } from './customer-repo.js';
import { sqlFragment } from '../../platform/sql-text.js';

export type AffectedSource = 'file' | 'segment' | 'all';

/** One row of a list: a customer named by external id or by e-mail, and what of theirs was affected. */
export interface AffectedListRow {
  externalId?: string;
  email?: string;
  categories: DataCategory[];
}

export interface UnmatchedRow {
  /** The row's position in the list, from 1. */
  position: number;
  reason: 'not_found' | 'invalid_email' | 'no_identifier';
}

export interface MarkResult {
  added: number;
  updated: number;
  unmatched: UnmatchedRow[];
}

/** Clear fields only: a segment never reads personal data. */
export interface Segment {
  country?: string;
  region?: string;
  language?: string;
  /** The customer carries every one of these tags. */
  tags?: string[];
}

export interface AffectedCustomer {
  customer: CustomerSummary;
  dataCategories: DataCategory[];
  source: AffectedSource;
  addedAt: Date;
}

const sortedCategories = (categories: Iterable<string>) => [...new Set(categories)].sort();

/**
 * Marks customers affected, merging categories with any earlier marking (the first source and
 * time are kept). `marks` maps customer id to categories. Runs under the caller's RLS, so a
 * customer of another organization or an incident the caller may not see is never reached.
 */
async function upsertMarks(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  marks: Map<string, string[]>,
  source: AffectedSource,
): Promise<{ added: number; updated: number }> {
  if (marks.size === 0) return { added: 0, updated: 0 };
  const ids = [...marks.keys()];
  const categories = ids.map((id) => sortedCategories(marks.get(id)!).join(','));
  const rows = await tx.query<{ inserted: boolean }>(
    `INSERT INTO incident_affected_customers (organization_id, incident_id, customer_id, data_categories, source)
     SELECT $1, $2, u.id, string_to_array(u.categories, ','), $5
     FROM unnest($3::uuid[], $4::text[]) AS u (id, categories)
     ON CONFLICT (incident_id, customer_id) DO UPDATE SET data_categories = ARRAY(
       SELECT DISTINCT c FROM unnest(incident_affected_customers.data_categories || EXCLUDED.data_categories) AS c
       ORDER BY c)
     RETURNING (xmax = 0) AS inserted`,
    [organizationId, incidentId, ids, categories, source],
  );
  const added = rows.filter((r) => r.inserted).length;
  return { added, updated: rows.length - added };
}

/** Marks the customers of a list: by external id, or by e-mail through the blind index. */
export async function markByList(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  incidentId: string,
  list: AffectedListRow[],
): Promise<MarkResult> {
  const unmatched: UnmatchedRow[] = [];
  const byExternal = new Map<string, number[]>();
  const byEmail = new Map<string, number[]>();
  list.forEach((row, i) => {
    const position = i + 1;
    const externalId = row.externalId?.trim();
    if (externalId) {
      byExternal.set(externalId, [...(byExternal.get(externalId) ?? []), i]);
    } else if (row.email !== undefined) {
      const normalized = normalizeEmail(row.email);
      if (!normalized) unmatched.push({ position, reason: 'invalid_email' });
      else {
        const index = emailIndex(keys, normalized);
        byEmail.set(index, [...(byEmail.get(index) ?? []), i]);
      }
    } else unmatched.push({ position, reason: 'no_identifier' });
  });

  const marks = new Map<string, string[]>();
  const matched = new Set<number>();
  const mark = (customerId: string, rowIndexes: number[]) => {
    for (const i of rowIndexes) {
      matched.add(i);
      marks.set(customerId, [...(marks.get(customerId) ?? []), ...list[i]!.categories]);
    }
  };
  if (byExternal.size) {
    const rows = await tx.query<{ id: string; external_id: string }>(
      'SELECT id, external_id FROM customers WHERE external_id = ANY ($1::text[])',
      [[...byExternal.keys()]],
    );
    for (const r of rows) mark(r.id, byExternal.get(r.external_id)!);
  }
  if (byEmail.size) {
    // One address may belong to several customers: each of them is marked.
    const rows = await tx.query<{ id: string; email_index: string }>(
      'SELECT id, email_index FROM customers WHERE email_index = ANY ($1::text[])',
      [[...byEmail.keys()]],
    );
    for (const r of rows) mark(r.id, byEmail.get(r.email_index)!);
  }
  for (const indexes of [...byExternal.values(), ...byEmail.values()]) {
    for (const i of indexes) if (!matched.has(i)) unmatched.push({ position: i + 1, reason: 'not_found' });
  }
  unmatched.sort((a, b) => a.position - b.position);
  return { ...(await upsertMarks(tx, organizationId, incidentId, marks, 'file')), unmatched };
}

function segmentWhere(segment: Segment, firstParam: number, alias = ''): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const c = alias ? `${alias}.` : '';
  if (segment.country) clauses.push(`${c}country = ${next(segment.country)}`);
  if (segment.region) clauses.push(`${c}region = ${next(segment.region)}`);
  if (segment.language) {
    const p = next(segment.language.toLowerCase());
    clauses.push(`(lower(${c}language) = ${p} OR lower(${c}language) LIKE ${p} || ${next('-%')})`);
  }
  if (segment.tags?.length) clauses.push(`${c}tags @> ${next(segment.tags)}::text[]`);
  return { sql: clauses.length ? clauses.join(' AND ') : 'true', params };
}

/** Marks every customer of a segment of clear fields, or (with an empty segment and source 'all') everyone. */
export async function markBySegment(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  segment: Segment,
  categories: DataCategory[],
  source: 'segment' | 'all',
): Promise<MarkResult> {
  const where = segmentWhere(source === 'all' ? {} : segment, 5);
  const rows = await tx.query<{ inserted: boolean }>(
    `INSERT INTO incident_affected_customers (organization_id, incident_id, customer_id, data_categories, source)
     SELECT $1, $2, id, $3::text[], $4 FROM customers WHERE ${sqlFragment(where.sql)}
     ON CONFLICT (incident_id, customer_id) DO UPDATE SET data_categories = ARRAY(
       SELECT DISTINCT c FROM unnest(incident_affected_customers.data_categories || EXCLUDED.data_categories) AS c
       ORDER BY c)
     RETURNING (xmax = 0) AS inserted`,
    [organizationId, incidentId, sortedCategories(categories), source, ...where.params],
  );
  const added = rows.filter((r) => r.inserted).length;
  return { added, updated: rows.length - added, unmatched: [] };
}

export async function unmarkCustomers(tx: Sql, incidentId: string, customerIds: string[]): Promise<number> {
  return (
    await tx.query(
      'DELETE FROM incident_affected_customers WHERE incident_id = $1 AND customer_id = ANY ($2::uuid[]) RETURNING customer_id',
      [incidentId, customerIds],
    )
  ).length;
}

export interface AffectedCounts {
  total: number;
  byCountry: { country: string | null; count: number }[];
  byRegion: { region: string; count: number }[];
  byCategory: { category: string; count: number }[];
  /** Each customer once: in their region's code where set (US-CA), else their country's. */
  byJurisdiction: { code: string; count: number }[];
}

export async function affectedCounts(tx: Sql, incidentId: string): Promise<AffectedCounts> {
  const base = `FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id WHERE a.incident_id = $1`;
  // One after another: a transaction runs one statement at a time.
  const total = await tx.query<{ count: number }>(`SELECT count(*)::int AS count ${base}`, [incidentId]);
  const byCountry = await tx.query<{ country: string | null; count: number }>(
    `SELECT c.country, count(*)::int AS count ${base} GROUP BY c.country ORDER BY c.country NULLS LAST`,
    [incidentId],
  );
  const byRegion = await tx.query<{ region: string; count: number }>(
    `SELECT c.region, count(*)::int AS count ${base} AND c.region IS NOT NULL GROUP BY c.region ORDER BY c.region`,
    [incidentId],
  );
  const byCategory = await tx.query<{ category: string; count: number }>(
    `SELECT category, count(*)::int AS count ${sqlFragment(base.replace('WHERE', ', unnest(a.data_categories) AS category WHERE'))}
       GROUP BY category ORDER BY category`,
    [incidentId],
  );
  const byJurisdiction = await tx.query<{ code: string; count: number }>(
    `SELECT coalesce(c.region, c.country) AS code, count(*)::int AS count ${base} AND c.country IS NOT NULL
       GROUP BY 1 ORDER BY 1`,
    [incidentId],
  );
  return { total: total[0]!.count, byCountry, byRegion, byCategory, byJurisdiction };
}

/**
 * Writes the counts into the incident's jurisdictions: once any affected customer has a country,
 * every jurisdiction's counted number is its count (0 where nobody is counted; missing ones are
 * added), replacing the estimates; with none, the estimates apply again.
 */
export async function writeCountedAffected(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  counts: AffectedCounts,
): Promise<void> {
  if (counts.byJurisdiction.length === 0) {
    await tx.query('UPDATE incident_jurisdictions SET counted_affected = NULL WHERE incident_id = $1', [
      incidentId,
    ]);
    return;
  }
  await tx.query('UPDATE incident_jurisdictions SET counted_affected = 0 WHERE incident_id = $1', [
    incidentId,
  ]);
  await tx.query(
    `INSERT INTO incident_jurisdictions (organization_id, incident_id, code, counted_affected)
     SELECT $1, $2, u.code, u.count FROM unnest($3::text[], $4::int[]) AS u (code, count)
     ON CONFLICT (incident_id, code) DO UPDATE SET counted_affected = EXCLUDED.counted_affected`,
    [
      organizationId,
      incidentId,
      counts.byJurisdiction.map((j) => j.code),
      counts.byJurisdiction.map((j) => j.count),
    ],
  );
}

interface AffectedRow {
  id: string;
  external_id: string;
  language: string | null;
  time_zone: string | null;
  country: string | null;
  region: string | null;
  tags: string[];
  attributes: Record<string, string>;
  consent_email: boolean;
  consent_sms: boolean;
  consent_webhook: boolean;
  created_at: Date;
  updated_at: Date;
  data_categories: DataCategory[];
  source: AffectedSource;
  added_at: Date;
}

const AFFECTED_COLUMNS = `c.id, c.external_id, c.language, c.time_zone, c.country, c.region, c.tags, c.attributes,
  c.consent_email, c.consent_sms, c.consent_webhook, c.created_at, c.updated_at,
  a.data_categories, a.source, a.added_at`;

function toAffected(row: AffectedRow): AffectedCustomer {
  return {
    customer: {
      id: row.id,
      externalId: row.external_id,
      language: row.language,
      timeZone: row.time_zone,
      country: row.country,
      region: row.region,
      tags: row.tags,
      attributes: row.attributes,
      consent: { email: row.consent_email, sms: row.consent_sms, webhook: row.consent_webhook },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
    dataCategories: row.data_categories,
    source: row.source,
    addedAt: row.added_at,
  };
}

export interface AffectedFilter extends Segment {
  category?: DataCategory;
  after?: string;
  limit: number;
}

/** The incident's affected customers, clear fields only, in external-id order. */
export async function listAffected(
  tx: Sql,
  incidentId: string,
  filter: AffectedFilter,
): Promise<AffectedCustomer[]> {
  const where = segmentWhere(
    {
      country: filter.country,
      region: filter.region,
      language: filter.language,
      tags: filter.tags,
    },
    5,
    'c',
  );
  const rows = await tx.query<AffectedRow>(
    `SELECT ${AFFECTED_COLUMNS}
     FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
     WHERE a.incident_id = $1 AND ($2::text IS NULL OR c.external_id > $2)
       AND ($3::text IS NULL OR $3 = ANY (a.data_categories)) AND ${sqlFragment(where.sql)}
     ORDER BY c.external_id LIMIT $4`,
    [incidentId, filter.after ?? null, filter.category ?? null, filter.limit, ...where.params],
  );
  return rows.map(toAffected);
}

/** Exact look-up among the incident's affected customers: by external id, or e-mail / phone through the blind indexes. */
export async function searchAffected(
  tx: Sql,
  keys: OrganizationKeys,
  incidentId: string,
  by: { externalId?: string; email?: string; phone?: string },
): Promise<AffectedCustomer[]> {
  const rows = await tx.query<AffectedRow>(
    `SELECT ${AFFECTED_COLUMNS}
     FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
     WHERE a.incident_id = $1 AND ($2::text IS NULL OR c.external_id = $2)
       AND ($3::text IS NULL OR c.email_index = $3) AND ($4::text IS NULL OR c.phone_index = $4)
     ORDER BY c.external_id LIMIT 100`,
    [
      incidentId,
      by.externalId ?? null,
      by.email ? emailIndex(keys, by.email) : null,
      by.phone ? phoneIndex(keys, by.phone) : null,
    ],
  );
  return rows.map(toAffected);
}

/** The incidents (visible to the caller) a customer is marked affected by. */
export async function incidentsAffecting(
  tx: Sql,
  customerId: string,
): Promise<
  {
    incidentId: string;
    number: number;
    title: string;
    isExercise: boolean;
    dataCategories: string[];
    source: string;
    addedAt: Date;
  }[]
> {
  const rows = await tx.query<{
    incident_id: string;
    number: number;
    title: string;
    is_exercise: boolean;
    data_categories: string[];
    source: string;
    added_at: Date;
  }>(
    `SELECT a.incident_id, i.number, i.title, i.is_exercise, a.data_categories, a.source, a.added_at
     FROM incident_affected_customers a JOIN incidents i ON i.id = a.incident_id
     WHERE a.customer_id = $1 ORDER BY i.number`,
    [customerId],
  );
  return rows.map((r) => ({
    incidentId: r.incident_id,
    number: r.number,
    title: r.title,
    isExercise: r.is_exercise,
    dataCategories: r.data_categories,
    source: r.source,
    addedAt: r.added_at,
  }));
}

/** The incidents that count this customer affected, by id. */
export async function affectedIncidentIds(tx: Sql, customerId: string): Promise<string[]> {
  const rows = await tx.query<{ incident_id: string }>(
    'SELECT incident_id FROM incident_affected_customers WHERE customer_id = $1 ORDER BY incident_id',
    [customerId],
  );
  return rows.map((r) => r.incident_id);
}

/** The incident changed (its affected customers did). */
export async function touchIncident(tx: Sql, incidentId: string): Promise<void> {
  await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [incidentId]);
}

/** Every data category some affected customer of the incident has, whichever way they were marked. */
export async function affectedCategories(tx: Sql, incidentId: string): Promise<DataCategory[]> {
  const rows = await tx.query<{ category: DataCategory }>(
    `SELECT DISTINCT unnest(data_categories) AS category
     FROM incident_affected_customers WHERE incident_id = $1`,
    [incidentId],
  );
  return rows.map((row) => row.category);
}

export async function setIncidentCategories(
  tx: Sql,
  incidentId: string,
  categories: DataCategory[],
): Promise<void> {
  await tx.query('UPDATE incidents SET data_categories = $2, updated_at = now() WHERE id = $1', [
    incidentId,
    categories,
  ]);
}
