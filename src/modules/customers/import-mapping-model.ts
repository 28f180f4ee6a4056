/**
 * Which column of a customer file each field is read from, guessed from the header's names. One
 * guess for the import page (it shows it, to be changed) and the importer (the API and the CLI
 * complete a mapping with it), so a file imports the same way through both. Imports only the model.
 */
import { IMPORT_FIELDS, type ImportField } from './customer-model.js';

/** Field -> the file's column (CSV header or JSON key); '' means the field is not read. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

/** A header name without case, accents, spaces or punctuation: "E-mail" and "e_mail" are "email". */
export const foldHeader = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9\u0600-\u06ff]/g, '');

/** Common header names (English, Czech, Arabic) for each field, folded; the field's own name comes first. */
const ALIASES: Record<ImportField, string[]> = {
  externalId: [
    'externalid',
    'id',
    'customerid',
    'cislo',
    'cislozakaznika',
    'idzakaznika',
    'رقمالعميل',
    'المعرف',
  ],
  name: ['name', 'fullname', 'jmeno', 'jmenoaprijmeni', 'الاسم'],
  email: ['email', 'emailaddress', 'mail', 'البريدالالكتروني', 'البريد'],
  phone: ['phone', 'telephone', 'mobile', 'telefon', 'mobil', 'الهاتف', 'الجوال'],
  webhookUrl: ['webhookurl', 'webhook', 'webhookendpoint', 'endpoint', 'adresawebhooku'],
  street: ['street', 'address', 'ulice', 'adresa', 'العنوان'],
  locality: ['locality', 'city', 'town', 'mesto', 'obec', 'المدينة'],
  postalCode: ['postalcode', 'zip', 'postcode', 'psc', 'الرمزالبريدي'],
  addressRegion: ['addressregion', 'state', 'kraj'],
  addressCountry: ['addresscountry'],
  language: ['language', 'lang', 'jazyk', 'اللغة'],
  timeZone: ['timezone', 'tz', 'casovepasmo', 'المنطقةالزمنية'],
  country: ['country', 'zeme', 'stat', 'الدولة', 'البلد'],
  region: ['region', 'subdivision', 'المنطقة'],
  tags: ['tags', 'stitky', 'الوسوم'],
  consentEmail: ['consentemail', 'souhlasemail'],
  consentSms: ['consentsms', 'souhlassms'],
  consentWebhook: ['consentwebhook'],
};

/**
 * The mapping the header suggests: for each field the column named like it (its own name first,
 * then the common names in order), each column read for one field at most.
 */
export function guessMapping(columns: readonly string[]): ColumnMapping {
  return completeMapping({}, columns);
}

/**
 * `chosen` with the fields it does not name guessed from the header (columns it already uses are
 * not guessed again). A field chosen as '' stays unread.
 */
export function completeMapping(chosen: ColumnMapping, columns: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = { ...chosen };
  const used = new Set(Object.values(chosen).filter(Boolean));
  const folded = columns.map((column) => [column, foldHeader(column)] as const);
  for (const field of IMPORT_FIELDS) {
    if (mapping[field] !== undefined) continue;
    for (const name of ALIASES[field]) {
      const found = folded.find(([column, fold]) => fold === name && !used.has(column));
      if (found) {
        mapping[field] = found[0];
        used.add(found[0]);
        break;
      }
    }
  }
  return mapping;
}
