import { describe, expect, it } from 'vitest';
import { SEALED_COLUMNS } from './sealed-columns.js';

describe('the list of sealed columns', () => {
  it('names each table once: a table listed twice is re-encrypted twice and counted twice by keys status', () => {
    const tables = SEALED_COLUMNS.map((entry) => entry.table);
    expect(tables.filter((table, i) => tables.indexOf(table) !== i)).toEqual([]);
    expect(tables.length).toBeGreaterThanOrEqual(8);
  });
});
