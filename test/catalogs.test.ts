import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { catalogs, LOCALES } from '../src/platform/i18n.js';
import { projectRoot } from '../src/platform/paths.js';

const en = catalogs.en;
const identicalOk = new Set<string>(
  JSON.parse(readFileSync(path.join(projectRoot, 'locales', 'identical-ok.json'), 'utf8')) as string[],
);

function plurals(elements: MessageFormatElement[]): { value: string; options: string[] }[] {
  const found: { value: string; options: string[] }[] = [];
  for (const el of elements) {
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      if (el.type === TYPE.plural && el.pluralType !== 'ordinal')
        found.push({ value: el.value, options: Object.keys(el.options) });
      for (const option of Object.values(el.options)) found.push(...plurals(option.value));
    } else if (el.type === TYPE.tag) {
      found.push(...plurals(el.children));
    }
  }
  return found;
}

describe('message catalogs', () => {
  it('have the same keys in en, cs and ar', () => {
    const keys = Object.keys(en).sort();
    for (const locale of LOCALES) expect(Object.keys(catalogs[locale]).sort(), locale).toEqual(keys);
  });

  it.each(LOCALES)(
    'every %s message parses and every plural has all of the language’s categories',
    (locale) => {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [key, message] of Object.entries(catalogs[locale])) {
        let ast: MessageFormatElement[] = [];
        expect(() => (ast = parse(message)), `${locale} ${key}`).not.toThrow();
        for (const plural of plurals(ast)) {
          for (const category of categories) {
            expect(plural.options, `${locale} ${key}: {${plural.value}} lacks "${category}"`).toContain(
              category,
            );
          }
        }
      }
    },
  );

  it('flags a cs or ar message identical to English unless listed as intended', () => {
    const identical = LOCALES.filter((l) => l !== 'en').flatMap((locale) =>
      Object.keys(en)
        .filter((key) => catalogs[locale][key] === en[key] && !identicalOk.has(key))
        .map((key) => `${locale}:${key}`),
    );
    expect(identical).toEqual([]);
  });
});

// Arabic pages mirror by themselves only when styles use logical properties.
const PHYSICAL =
  /(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|text-align\s*:\s*(left|right)|float\s*:\s*(left|right)|(?<![-\w])border-(top|bottom)-(left|right)-radius/;

function cssFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : cssFiles(file);
    return /\.css$/.test(name) ? [file] : [];
  });
}

describe('styles', () => {
  it('use logical CSS properties only', () => {
    const offenders = cssFiles(path.join(projectRoot, 'web')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, where: `${path.relative(projectRoot, file)}:${i + 1}` }))
        .filter(({ line }) => PHYSICAL.test(line))
        .map(({ where, line }) => `${where} ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
