import { Type } from 'typebox';
import { AppError } from '../errors.js';

/**
 * Keyset paging of a newest-first list: `limit` (1 to 500; a query string is text, so its number is
 * checked by a pattern) and the (time, id) of the last row of the previous page, both or neither.
 */
export const PageQuery = {
  limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
  /** The time of the last row of the previous page (with beforeId). */
  beforeAt: Type.Optional(Type.String({ format: 'date-time' })),
  beforeId: Type.Optional(Type.String({ format: 'uuid' })),
};

export interface Page {
  limit: number;
  before: { at: Date; id: string } | undefined;
}

/** The page a query asks for; a cursor with one half missing is refused naming the missing half. */
export function pageOf(query: { limit?: string; beforeAt?: string; beforeId?: string }, limit = 100): Page {
  if ((query.beforeAt === undefined) !== (query.beforeId === undefined)) {
    throw new AppError('validation_failed', {
      field: query.beforeAt === undefined ? 'beforeAt' : 'beforeId',
    });
  }
  return {
    limit: Number(query.limit ?? limit),
    before:
      query.beforeAt && query.beforeId ? { at: new Date(query.beforeAt), id: query.beforeId } : undefined,
  };
}
