import { Type, type Static, type TSchema } from 'typebox';
import { LOCALES } from '../../platform/i18n.js';
import { RULES_BY_ID } from '../deadlines/index.js';
import { INCIDENT_TYPES } from '../incidents/index.js';
import { CHECK_CODES } from './plan-check.js';
import { CHANNEL_TYPES } from './contact-repo.js';
import { ORG_OWNER_ROLES, OWNER_ROLES, PHASES, TASK_KEY_PATTERN, TASK_KINDS } from './plan-model.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
// Names are stored trimmed: a blank one is refused here, not by the database's check (a 500).
const NotBlank = '\\S';

export const IncidentTypeSchema = literals(INCIDENT_TYPES);
export const LocaleSchema = literals(LOCALES);
export const PhaseSchema = literals(PHASES);
export const OwnerSchema = literals(OWNER_ROLES);
export const OrgOwnerSchema = literals(ORG_OWNER_ROLES);
export const KindSchema = literals(TASK_KINDS);
export const ChannelTypeSchema = literals(CHANNEL_TYPES);
/** A deadline rule whose clock a task serves. */
export const ClockSchema = literals([...RULES_BY_ID.keys()]);

export const IdParams = Type.Object({ id: Uuid });
export const TypeParams = Type.Object({ type: IncidentTypeSchema });
export const VersionParams = Type.Object({
  id: Uuid,
  version: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }),
});
export const TaskParams = Type.Object({ id: Uuid, taskId: Uuid });

/** A year, in minutes: no plan task is due later than that. */
const MAX_OFFSET = 366 * 24 * 60;

export const PlanTaskView = Type.Object({
  key: Type.String(),
  title: Type.String(),
  description: Type.String(),
  phase: PhaseSchema,
  owner: Nullable(OwnerSchema),
  /** Minutes after the incident's awareness (the declaration while awareness is not recorded). */
  dueAfterMinutes: Type.Integer(),
  kind: Nullable(KindSchema),
  /** The legal clock the task serves: an incident's task falls due before it runs out. */
  clock: Nullable(ClockSchema),
});

export const PlanTaskInput = Type.Object(
  {
    key: Type.Optional(Type.String({ pattern: TASK_KEY_PATTERN })),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.String({ maxLength: 5000 }),
    phase: PhaseSchema,
    owner: Nullable(OwnerSchema),
    dueAfterMinutes: Type.Integer({ minimum: 0, maximum: MAX_OFFSET }),
    kind: Nullable(KindSchema),
    /** None when absent. */
    clock: Type.Optional(Nullable(ClockSchema)),
  },
  { additionalProperties: false },
);

export const PlaybookView = Type.Object({
  type: IncidentTypeSchema,
  extends: Nullable(IncidentTypeSchema),
  name: Type.String(),
  summary: Type.String(),
  locale: LocaleSchema,
  tasks: Type.Array(PlanTaskView),
});

export const VersionSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  locale: LocaleSchema,
  note: Type.String(),
  taskCount: Type.Integer(),
  createdBy: Nullable(Type.Object({ id: Type.String(), displayName: Nullable(Type.String()) })),
  createdAt: Instant,
});

export const VersionView = Type.Object(
  {
    ...VersionSummary.properties,
    planId: Type.String(),
    tasks: Type.Array(PlanTaskView),
  },
  { title: 'PlanVersion' },
);
export type VersionView = Static<typeof VersionView>;

export const PlanSummary = Type.Object({
  id: Type.String(),
  type: IncidentTypeSchema,
  sourcePlaybook: Type.String(),
  createdAt: Instant,
  current: VersionSummary,
});

export const PlanView = Type.Object({
  id: Type.String(),
  type: IncidentTypeSchema,
  sourcePlaybook: Type.String(),
  createdAt: Instant,
  current: VersionView,
});

export const CopyBody = Type.Object(
  {
    type: IncidentTypeSchema,
    /** The language of the copy; the caller's language when absent. */
    locale: Type.Optional(LocaleSchema),
  },
  { additionalProperties: false },
);

export const SaveVersionBody = Type.Object(
  {
    baseVersion: Type.Integer({ minimum: 1 }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: NotBlank }),
    locale: LocaleSchema,
    tasks: Type.Array(PlanTaskInput, { minItems: 1, maxItems: 200 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const CheckQuery = Type.Object(
  { version: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })) },
  { additionalProperties: false },
);

