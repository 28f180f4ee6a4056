import type { FastifyReply, FastifyRequest } from 'fastify';
import { chooseEncoding, etagOf, notModified, type CachedPage } from '../page-cache.js';

/**
 * A cached page to the client: the encoding it accepts (compressed once, when rendered), its ETag
 * and Last-Modified, and 304 without a body when the client's copy is current.
 */
export function sendCachedPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: CachedPage,
  options: { contentType: string; cacheControl: string },
) {
  const encoding = chooseEncoding(request.headers['accept-encoding']);
  reply
    .header('Content-Type', options.contentType)
    .header('Cache-Control', options.cacheControl)
    .header('Vary', 'Accept-Encoding')
    .header('ETag', etagOf(page, encoding))
    .header('Last-Modified', page.lastModified.toUTCString());
  if (
    page.status === 200 &&
    notModified(page, encoding, request.headers['if-none-match'], request.headers['if-modified-since'])
  ) {
    return reply.status(304).send();
  }
  if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
  const body = encoding === 'br' ? page.br : encoding === 'gzip' ? page.gzip : page.identity;
  return reply.status(page.status).send(body);
}
