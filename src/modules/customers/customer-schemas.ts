import { Type, type Static } from 'typebox';
import { REVEAL_REASONS } from './customer-model.js';
import type { CustomerSummary } from './customer-repo.js';

const Uuid = Type.String({ format: 'uuid' });
const Instant = Type.String({ format: 'date-time' });
const Country = Type.String({ pattern: '^[A-Z]{2}$' });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' });
const Language = Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 });
const TimeZone = Type.String({ minLength: 1, maxLength: 64 });
const Tag = Type.String({ minLength: 1, maxLength: 64 });
const Attributes = Type.Record(
  Type.String({ minLength: 1, maxLength: 64 }),
  Type.String({ maxLength: 1000 }),
  {
    maxProperties: 50,
  },
);
const Consent = Type.Object(
  { email: Type.Boolean(), sms: Type.Boolean(), webhook: Type.Boolean() },
  { additionalProperties: false },
);
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const CustomerIdParams = Type.Object({ id: Uuid });

const Address = Type.Object(
  {
    lines: Type.Array(Text(200), { maxItems: 4 }),
    locality: Type.String({ maxLength: 200 }),
    postalCode: Type.String({ maxLength: 20 }),
    region: Type.String({ maxLength: 200 }),
    country: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** Create or replace (every field) the customer with this external id. */
export const CustomerUpsertBody = Type.Object(
  {
    externalId: Text(200),
    name: Type.Optional(Text(300)),
    email: Type.Optional(Text(320)),
    phone: Type.Optional(Text(40)),
    /** The customer's own endpoint for notices by webhook: absolute https, checked by the route. */
    webhookUrl: Type.Optional(Text(2048)),
    address: Type.Optional(Address),
    personalAttributes: Type.Optional(Attributes),
    language: Type.Optional(Language),
    timeZone: Type.Optional(TimeZone),
    country: Type.Optional(Country),
    region: Type.Optional(Region),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50, uniqueItems: true })),
    attributes: Type.Optional(Attributes),
    consent: Type.Optional(Consent),
  },
  { additionalProperties: false },
);
export type CustomerUpsertBody = Static<typeof CustomerUpsertBody>;

/** A customer without personal data: what lists and searches show. */
export const CustomerView = Type.Object(
  {
    id: Uuid,
    externalId: Type.String(),
    language: Type.Union([Type.String(), Type.Null()]),
    timeZone: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    region: Type.Union([Type.String(), Type.Null()]),
    tags: Type.Array(Type.String()),
    attributes: Type.Record(Type.String(), Type.String()),
    consent: Consent,
    createdAt: Instant,
    updatedAt: Instant,
  },
  { title: 'Customer' },
);
export type CustomerView = Static<typeof CustomerView>;

export const customerView = (c: CustomerSummary): CustomerView => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const CustomerListQuery = Type.Object(
  {
    // A query string is text (no coercion): 1 to 500.
    limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
    after: Type.Optional(Text(200)),
    tag: Type.Optional(Tag),
    country: Type.Optional(Country),
  },
  { additionalProperties: false },
);

/** Exact look-up; in a body so that no address or number is written to a URL or a log line. */
export const CustomerSearchBody = Type.Object(
  { email: Type.Optional(Text(320)), phone: Type.Optional(Text(40)) },
  { additionalProperties: false, minProperties: 1 },
);
export type CustomerSearchBody = Static<typeof CustomerSearchBody>;

export { REVEAL_REASONS } from './customer-model.js';

export const RevealBody = Type.Object(
  {
    reason: Type.Unsafe<(typeof REVEAL_REASONS)[number]>({ type: 'string', enum: [...REVEAL_REASONS] }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type RevealBody = Static<typeof RevealBody>;

/** The one response that names personal fields. */
export const CustomerRevealed = Type.Object({
  customer: CustomerView,
  personal: Type.Object({
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Address, Type.Null()]),
    attributes: Type.Record(Type.String(), Type.String()),
    webhookUrl: Type.Union([Type.String(), Type.Null()]),
  }),
});
