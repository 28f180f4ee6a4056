/**
 * The API document names each shared schema once. Fastify inlines every route's schemas; a schema
 * that carries a `title` (TypeBox: `Type.Object({…}, { title: 'ErrorBody' })`) is moved to
 * `components.schemas[title]` and every place it appeared gets a `$ref` instead. A place whose
 * shape differs from the first one under that title (a description added where it is used) stays
 * written out there: a `$ref` would describe it wrongly.
 */

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A stable text of a schema for comparison: keys sorted, so order never makes two shapes differ. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function shareTitledSchemas<T>(document: T): T {
  const doc = document as Record<string, Json>;
  const components = (isObject(doc.components) ? doc.components : (doc.components = {})) as Record<
    string,
    Json
  >;
  const schemas = (isObject(components.schemas) ? components.schemas : (components.schemas = {})) as Record<
    string,
    Json
  >;
  const seen = new Map<string, string>();

  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const inner: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) inner[key] = visit(value);
    const title = inner.title;
    // Only schemas: a `title` beside `type`, `properties`, `anyOf` … (never an info object's title).
    if (typeof title !== 'string' || !('type' in inner || 'anyOf' in inner || 'oneOf' in inner)) return inner;
    const shape = canonical(inner);
    const known = seen.get(title);
    if (known === undefined) {
      seen.set(title, shape);
      schemas[title] = inner;
    } else if (known !== shape) {
      return inner;
    }
    return { $ref: `#/components/schemas/${encodeURIComponent(title)}` };
  };

  if (isObject(doc.paths)) doc.paths = visit(doc.paths);
  return document;
}
