import { Type, type Static, type TSchema } from 'typebox';
import {
  DATA_CATEGORIES,
  INCIDENT_ROLES,
  INCIDENT_TYPES,
  MOMENTS,
  SEVERITIES,
  STATES,
} from './incident-model.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });

export const IncidentTypeSchema = literals(INCIDENT_TYPES);
export const SeveritySchema = literals(SEVERITIES);
export const StateSchema = literals(STATES);
export const DataCategorySchema = literals(DATA_CATEGORIES);
export const IncidentRoleSchema = literals(INCIDENT_ROLES);

const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Each key moment on its own; null clears one. */
const MomentValue = Type.Optional(Nullable(Instant));
export const Moments = Type.Object(
  {
    occurred: MomentValue,
    detected: MomentValue,
    aware: MomentValue,
    breach_determined: MomentValue,
    materiality_determined: MomentValue,
    contained: MomentValue,
    resolved: MomentValue,
  },
  { additionalProperties: false, minProperties: 1 },
);
export type Moments = Static<typeof Moments>;

export const JurisdictionInput = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' }),
    estimatedAffected: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  },
  { additionalProperties: false },
);

export const MemberInput = Type.Object(
  { userId: Type.String({ format: 'uuid' }), role: IncidentRoleSchema },
  { additionalProperties: false },
);

export const DeclareBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    type: IncidentTypeSchema,
    severity: SeveritySchema,
    /** After the fact an incident may be recorded in any state. */
    state: Type.Optional(StateSchema),
    isExercise: Type.Optional(Type.Boolean()),
    restricted: Type.Optional(Type.Boolean()),
    affectedSystems: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
    ),
    dataCategories: Type.Optional(Type.Array(DataCategorySchema, { uniqueItems: true })),
    moments: Type.Optional(Moments),
    jurisdictions: Type.Optional(Type.Array(JurisdictionInput, { maxItems: 300 })),
    members: Type.Optional(Type.Array(MemberInput, { maxItems: 100 })),
    startPlan: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type DeclareBody = Static<typeof DeclareBody>;

export const UpdateBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    type: Type.Optional(IncidentTypeSchema),
    severity: Type.Optional(SeveritySchema),
    restricted: Type.Optional(Type.Boolean()),
    affectedSystems: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }),
    ),
    dataCategories: Type.Optional(Type.Array(DataCategorySchema, { uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateBody = Static<typeof UpdateBody>;

export const IncidentSummary = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  title: Type.String(),
  type: IncidentTypeSchema,
  severity: SeveritySchema,
  state: StateSchema,
  isExercise: Type.Boolean(),
  restricted: Type.Boolean(),
  detectedAt: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});

export const IncidentView = Type.Object(
  {
    ...IncidentSummary.properties,
    summary: Type.String(),
    affectedSystems: Type.Array(Type.String()),
    dataCategories: Type.Array(DataCategorySchema),
    moments: Type.Object(Object.fromEntries(MOMENTS.map((m) => [m, Nullable(Instant)]))),
    jurisdictions: Type.Array(
      Type.Object({
        code: Type.String(),
        estimatedAffected: Nullable(Type.Integer()),
        countedAffected: Nullable(Type.Integer()),
      }),
    ),
    members: Type.Array(
      Type.Object({ userId: Type.String(), role: IncidentRoleSchema, displayName: Type.String() }),
    ),
    allowedTransitions: Type.Array(StateSchema),
  },
  { title: 'Incident' },
);

export const TimelineEvent = Type.Object({
  id: Type.String(),
  occurredAt: Instant,
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  kind: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  note: Nullable(Type.String()),
});

export const ListQuery = Type.Object(
  {
    state: Type.Optional(StateSchema),
    type: Type.Optional(IncidentTypeSchema),
    severity: Type.Optional(SeveritySchema),
    exercise: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    open: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    q: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;
