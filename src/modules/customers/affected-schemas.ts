import { Type, type Static } from 'typebox';
import { DATA_CATEGORIES, type DataCategory } from '../incidents/index.js';
import type { AffectedCustomer } from './affected-repo.js';
import { CustomerView, REVEAL_REASONS, customerView } from './customer-schemas.js';

/* The affected-customer routes' schemas (allow-lists of what goes in and out) and their views. */

const Uuid = Type.String({ format: 'uuid' });
const Country = Type.String({ pattern: '^[A-Z]{2}$' });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' });
const Language = Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 });
const Tag = Type.String({ minLength: 1, maxLength: 64 });
const Category = Type.Unsafe<DataCategory>({ type: 'string', enum: [...DATA_CATEGORIES] });
const Categories = Type.Array(Category, { minItems: 1, maxItems: DATA_CATEGORIES.length, uniqueItems: true });

export const IncidentParams = Type.Object({ id: Uuid });

export const ListBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
          categories: Categories,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

const SegmentFilter = Type.Object(
  {
    country: Type.Optional(Country),
    region: Type.Optional(Region),
    language: Type.Optional(Language),
    tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 20, uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const SegmentBody = Type.Object(
  { segment: SegmentFilter, categories: Categories },
  { additionalProperties: false },
);
export const AllBody = Type.Object({ categories: Categories }, { additionalProperties: false });
export const RemoveBody = Type.Object(
  { customerIds: Type.Array(Uuid, { minItems: 1, maxItems: 10_000, uniqueItems: true }) },
  { additionalProperties: false },
);

export const Counts = Type.Object({
  total: Type.Integer(),
  byCountry: Type.Array(
    Type.Object({ country: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() }),
  ),
  byRegion: Type.Array(Type.Object({ region: Type.String(), count: Type.Integer() })),
  byCategory: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() })),
  byJurisdiction: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
});

export const MarkView = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  unmatched: Type.Array(Type.Object({ position: Type.Integer(), reason: Type.String() })),
  counts: Counts,
});

export const AffectedView = Type.Object({
  customer: CustomerView,
  dataCategories: Type.Array(Type.String()),
  source: Type.String(),
  addedAt: Type.String({ format: 'date-time' }),
});
export type AffectedView = Static<typeof AffectedView>;

export const ListQuery = Type.Object(
  {
    // A query string is text (no coercion): 1 to 500.
    limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    country: Type.Optional(Country),
    region: Type.Optional(Region),
    language: Type.Optional(Language),
    tag: Type.Optional(Tag),
    category: Type.Optional(Category),
  },
  { additionalProperties: false },
);

export const SearchBody = Type.Object(
  {
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ExportQuery = Type.Object(
  { reason: Type.Unsafe<(typeof REVEAL_REASONS)[number]>({ type: 'string', enum: [...REVEAL_REASONS] }) },
  { additionalProperties: false },
);

export const FileQuery = Type.Object(
  {
    /** Categories for rows that name none, comma-separated: required for a plain list. */
    categories: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const FileProblem = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  column: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
});

export const FileMarkView = Type.Object({
  read: Type.Integer({ description: 'data rows read: matched + rejected + unmatched' }),
  matched: Type.Integer(),
  rejected: Type.Integer({ description: 'rows that could not be read (bad category, no identifier, …)' }),
  unmatched: Type.Integer({ description: 'rows naming no customer of the vault' }),
  added: Type.Integer(),
  updated: Type.Integer(),
  problems: Type.Array(FileProblem, {
    description: 'every rejected and unmatched row, by line (the first 1000)',
  }),
  counts: Counts,
});

/** The largest file of identifiers accepted; it is streamed, never buffered whole. */
export const FILE_LIMIT = 200 * 1024 * 1024;
export const FILE_TYPES = ['text/csv', 'application/octet-stream'];

export const affectedView = (a: AffectedCustomer): AffectedView => ({
  customer: customerView(a.customer),
  dataCategories: a.dataCategories,
  source: a.source,
  addedAt: a.addedAt.toISOString(),
});
