import { Type, type Static, type TSchema } from 'typebox';
import { UPDATE_STATUSES, type UpdateStatus } from './trust-model.js';

/** The trust center API's request and response schemas: what comes in, and the allow-list of what leaves. */
const Uuid = Type.String({ format: 'uuid' });
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IncidentParams = Type.Object({ id: Uuid });
export const UpdateParams = Type.Object({ updateId: Uuid });

/**
 * Staff text, shown as written: no control character but the line feed and the tab (a carriage
 * return, NUL or escape has no business on a public page), and no bidi override or isolate (they
 * can make Arabic or Latin text read differently from what was approved; the pages isolate values
 * themselves).
 */
const PLAIN_TEXT = '^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$';
const text = (minLength: number, maxLength: number) =>
  Type.String({ minLength, maxLength, pattern: PLAIN_TEXT });

/** One entry per language written (en, cs, ar), at least one. */
const perLanguage = <T extends TSchema>(one: T, title: string) =>
  Type.Object(
    { en: Type.Optional(one), cs: Type.Optional(one), ar: Type.Optional(one) },
    { title, additionalProperties: false, minProperties: 1 },
  );

const PageText = Type.Object(
  { title: text(1, 200), summary: text(1, 2000) },
  { title: 'TrustPageText', additionalProperties: false },
);
const UpdateText = Type.Object(
  { message: text(1, 5000), customerActions: text(0, 3000) },
  { title: 'TrustUpdateText', additionalProperties: false },
);
export const PageTexts = perLanguage(PageText, 'TrustPageTexts');
export const UpdateTexts = perLanguage(UpdateText, 'TrustUpdateTexts');

const Status = Type.Unsafe<UpdateStatus>({
  type: 'string',
  enum: [...UPDATE_STATUSES],
  title: 'TrustUpdateStatus',
});
const State = Type.Union([Type.Literal('draft'), Type.Literal('approved'), Type.Literal('published')]);

const Slug = Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$' });
const HttpsUrl = Type.String({ pattern: '^https://\\S+$', maxLength: 500 });

export const SiteBody = Type.Object(
  {
    slug: Slug,
    published: Type.Boolean(),
    requireApproval: Type.Boolean(),
    supportUrl: Type.Optional(Nullable(HttpsUrl)),
  },
  { additionalProperties: false },
);
export type SiteBody = Static<typeof SiteBody>;

const Site = Type.Object(
  {
    slug: Type.String(),
    published: Type.Boolean(),
    requireApproval: Type.Boolean(),
    supportUrl: Nullable(Type.String()),
    updatedAt: Instant,
  },
  { title: 'TrustSite' },
);
/** The site's settings, or null before they are first saved. */
export const SiteResponse = Type.Object({ site: Nullable(Site) });

export const PageBody = Type.Object({ texts: PageTexts }, { additionalProperties: false });

export const UpdateBody = Type.Object(
  { status: Status, texts: UpdateTexts, nextUpdateBy: Nullable(Instant) },
  { additionalProperties: false },
);
export type UpdateBody = Static<typeof UpdateBody>;

const Page = Type.Object({
  id: Uuid,
  publicId: Type.String(),
  texts: PageTexts,
  firstPublishedAt: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});

const Update = Type.Object(
  {
    id: Uuid,
    status: Status,
    texts: UpdateTexts,
    nextUpdateBy: Nullable(Instant),
    state: State,
    /** null when an API token wrote it */
    authorId: Nullable(Uuid),
    approvedBy: Nullable(Uuid),
    approvedAt: Nullable(Instant),
    publishedAt: Nullable(Instant),
    createdAt: Instant,
    updatedAt: Instant,
  },
  { title: 'TrustUpdate' },
);

/** An incident's public page (null until written) and all its updates, newest first. */
export const IncidentTrustView = Type.Object(
  {
    page: Nullable(Page),
    updates: Type.Array(Update),
    /** whether publishing an update needs its approval first (the site's setting; true without a site) */
    requireApproval: Type.Boolean(),
  },
  { title: 'IncidentTrust' },
);
export type IncidentTrustView = Static<typeof IncidentTrustView>;
