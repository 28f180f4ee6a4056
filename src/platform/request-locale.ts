import type { FastifyRequest } from 'fastify';
import { chooseLocale, type Locale } from './i18n.js';

/** The language of a response: the signed-in user's, then the browser's, then the organization's. */
export function requestLocale(request: FastifyRequest): Locale {
  return chooseLocale({
    userLocale: request.auth?.locale,
    acceptLanguage: request.headers['accept-language'],
    organizationLocale: request.auth?.organizationLocale,
  });
}
