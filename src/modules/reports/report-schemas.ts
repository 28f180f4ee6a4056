import { Type, type Static, type TSchema } from 'typebox';
import { LocaleSchema } from '../../platform/http/schemas.js';
import {
  CHOICES,
  EXPORT_FORMATS,
  FIELD_NAMES,
  LONGTEXT_LIMIT,
  REPORT_KINDS,
  TEXT_LIMIT,
  type FieldName,
  type ReportFields,
} from './report-model.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ReportKindSchema = literals(REPORT_KINDS);
export const ExportFormatSchema = literals(EXPORT_FORMATS);
export const FieldNameSchema = literals(FIELD_NAMES);

const PeopleRow = Type.Object(
  {
    jurisdiction: Type.String({ pattern: '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' }),
    people: Nullable(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const Text = () => Type.Optional(Type.String({ maxLength: TEXT_LIMIT }));
const LongText = () => Type.Optional(Type.String({ maxLength: LONGTEXT_LIMIT }));
const Instant = () => Type.Optional(Nullable(Type.String({ format: 'date-time' })));
const Count = () => Type.Optional(Nullable(Type.Integer({ minimum: 0 })));
const OneOf = () => Type.Optional(literals(CHOICES));

/** Every field optional: a request names only the fields it changes. Types as FIELD_TYPES says. */
export const ReportFieldsSchema = Type.Object(
  {
    reporter: Text(),
    contactPoint: LongText(),
    reference: Text(),
    occurredAt: Instant(),
    detectedAt: Instant(),
    awareAt: Instant(),
    delayReasons: LongText(),
    nature: LongText(),
    dataCategories: LongText(),
    peopleByJurisdiction: Type.Optional(Type.Array(PeopleRow, { maxItems: 300 })),
    peopleTotal: Count(),
    recordsTotal: Count(),
    consequences: LongText(),
    measures: LongText(),
    suspectedMalicious: OneOf(),
    crossBorder: OneOf(),
    crossBorderDetails: LongText(),
    severity: Text(),
    impact: LongText(),
    indicators: LongText(),
    rootCause: LongText(),
    mitigation: LongText(),
  },
  { additionalProperties: false },
);
// Compile-time: the schema names every field of the model, with the model's types.
const _everyField: Record<FieldName, unknown> = ReportFieldsSchema.properties;
const _sameTypes: Partial<ReportFields> = {} as Static<typeof ReportFieldsSchema>;

export const CreateReportBody = Type.Object(
  { kind: ReportKindSchema, locale: Type.Optional(LocaleSchema) },
  { additionalProperties: false },
);
export type CreateReportBody = Static<typeof CreateReportBody>;

export const UpdateReportBody = Type.Object(
  {
    fields: Type.Optional(ReportFieldsSchema),
    locale: Type.Optional(LocaleSchema),
    /** The revision the edit was made on: a stale one is refused rather than overwriting someone's change. */
    revision: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PrefillBody = Type.Object(
  { fields: Type.Array(FieldNameSchema, { minItems: 1, uniqueItems: true }) },
  { additionalProperties: false },
);

export const ExportBody = Type.Object(
  { format: ExportFormatSchema, locale: Type.Optional(LocaleSchema) },
  { additionalProperties: false },
);

export const ReportView = Type.Object(
  {
    id: Type.String(),
    incidentId: Type.String(),
    kind: ReportKindSchema,
    locale: LocaleSchema,
    revision: Type.Integer(),
    isExercise: Type.Boolean(),
    /** The kind's sections and their fields, in the order the document prints them. */
    sections: Type.Array(Type.Object({ id: Type.String(), fields: Type.Array(FieldNameSchema) })),
    fields: ReportFieldsSchema,
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Report' },
);

export const VersionView = Type.Object(
  {
    id: Type.String(),
    reportId: Type.String(),
    incidentId: Type.String(),
    number: Type.Integer(),
    kind: ReportKindSchema,
    format: ExportFormatSchema,
    locale: LocaleSchema,
    isExercise: Type.Boolean(),
    reportRevision: Type.Integer(),
    sha256: Type.String(),
    size: Type.Integer(),
    filename: Type.String(),
    createdBy: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { title: 'ReportVersion' },
);

export const ReportSettings = Type.Object(
  { contactPoint: Type.String({ maxLength: 2000 }) },
  { additionalProperties: false },
);
