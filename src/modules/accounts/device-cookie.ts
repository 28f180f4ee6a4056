import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveKey, hmac, newToken, safeEqual } from '../../platform/crypto.js';
import type { HasSessionDeps } from './session-service.js';

/**
 * OWASP's "device cookies": a browser that has completed a sign-in with a
 * second factor carries a cookie bound to the account, and with it the right
 * password is not held back by failures from elsewhere (throttle.ts). The
 * cookie is a random nonce, its expiry and a MAC under a key derived from the
 * session secret, bound to the user's id: forged, altered, expired or another
 * account's cookies are simply not honoured. It proves nothing on its own
 * (the password and the second factor are still asked for), and a cookie with
 * too many wrong passwords behind it is locked (the `device` throttle).
 */
export const DEVICE_COOKIE = 'candor_device';
// Sent only where it counts: the password step.
const DEVICE_COOKIE_PATH = '/api/auth/sign-in';
export const DEVICE_COOKIE_DAYS = 180;

const deviceKey = (app: HasSessionDeps) => deriveKey(app.deps.config.secrets.sessionKey, 'device-cookie');

const macOf = (app: HasSessionDeps, userId: string, nonce: string, expires: string) =>
  hmac(deviceKey(app), `device:${userId}.${nonce}.${expires}`);

/** A new device cookie for the user, after a sign-in with a second factor. */
export function issueDeviceCookie(app: HasSessionDeps, reply: FastifyReply, userId: string): void {
  const { publicUrl } = app.deps.config;
  const nonce = newToken(16);
  const expires = String(Math.floor(Date.now() / 1000) + DEVICE_COOKIE_DAYS * 86_400);
  void reply.setCookie(DEVICE_COOKIE, `${nonce}.${expires}.${macOf(app, userId, nonce, expires)}`, {
    path: DEVICE_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict',
    // As the session cookie: browsers accept Secure cookies from http://localhost.
    secure: publicUrl.protocol === 'https:' || publicUrl.hostname === 'localhost',
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
}

/**
 * The device this request's cookie names, when the cookie is valid for this
 * user and unexpired: the subject its failures are counted under.
 */
export function trustedDevice(
  app: HasSessionDeps,
  request: FastifyRequest,
  userId: string,
): string | undefined {
  const [nonce, expires, mac, extra] = (request.cookies[DEVICE_COOKIE] ?? '').split('.');
  if (!nonce || !expires || !mac || extra !== undefined || !/^\d{1,12}$/.test(expires)) return undefined;
  if (Number(expires) * 1000 < Date.now()) return undefined;
  if (!safeEqual(mac, macOf(app, userId, nonce, expires))) return undefined;
  return `${userId}:${nonce}`;
}