export const CheckView = Type.Object({
  type: IncidentTypeSchema,
  /** The organization's plan checked, or null for a built-in playbook. */
  planId: Nullable(Type.String()),
  version: Nullable(Type.Integer()),
  ok: Type.Boolean(),
  checkedAt: Instant,
  lastExercisedAt: Nullable(Instant),
  flags: Type.Array(
    Type.Object({
      code: literals(CHECK_CODES),
      taskKey: Nullable(Type.String()),
      /** The legal clock concerned (task_due_after_clock). */
      clock: Nullable(ClockSchema),
      message: Type.String(),
    }),
  ),
});

// Incident tasks.

const Person = Type.Object({ id: Type.String(), displayName: Nullable(Type.String()) });

export const TaskView = Type.Object(
  {
    id: Type.String(),
    incidentId: Type.String(),
    /** Exercise incidents run the whole plan; screens mark their tasks. */
    isExercise: Type.Boolean(),
    key: Type.String(),
    title: Type.String(),
    description: Type.String(),
    /** The language the texts are in (the caller's when the plan has it). */
    locale: LocaleSchema,
    phase: PhaseSchema,
    kind: Nullable(KindSchema),
    ownerRole: Nullable(OwnerSchema),
    assignee: Nullable(Person),
    assigneeRole: Nullable(OrgOwnerSchema),
    /** The legal clock the task serves: it is due before that clock runs out. */
    clock: Nullable(ClockSchema),
    dueAt: Instant,
    overdue: Type.Boolean(),
    status: literals(['open', 'done', 'skipped'] as const),
    closedAt: Nullable(Instant),
    closedBy: Nullable(Person),
    skipReason: Nullable(Type.String()),
    /** Whether the caller may complete, reassign or skip it. */
    canWork: Type.Boolean(),
  },
  { title: 'Task' },
);
export type TaskView = Static<typeof TaskView>;

export const IncidentTasksView = Type.Object({
  incidentId: Type.String(),
  isExercise: Type.Boolean(),
  plan: Nullable(
    Type.Object({
      name: Type.String(),
      source: literals(['builtin', 'organization'] as const),
      playbook: Type.String(),
      planId: Nullable(Type.String()),
      planVersionId: Nullable(Type.String()),
      version: Nullable(Type.Integer()),
      startedAt: Instant,
    }),
  ),
  tasks: Type.Array(TaskView),
});

export const ReassignBody = Type.Union([
  Type.Object({ userId: Uuid }, { additionalProperties: false }),
  Type.Object({ role: OrgOwnerSchema }, { additionalProperties: false }),
]);

export const SkipBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

// The out-of-band contact list. Phone numbers and channels are personal data: they
// leave the server only in these schemas.

const Phone = Type.String({ maxLength: 40, pattern: '^$|^\\+?[0-9][0-9 ().\\/-]{1,38}$' });

export const ChannelSchema = Type.Object(
  { type: ChannelTypeSchema, value: Type.String({ minLength: 1, maxLength: 300 }) },
  { additionalProperties: false },
);

export const ContactView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  affiliation: Type.String(),
  phone: Type.String(),
  channels: Type.Array(ChannelSchema),
  notes: Type.String(),
  position: Type.Integer(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type ContactView = Static<typeof ContactView>;

const contactFields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: NotBlank }),
  role: Type.String({ maxLength: 200 }),
  affiliation: Type.String({ maxLength: 200 }),
  phone: Phone,
  channels: Type.Array(ChannelSchema, { maxItems: 20 }),
  notes: Type.String({ maxLength: 2000 }),
  position: Type.Integer({ minimum: 0, maximum: 100000 }),
};

export const ContactCreateBody = Type.Object(
  {
    name: contactFields.name,
    role: Type.Optional(contactFields.role),
    affiliation: Type.Optional(contactFields.affiliation),
    phone: Type.Optional(contactFields.phone),
    channels: Type.Optional(contactFields.channels),
    notes: Type.Optional(contactFields.notes),
    position: Type.Optional(contactFields.position),
  },
  { additionalProperties: false },
);

export const ContactPatchBody = Type.Object(
  {
    name: Type.Optional(contactFields.name),
    role: Type.Optional(contactFields.role),
    affiliation: Type.Optional(contactFields.affiliation),
    phone: Type.Optional(contactFields.phone),
    channels: Type.Optional(contactFields.channels),
    notes: Type.Optional(contactFields.notes),
    position: Type.Optional(contactFields.position),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ContactExport = Type.Object({
  organization: Type.String(),
  exportedAt: Instant,
  contacts: Type.Array(ContactView),
});
