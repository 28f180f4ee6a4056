/**
 * Points where the crash tests have a real Candor process killed (SIGKILL: nothing after it runs,
 * no handler, no flush) to prove what a crash there leaves behind. Chosen by CANDOR_TEST_CRASH_AT,
 * which the configuration accepts under NODE_ENV=test only and refuses anywhere else.
 */
export const CRASH_POINTS = ['notice_send.before_commit', 'notice_send.after_commit'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Kills this process on the spot when `point` is the configured one; otherwise nothing. */
export function crashAt(configured: CrashPoint | undefined, point: CrashPoint): void {
  if (configured === point) process.kill(process.pid, 'SIGKILL');
}
