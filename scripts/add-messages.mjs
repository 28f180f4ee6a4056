#!/usr/bin/env node
// Adds or replaces messages in the three catalogs at once, keeping each file's key order and
// appending new keys at the end. Usage: node scripts/add-messages.mjs FILE.json
// where FILE.json is { "key": { "en": "…", "cs": "…", "ar": "…" }, … }.
// Several engineers may run it at the same time: a lock file serializes the writes.
import { openSync, closeSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'locales');
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const lock = path.join(dir, '.lock');
for (let i = 0; ; i++) {
  try {
    closeSync(openSync(lock, 'wx'));
    break;
  } catch {
    if (i > 200) throw new Error(`locales are locked: remove ${lock} if no one is writing`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
try {
  for (const locale of ['en', 'cs', 'ar']) {
    const file = path.join(dir, `${locale}.json`);
    const catalog = JSON.parse(readFileSync(file, 'utf8'));
    for (const [key, values] of Object.entries(input)) {
      if (typeof values[locale] !== 'string') throw new Error(`${key} has no ${locale} text`);
      catalog[key] = values[locale];
    }
    writeFileSync(file, `${JSON.stringify(catalog, null, 2)}\n`);
  }
} finally {
  unlinkSync(lock);
}
console.log(`added ${Object.keys(input).length} messages to en, cs and ar`);
