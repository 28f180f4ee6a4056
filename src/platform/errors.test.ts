import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS } from './errors.js';
import { projectRoot } from './paths.js';

/** Every TypeScript source file under src/ (tests included: they raise errors too). */
function sources(dir = path.join(projectRoot, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const catalogs = ['en', 'cs', 'ar'].map(
  (locale) =>
    [locale, JSON.parse(readFileSync(path.join(projectRoot, 'locales', `${locale}.json`), 'utf8'))] as const,
);

describe('the error model', () => {
  it('every code raised anywhere is in the table, raised by its code alone (the table gives the status)', () => {
    const raised = new Map<string, string[]>();
    const withStatus: string[] = [];
    for (const file of sources()) {
      const text = readFileSync(file, 'utf8');
      const where = path.relative(projectRoot, file);
      for (const m of text.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) {
        raised.set(m[1]!, [...(raised.get(m[1]!) ?? []), where]);
      }
      // A status beside the code would be a second source of truth for it.
      for (const m of text.matchAll(/new AppError\(\s*'([a-z_]+)',\s*\d{3}\b/g))
        withStatus.push(`${where}: ${m[1]}`);
    }
    expect(raised.size).toBeGreaterThan(20);
    const unknown = [...raised.keys()].filter((code) => !(code in ERROR_STATUS));
    expect(
      unknown,
      `codes raised but not in ERROR_STATUS: ${unknown.map((c) => raised.get(c)).join('; ')}`,
    ).toEqual([]);
    expect(withStatus).toEqual([]);
  });

  it('every code has one HTTP status, an error one, and a message in every language', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(new AppError(code as keyof typeof ERROR_STATUS).status).toBe(status);
      for (const [locale, catalog] of catalogs) {
        expect(typeof catalog[`error.${code}`], `${locale} error.${code}`).toBe('string');
      }
    }
  });
});
