import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import {
  MAX_WEBHOOK_URL,
  normalizeEmail,
  normalizePhone,
  normalizeWebhookUrl,
  type CustomerInput,
} from './customer-repo.js';
import type { ImportField } from './customer-model.js';
import type { SourceRow } from './import-parse.js';
import type { ImportMapping } from './import-types.js';

/* ---------- one row: normalized and validated with the vault's rules ---------- */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Remembers a pure function's answers: a file repeats its countries, zones and languages. */
function remembered<T>(fn: (raw: string) => T, limit = 4096): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    if (cache.has(raw)) return cache.get(raw) as T;
    const value = fn(raw);
    if (cache.size >= limit) cache.clear();
    cache.set(raw, value);
    return value;
  };
}

const isoCountry = remembered((raw: string): string | undefined => {
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== code ? code : undefined;
});

const canonicalTimeZone = remembered((raw: string): string | undefined => {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: raw.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
});

const canonicalLanguage = remembered((raw: string): string | undefined => {
  try {
    const [tag] = Intl.getCanonicalLocales(raw.trim().replace(/_/g, '-'));
    return tag && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) && tag.length <= 35 ? tag : undefined;
  } catch {
    return undefined;
  }
});

/** The vault's normalizePhone, with a quicker path for the usual number written in ASCII only. */
function vaultPhone(raw: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(raw)) return normalizePhone(raw);
  const digits = raw.trim().replace(/[ .\-()/]/g, '');
  return /^\+[1-9][0-9]{6,14}$/.test(digits) ? digits : undefined;
}

/** E.164: the vault's rule for numbers written with "+", otherwise read with the default country. */
export function importPhone(raw: string, defaultCountry?: string): string | undefined {
  const direct = vaultPhone(raw);
  if (direct) return direct;
  // The vault's reading of any Unicode digits, applied to the number with a "+" put in front.
  const digits = vaultPhone(`+${raw.replace(/^\s*\+/, '')}`);
  const national = digits ? digits.slice(1) : raw;
  const parsed = parsePhoneNumberFromString(national, defaultCountry as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', 'ano', 'a', 'نعم', 'x']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', 'ne', 'لا']);

export type Checked = { input: CustomerInput } | { column: string | null; reason: string };

export function checkRow(
  values: Map<string, string>,
  mapping: ImportMapping,
  defaultCountry?: string,
): Checked {
  const columnOf = (field: ImportField) => mapping[field] ?? field;
  // A field mapped to '' is not read.
  const get = (field: ImportField) => (columnOf(field) ? (values.get(columnOf(field))?.trim() ?? '') : '');
  const fail = (field: ImportField, reason: string) => ({ column: columnOf(field) || field, reason });

  const externalId = get('externalId');
  if (!externalId) return fail('externalId', 'required');
  if (externalId.length > 200) return fail('externalId', 'too_long');
  const name = get('name').normalize('NFC');
  if (name.length > 300) return fail('name', 'too_long');
  let email: string | null = null;
  if (get('email')) {
    email = normalizeEmail(get('email')) ?? null;
    if (!email) return fail('email', 'invalid_email');
  }
  let country: string | null = null;
  if (get('country')) {
    country = isoCountry(get('country')) ?? null;
    if (!country) return fail('country', 'invalid_country');
  }
  let region: string | null = null;
  if (get('region')) {
    region = get('region').toUpperCase();
    if (!/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(region) || !isoCountry(region.slice(0, 2)))
      return fail('region', 'invalid_region');
    if (country && region.slice(0, 2) !== country) return fail('region', 'region_not_in_country');
    country = region.slice(0, 2);
  }
  let phone: string | null = null;
  if (get('phone')) {
    phone = importPhone(get('phone'), country ?? defaultCountry) ?? null;
    if (!phone) return fail('phone', 'invalid_phone');
  }
  let webhookUrl: string | null = null;
  if (get('webhookUrl')) {
    if (get('webhookUrl').length > MAX_WEBHOOK_URL) return fail('webhookUrl', 'too_long');
    webhookUrl = normalizeWebhookUrl(get('webhookUrl')) ?? null;
    if (!webhookUrl) return fail('webhookUrl', 'invalid_webhook_url');
  }
  let language: string | null = null;
  if (get('language')) {
    language = canonicalLanguage(get('language')) ?? null;
    if (!language) return fail('language', 'invalid_language');
  }
  let timeZone: string | null = null;
  if (get('timeZone')) {
    timeZone = canonicalTimeZone(get('timeZone')) ?? null;
    if (!timeZone) return fail('timeZone', 'invalid_time_zone');
  }
  const tags = [
    ...new Set(
      get('tags')
        .split(/[|,]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > 50 || tags.some((t) => t.length > 64)) return fail('tags', 'invalid_tags');
  const consent = { email: false, sms: false, webhook: false };
  for (const [field, key] of [
    ['consentEmail', 'email'],
    ['consentSms', 'sms'],
    ['consentWebhook', 'webhook'],
  ] as const) {
    const v = get(field).toLowerCase();
    if (TRUE.has(v)) consent[key] = true;
    else if (!FALSE.has(v)) return fail(field, 'invalid_boolean');
  }
  const street = get('street').normalize('NFC');
  const hasAddress = ['street', 'locality', 'postalCode', 'addressRegion', 'addressCountry'].some((f) =>
    get(f as ImportField),
  );
  return {
    input: {
      externalId,
      personal: {
        name: name || null,
        email,
        phone,
        address: hasAddress
          ? {
              lines: street
                ? street
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean)
                : [],
              locality: get('locality').normalize('NFC'),
              postalCode: get('postalCode'),
              region: get('addressRegion').normalize('NFC'),
              country: get('addressCountry').normalize('NFC'),
            }
          : null,
        attributes: {},
        webhookUrl,
      },
      language,
      timeZone,
      country,
      region,
      tags,
      attributes: {},
      consent,
    },
  };
}

export interface CheckedRow {
  row: SourceRow;
  result: Checked;
}
