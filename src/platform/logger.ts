import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear. Personal fields and secrets
 * never reach a log line; requests are logged by method, route and id only.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.email',
  '*.code',
  '*.secret',
  '*.recoveryCodes',
  '*.displayName',
  '*.to',
  '*.html',
  '*.text',
  // A failed query's values: PGlite attaches its parameters, PostgreSQL the failing row.
  '*.params',
  '*.detail',
  '*.queryOptions',
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'candor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        err: pino.stdSerializers.err,
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          // Query strings may carry tokens; the path is enough to debug.
          path: req.url.split('?')[0],
          requestId: req.id,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    options.destination,
  );
}

export type { Logger };
