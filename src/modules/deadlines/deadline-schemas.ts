import { Type, type Static } from 'typebox';
import { FREE_ZONES } from './deadline-rules.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });
const Key = Type.String({ maxLength: 120 });

export const ClockParams = Type.Object({ id: Uuid, clockId: Uuid });
export const WarningParams = Type.Object({ id: Uuid });

export const ClockState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('open'),
  Type.Literal('met'),
  Type.Literal('missed'),
  Type.Literal('not_applicable'),
]);

/** One clock, for the viewer to format in their own zone: instants in ISO, the jurisdiction's zone beside them. */
export const ClockView = Type.Object(
  {
    id: Uuid,
    incidentId: Uuid,
    ruleId: Type.String(),
    regime: Type.String(),
    citation: Type.String(),
    jurisdiction: Type.String(),
    timeZone: Type.String(),
    isExercise: Type.Boolean(),
    /** Catalog keys: deadline.rule.<id>, deadline.party.<party>, deadline.content.<item>. */
    titleKey: Key,
    notifierKey: Key,
    recipientKey: Key,
    contentKeys: Type.Array(Key),
    /** The incident moment the clock starts from, or the clock whose filing starts it. */
    startMoment: Type.Union([Type.String(), Type.Null()]),
    startsAfterRule: Type.Union([Type.String(), Type.Null()]),
    startsAt: NullableInstant,
    dueAt: NullableInstant,
    timeLeftSeconds: Type.Union([Type.Integer(), Type.Null()]),
    state: ClockState,
    /** deadline.reason.<reason> when not applicable. */
    reasonKey: Type.Union([Key, Type.Null()]),
    /** A person's reason for declaring it not applicable. */
    waivedReason: Type.Union([Type.String(), Type.Null()]),
    /** deadline.note.<note>; `uncertain` when a figure of the rule itself could not be confirmed (⚠). */
    noteKeys: Type.Array(Key),
    uncertain: Type.Boolean(),
    /** The evidence of the filing, for those who may read reports. */
    filing: Type.Union([
      Type.Object({
        filedAt: Instant,
        reference: Type.Union([Type.String(), Type.Null()]),
        text: Type.Union([Type.String(), Type.Null()]),
        document: Type.Union([
          Type.Object({
            name: Type.String(),
            contentType: Type.String(),
            size: Type.Integer(),
            sha256: Type.String(),
          }),
          Type.Null(),
        ]),
      }),
      Type.Null(),
    ]),
  },
  { title: 'Clock' },
);
export type ClockView = Static<typeof ClockView>;

export const ClockList = Type.Object({ now: Instant, clocks: Type.Array(ClockView) });
export type ClockList = Static<typeof ClockList>;

export const FileBody = Type.Object(
  {
    /** When it was filed; now when left out. */
    filedAt: Type.Optional(Instant),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
    document: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 255 }),
          contentType: Type.String({ pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 255 }),
          // ~700 KB of document within the 1 MB request limit.
          contentBase64: Type.String({ minLength: 1, maxLength: 950_000, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type FileBody = Static<typeof FileBody>;

export const WaiveBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const RiskLevelSchema = Type.Union([
  Type.Literal('unlikely'),
  Type.Literal('risk'),
  Type.Literal('high'),
  Type.Null(),
]);

export const AssessmentBody = Type.Object(
  { riskLevel: RiskLevelSchema, significant: Type.Union([Type.Boolean(), Type.Null()]) },
  { additionalProperties: false },
);

export const ProfileView = Type.Object(
  {
    leadAuthority: Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()]),
    secRegistrant: Type.Boolean(),
    hipaaCovered: Type.Boolean(),
    nis2Entity: Type.Union([Type.Boolean(), Type.Null()]),
    czRegulated: Type.Union([Type.Boolean(), Type.Null()]),
    /** The free zones with their own data protection law where the organization is established; none when left out. */
    establishedIn: Type.Optional(
      Type.Array(Type.Unsafe<(typeof FREE_ZONES)[number]>({ type: 'string', enum: [...FREE_ZONES] }), {
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
);

export const WarningView = Type.Object({
  id: Uuid,
  incidentId: Uuid,
  incidentNumber: Type.Integer(),
  incidentTitle: Type.String(),
  clockId: Uuid,
  ruleId: Type.String(),
  titleKey: Key,
  jurisdiction: Type.String(),
  timeZone: Type.String(),
  threshold: Type.Union([Type.Literal('50'), Type.Literal('75'), Type.Literal('90'), Type.Literal('missed')]),
  dueAt: Instant,
  isExercise: Type.Boolean(),
  createdAt: Instant,
  readAt: NullableInstant,
});
export type WarningView = Static<typeof WarningView>;

export const WarningQuery = Type.Object(
  { unread: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
  { additionalProperties: false },
);
