import { Type, type Static } from 'typebox';
import { NOTICE_PARTS } from './notice-contracts.js';

/** The notices API's request and response schemas: what comes in, and the allow-list of what leaves. */
const Uuid = Type.String({ format: 'uuid' });
export const IncidentParams = Type.Object({ id: Uuid });
export const NoticeParams = Type.Object({ noticeId: Uuid });
const VersionNumber = Type.String({ pattern: '^[1-9][0-9]{0,8}$' });
export const VersionParams = Type.Object({ noticeId: Uuid, version: VersionNumber });
export const FlagParams = Type.Object({
  noticeId: Uuid,
  version: VersionNumber,
  flagId: Type.String({ minLength: 1, maxLength: 200 }),
});
const Locale = Type.Union([Type.Literal('en'), Type.Literal('cs'), Type.Literal('ar')]);
const ChannelSchema = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('webhook')]);
const Kind = Type.Union([Type.Literal('mandatory'), Type.Literal('optional')]);

const Text = Type.String({ maxLength: 10_000 });
const LocaleContent = Type.Object(
  {
    subject: Type.String({ maxLength: 300 }),
    sms: Type.String({ maxLength: 1000 }),
    parts: Type.Object(
      Object.fromEntries(NOTICE_PARTS.map((p) => [p, Text])) as Record<string, typeof Text>,
      {
        additionalProperties: false,
      },
    ),
  },
  { title: 'NoticeLocaleContent', additionalProperties: false },
);
export const NoticeContentSchema = Type.Object(
  { en: LocaleContent, cs: LocaleContent, ar: LocaleContent },
  { title: 'NoticeContent', additionalProperties: false },
);

export const Flag = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    locale: Type.String(),
    field: Type.Optional(Type.String()),
    term: Type.Optional(Type.String()),
    customers: Type.Optional(Type.Integer()),
    accepted: Type.Union([
      Type.Object({
        reason: Type.String(),
        acceptedBy: Type.Union([Uuid, Type.Null()]),
        acceptedAt: Type.String(),
      }),
      Type.Null(),
    ]),
  },
  { title: 'CandourFlag' },
);

const VersionSummary = Type.Object(
  {
    id: Uuid,
    version: Type.Integer(),
    authorId: Type.Union([Uuid, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    approvedBy: Type.Union([Uuid, Type.Null()]),
    approvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'NoticeVersionSummary' },
);

export const SendView = Type.Object(
  {
    id: Uuid,
    noticeVersionId: Uuid,
    version: Type.Integer(),
    kind: Kind,
    channels: Type.Array(Type.String()),
    audience: Type.String(),
    scheduledAt: Type.String({ format: 'date-time' }),
    status: Type.String(),
    requestedBy: Type.Union([Uuid, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'NoticeSend' },
);

export const NoticeView = Type.Object(
  {
    id: Uuid,
    incidentId: Uuid,
    kind: Kind,
    isExercise: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    latest: Type.Object({
      ...VersionSummary.properties,
      content: NoticeContentSchema,
      links: Type.Object({
        verifyUrl: Type.Optional(Type.String()),
        lookupUrl: Type.Optional(Type.String()),
        supportUrl: Type.Optional(Type.String()),
      }),
      flags: Type.Array(Flag),
      /** Affected customers (test recipients in an exercise) by the language they will read. */
      readers: Type.Record(Type.String(), Type.Integer()),
    }),
    versions: Type.Array(VersionSummary),
    sends: Type.Array(SendView),
  },
  { title: 'Notice' },
);
export type NoticeView = Static<typeof NoticeView>;

export const NoticeListItem = Type.Object({
  id: Uuid,
  kind: Kind,
  createdAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
  subject: Type.String(),
  /** The language the subject is written in (the organization's, else English). */
  subjectLocale: Locale,
  approved: Type.Boolean(),
  sends: Type.Integer(),
});

export const CreateBody = Type.Object(
  { kind: Kind, content: Type.Optional(NoticeContentSchema) },
  { additionalProperties: false },
);
export const EditBody = Type.Object({ content: NoticeContentSchema }, { additionalProperties: false });
export const AcceptBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const PreviewBody = Type.Object(
  {
    locale: Locale,
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    /** An affected customer to preview as (their name is decrypted: audited); else a sample. */
    customerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const PreviewView = Type.Object({
  locale: Locale,
  direction: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  sms: Type.String(),
  version: Type.Integer(),
  asCustomer: Type.Boolean(),
  /** The SMS text's encoding, how many segments it takes and their texts (sms-segments.ts). */
  smsSegments: Type.Object({
    encoding: Type.String(),
    units: Type.Integer(),
    segments: Type.Integer(),
    parts: Type.Array(Type.String()),
  }),
});
export const SendBody = Type.Object(
  {
    channels: Type.Array(ChannelSchema, { minItems: 1, maxItems: 3, uniqueItems: true }),
    scheduledAt: Type.Optional(Type.String({ format: 'date-time' })),
    audience: Type.Optional(Type.Union([Type.Literal('customers'), Type.Literal('test_recipients')])),
  },
  { additionalProperties: false },
);
export const PreviewCustomer = Type.Object({
  id: Uuid,
  externalId: Type.String(),
  language: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Array(Type.String()),
});

export const TestRecipientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    locale: Locale,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })),
    webhookUrl: Type.Optional(Type.String({ pattern: '^https://\\S+$', maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const TestRecipientView = Type.Object({ id: Uuid, ...TestRecipientBody.properties });
export const TestRecipientParams = Type.Object({ id: Uuid });
export type CreateBody = Static<typeof CreateBody>;
export type PreviewBody = Static<typeof PreviewBody>;
export type PreviewView = Static<typeof PreviewView>;
export type SendBody = Static<typeof SendBody>;
