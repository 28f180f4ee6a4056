/**
 * The one error type. `code` names a message in the catalogs (error.<code>),
 * so the client reads it in the user's language; `details` may only hold
 * values safe to show (field paths, limits), never personal data.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly details: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'AppError';
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
  | 'guidance_not_approved'
  | 'guidance_outdated'
  | 'link_expired'
  | 'email_settings_missing'
  | 'sms_settings_missing'
  | 'webhook_secret_missing'
  | 'internal';

export const notFound = () => new AppError('not_found', 404);
export const forbidden = () => new AppError('forbidden', 403);
export const unauthenticated = () => new AppError('unauthenticated', 401);
