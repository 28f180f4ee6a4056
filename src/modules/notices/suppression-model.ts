/** The suppression list's vocabulary, shared by its service and its repo. */

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'permanent_failure', 'unsubscribed'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** What told us: a DSN, a relay's webhook, the SMTP reply at sending, a one-click unsubscribe, an admin. */
export type SuppressionSource = 'dsn' | 'relay' | 'smtp' | 'sms' | 'webhook' | 'unsubscribe' | 'admin';

/**
 * What a suppression stops: 'all' every notice on the channel, 'optional' optional updates only
 * (a mandatory breach notice still goes out).
 */
export const SUPPRESSION_SCOPES = ['all', 'optional'] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];
