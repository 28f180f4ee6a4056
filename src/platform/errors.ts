/**
 * The one error type. Code raises an error by its code (`new AppError('invalid_mfa_code')`);
 * ERROR_STATUS gives each code its one HTTP status, and the catalogs its message (error.<code>),
 * so the client reads it in the user's language. `details` may only hold values safe to show
 * (field paths, limits), never personal data.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'csrf_failed'
  | 'rate_limited'
  | 'invalid_credentials'
  | 'mfa_required'
  | 'mfa_enrollment_required'
  | 'invalid_mfa_code'
  | 'invalid_token'
  | 'weak_password'
  | 'email_taken'
  | 'last_admin'
  | 'illegal_transition'
  | 'pdf_unavailable'
  | 'payload_too_large'
  | 'unavailable'
  | 'author_cannot_approve'
  | 'notice_incomplete'
  | 'guidance_not_approved'
  | 'guidance_outdated'
  | 'link_expired'
  | 'email_settings_missing'
  | 'sms_settings_missing'
  | 'webhook_secret_missing'
  | 'passkey_not_verified'
  | 'reauthentication_required'
  | 'token_scope_not_held'
  | 'internal';

/** Each error code's HTTP status: one per code, whoever raises it. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  csrf_failed: 403,
  rate_limited: 429,
  invalid_credentials: 401,
  mfa_required: 401,
  mfa_enrollment_required: 403,
  invalid_mfa_code: 401,
  invalid_token: 400,
  weak_password: 400,
  email_taken: 409,
  last_admin: 409,
  illegal_transition: 409,
  pdf_unavailable: 503,
  payload_too_large: 413,
  unavailable: 503,
  author_cannot_approve: 403,
  notice_incomplete: 409,
  guidance_not_approved: 409,
  guidance_outdated: 409,
  link_expired: 410,
  email_settings_missing: 409,
  sms_settings_missing: 409,
  webhook_secret_missing: 409,
  passkey_not_verified: 400,
  reauthentication_required: 403,
  token_scope_not_held: 403,
  internal: 500,
};

export const notFound = () => new AppError('not_found');
export const forbidden = () => new AppError('forbidden');
export const unauthenticated = () => new AppError('unauthenticated');
