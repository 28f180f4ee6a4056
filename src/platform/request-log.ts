import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** The route label of every file of the admin app (and of its shell): one label, not one per hashed file. */
export const STATIC_ROUTE = 'static';

/** Polled every few seconds by orchestrators and Prometheus: at debug, so that info shows people's requests. */
const POLLED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The route pattern a request matched (never its URL: ids, tokens and query strings stay out of logs
 * and metric labels). @fastify/static registers a route per file, marked by `config.file`; a page
 * path of the admin app matches no route and is answered with the app's shell by the not-found
 * handler, whose only other answer is a 404.
 */
export function routeLabel(request: FastifyRequest, status: number): string {
  if (typeof (request.routeOptions.config as { file?: unknown } | undefined)?.file === 'string') {
    return STATIC_ROUTE;
  }
  return request.routeOptions.url ?? (status < 400 && request.method === 'GET' ? STATIC_ROUTE : 'unmatched');
}

export function requestLogLevel(route: string, status: number): 'debug' | 'info' | 'error' {
  if (status >= 500) return 'error';
  if (route === STATIC_ROUTE || POLLED_ROUTES.has(route)) return 'debug';
  return 'info';
}

/**
 * Fastify's request lines, one per request once it is answered instead of two ("incoming request",
 * then "request completed" without the path): method, route pattern, status and duration. Never
 * the query string, headers or body. Fastify's other lines (errors of its own handlers) stay.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const status = reply.statusCode;
    const route = routeLabel(request, status);
    const line = {
      method: request.method,
      route,
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    // request.log, not reply.log: it carries the organization and actor the access layer added.
    if (error) request.log.error({ ...line, err: error }, 'request');
    else request.log[requestLogLevel(route, status)](line, 'request');
  }
}
