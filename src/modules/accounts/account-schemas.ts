import { Type, type Static } from 'typebox';
import { LocaleSchema } from '../../platform/http/schemas.js';

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('incident_manager'),
  Type.Literal('communications'),
  Type.Literal('legal'),
  Type.Literal('support'),
  Type.Literal('viewer'),
]);
export const Roles = Type.Array(RoleSchema, { minItems: 1, uniqueItems: true });
export const Token = Type.String({ minLength: 10, maxLength: 200 });

export const SessionState = Type.Union([Type.Literal('mfa'), Type.Literal('enroll'), Type.Literal('active')]);

export const SignInResult = Type.Object({
  state: SessionState,
  csrfToken: Type.String(),
  methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery')])),
});

export const SessionInfo = Type.Object({
  setupNeeded: Type.Boolean(),
  authenticated: Type.Boolean(),
  state: Type.Optional(SessionState),
  csrfToken: Type.Optional(Type.String()),
  user: Type.Optional(
    Type.Object({
      id: Type.String(),
      email: Type.String(),
      displayName: Type.String(),
      roles: Type.Array(Type.String()),
      locale: Type.Union([LocaleSchema, Type.Null()]),
      totp: Type.Boolean(),
      passkeys: Type.Integer(),
    }),
  ),
  organization: Type.Optional(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      defaultLocale: LocaleSchema,
      requireMfa: Type.Boolean(),
      /** The zone the app shows times in (IANA). */
      timeZone: Type.String(),
    }),
  ),
});

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  status: Type.String(),
  locale: Type.Union([Type.String(), Type.Null()]),
  totp: Type.Boolean(),
  passkeys: Type.Integer(),
  throttledUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastSignInAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type UserView = Static<typeof UserView>;

export const InvitationView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export type SignInResult = Static<typeof SignInResult>;
export type SessionInfo = Static<typeof SessionInfo>;
export type InvitationView = Static<typeof InvitationView>;

/** The organization as a public page shows it (organization-model.ts brandOf): every field named. */
export const OrganizationBrandSchema = Type.Object(
  {
    name: Type.String(),
    color: Type.Union([Type.String({ pattern: '^#[0-9A-F]{6}$' }), Type.Null()]),
    logoUrl: Type.Union([Type.String({ pattern: '^/api/public/logos/[A-Za-z0-9_-]+$' }), Type.Null()]),
  },
  { title: 'OrganizationBrand' },
);
