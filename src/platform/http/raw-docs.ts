import type { SwaggerTransform } from '@fastify/swagger';

/**
 * What the API document says of a body or an answer a route reads or writes raw (a CSV file, a
 * mail message, a form, a PDF, a stream): Fastify validates and serializes JSON only, so these are
 * described for the document alone (`config.swaggerTransform`) and the route's own code checks them.
 */
export function documentRaw(raw: {
  body?: { contentTypes: readonly string[]; description: string };
  ok?: { status?: number; contentTypes: readonly string[]; description: string };
}): SwaggerTransform {
  return ({ schema, url }) => {
    const next: Record<string, unknown> = { ...(schema ?? {}) };
    if (raw.body) {
      next.body = { type: 'string', description: raw.body.description };
      next.consumes = [...raw.body.contentTypes];
    }
    if (raw.ok) {
      const media = { schema: { type: 'string', description: raw.ok.description } };
      next.response = {
        ...(next.response as Record<string, unknown> | undefined),
        [String(raw.ok.status ?? 200)]: {
          description: raw.ok.description,
          content: Object.fromEntries(raw.ok.contentTypes.map((type) => [type, media])),
        },
      };
    }
    return { schema: next, url };
  };
}
