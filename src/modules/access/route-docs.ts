import { ErrorBody } from '../../platform/http/schemas.js';
import type { Access } from './permissions.js';

/**
 * What the API document says of each operation, generated from the route table and its access
 * rule so that it cannot drift from what the server does: an operationId and a summary from the
 * method and path (unless the route gives its own), and the security the access layer enforces —
 * nothing for a public route; a session cookie, plus the CSRF header on a state-changing call, for
 * a signed-in user; or a bearer API token scoped to the route's permission.
 */
export const SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: 'candor_session', description: 'A signed-in session.' },
  csrf: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description:
      "The session's CSRF token (from sign-in or GET /api/auth/session), on every state-changing call.",
  },
  token: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token; its scopes are the permissions it may use.',
  },
} as const;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The path as OpenAPI writes it: `:id` as `{id}`. */
export const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** getIncidentsById, postNoticesByNoticeIdSends: the method, then each segment, parameters as ByName. */
export function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((s) => s && s !== 'api')
    .map((s) => (s.startsWith(':') ? `By-${s.slice(1)}` : s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}

export function security(access: Access, method: string): Record<string, string[]>[] {
  if (access.kind === 'public') return [];
  const session: Record<string, string[]> = SAFE.has(method) ? { session: [] } : { session: [], csrf: [] };
  if (access.kind !== 'permission') return [session];
  return [session, { token: [access.permission] }];
}

interface DocumentedSchema {
  hide?: boolean;
  body?: unknown;
  params?: unknown;
  querystring?: unknown;
  response?: Record<string, unknown>;
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
}

/** Fills in what the document needs of one route; a route's own operationId or summary stays. */
export function documentRoute(
  route: { method: string | string[]; url: string; schema?: unknown },
  access: Access,
): void {
  const method = [route.method].flat()[0]!;
  // A copy: routes may share one options object, and each operation needs its own id.
  const schema = (route.schema = { ...(route.schema ?? {}) }) as DocumentedSchema;
  if (schema.hide) return;
  schema.operationId ??= operationId(method, route.url);
  schema.summary ??= `${method} ${openApiPath(route.url)}`;
  schema.security ??= security(access, method);
  schema.response = { ...errorResponses(schema, access), ...schema.response };
}

/**
 * The errors the layers before a handler answer, with the one envelope: 400 when the request has
 * input to validate, 401 when it needs a caller, 403 when it needs a permission (or a session's
 * CSRF token). A route's own declaration of a status wins.
 */
function errorResponses(schema: DocumentedSchema, access: Access): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  if (schema.body || schema.params || schema.querystring) errors['400'] = ErrorBody;
  if (access.kind !== 'public') {
    errors['401'] = ErrorBody;
    errors['403'] = ErrorBody;
  }
  return errors;
}
