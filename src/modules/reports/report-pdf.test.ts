import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../test/agent.js';
import { createTestApp, rebuildApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { AppError } from '../../platform/errors.js';
import { createPdfRenderer } from './report-pdf.js';

// Needs Debian's chromium and poppler-utils (pdftotext, pdffonts, pdfinfo); runs once, on the embedded engine.
const t = await createTestApp();
const org = await createOrganization(t, { name: 'Příklad s.r.o.' });
const legal = await createUser(t, org, ['legal'], { totp: false });
const agent = await sessionFor(t, legal);
const work = mkdtempSync(path.join(tmpdir(), 'candor-pdf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CZECH = 'Příliš žluťoučký kůň úpěl ďábelské ódy; řeřicha, čeřen.';
const ARABIC = 'تمكن المهاجم من الوصول إلى قاعدة بيانات العملاء باستخدام بيانات اعتماد مسروقة';

let files = 0;
function saved(pdf: Buffer): string {
  const file = path.join(work, `${files++}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

const poppler = (tool: string, ...args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
const text = (file: string, page?: number) =>
  poppler('pdftotext', '-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-');
const pages = (file: string) => Number(/^Pages:\s+(\d+)/m.exec(poppler('pdfinfo', file))![1]);

/** pdffonts' table: name, type, encoding, emb, sub, uni, object, generation. */
function fonts(file: string): { name: string; embedded: boolean }[] {
  return poppler('pdffonts', file)
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((line) => {
      const m = /^(\S+)\s+.+?\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line);
      if (!m) throw new Error(`unexpected pdffonts line: ${line}`);
      return { name: m[1]!, embedded: m[2] === 'yes' };
    });
}

// A4 with 18 mm side margins, in points.
const LEFT_EDGE = (18 / 25.4) * 72;
const RIGHT_EDGE = (210 / 25.4) * 72 - LEFT_EDGE;

/** How many text lines of page 1 begin at the left margin, and how many end at the right one. */
function alignment(file: string): { left: number; right: number } {
  const lines = [
    ...poppler('pdftotext', '-bbox-layout', '-f', '1', '-l', '1', file, '-').matchAll(
      /<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"/g,
    ),
  ].map((m) => ({ xMin: Number(m[1]), xMax: Number(m[2]) }));
  return {
    left: lines.filter((l) => Math.abs(l.xMin - LEFT_EDGE) < 1).length,
    right: lines.filter((l) => Math.abs(l.xMax - RIGHT_EDGE) < 1).length,
  };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');
/**
 * Arabic as pdftotext gives it back: in logical order, but with a space wherever
 * Chromium split a word into glyph runs, bidi marks around runs, and vowel marks
 * placed before their letter. Letters only, then, compared in order.
 */
const arabicLetters = (s: string) =>
  s.normalize('NFKC').replace(/[\s\u064b-\u065f\u0670\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');

async function pdfOf(options: { locale: 'cs' | 'ar'; nature: string; isExercise?: boolean }) {
  const { id } = await createIncident(t, org, {
    title: 'Únik zákaznické databáze',
    type: 'data_breach',
    severity: 'SEV1',
    isExercise: options.isExercise ?? false,
    dataCategories: ['contact_details'],
    jurisdictions: [{ code: 'CZ', estimatedAffected: 1200 }],
  });
  const created = await agent.post(`/api/incidents/${id}/reports`, {
    kind: 'gdpr_art33',
    locale: options.locale,
  });
  expect(created.statusCode, created.body).toBe(201);
  const report = created.json<{ id: string }>();
  await agent.patch(`/api/reports/${report.id}`, { fields: { nature: options.nature } });
  const exported = await agent.post(`/api/reports/${report.id}/exports`, { format: 'pdf' });
  expect(exported.statusCode, exported.body).toBe(201);
  const version = exported.json<{ id: string; sha256: string; filename: string; locale: string }>();
  const download = await agent.get(`/api/report-versions/${version.id}`);
  expect(download.statusCode).toBe(200);
  expect(download.headers['content-type']).toBe('application/pdf');
  expect(download.headers['content-disposition']).toBe(`attachment; filename="${version.filename}"`);
  const pdf = download.rawPayload;
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(createHash('sha256').update(pdf).digest('hex')).toBe(version.sha256);
  return { file: saved(pdf), version, reportId: report.id };
}

/** Chromium processes started by this process (Playwright spawns the browser as its child). */
function browsers(): number {
  const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((name) => /chrom/i.test(name)).length;
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(check(), what).toBe(true);
}

describe('regulator report PDFs', () => {
  it('exports the Art. 33 report in Czech: the diacritics are text, the fonts are embedded', async () => {
    const { file, version } = await pdfOf({ locale: 'cs', nature: CZECH });
    expect(version.locale).toBe('cs');
    const content = oneLine(text(file));
    expect(content).toContain('Oznámení porušení zabezpečení osobních údajů dozorovému úřadu');
    expect(content).toContain('Nařízení (EU) 2016/679 (GDPR), čl. 33 odst. 3');
    expect(content).toContain(CZECH);
    expect(content).toMatch(/č/);
    expect(content).toMatch(/ř/);
    expect(content).not.toContain('CVIČENÍ');
    const lines = alignment(file);
    expect(lines.left).toBeGreaterThan(10);
    expect(lines.right).toBeLessThan(lines.left / 3);
    const used = fonts(file);
    expect(used.length).toBeGreaterThan(0);
    for (const font of used) {
      expect(font.embedded, font.name).toBe(true);
      // The shipped Noto fonts only: no system font slipped in.
      expect(font.name).toMatch(/^[A-Z]{6}\+NotoSans(Arabic)?-(Regular|Bold)$/);
    }
    expect(used.map((f) => f.name.split('+')[1])).toEqual(
      expect.arrayContaining(['NotoSans-Regular', 'NotoSans-Bold']),
    );
  });

  it('exports the Arabic PDF right to left, its text in logical order, Noto Sans Arabic embedded', async () => {
    const { file } = await pdfOf({ locale: 'ar', nature: ARABIC });
    // Right to left: headings, labels and Arabic text start at the right margin.
    const lines = alignment(file);
    expect(lines.right).toBeGreaterThan(10);
    expect(lines.left).toBeLessThan(lines.right / 3);
    const letters = arabicLetters(text(file));
    for (const expected of [
      ARABIC,
      'إخطار السلطة الرقابية بانتهاك البيانات الشخصية',
      'طبيعة انتهاك البيانات الشخصية',
    ]) {
      expect(letters).toContain(arabicLetters(expected));
      // Visual order would read each word backwards.
      expect(letters).not.toContain([...arabicLetters(expected)].reverse().join(''));
    }
    const used = fonts(file);
    for (const font of used) expect(font.embedded, font.name).toBe(true);
    expect(used.map((f) => f.name.split('+')[1])).toEqual(
      expect.arrayContaining(['NotoSansArabic-Regular', 'NotoSansArabic-Bold']),
    );
  });

  it("stamps every page of an exercise report's PDF EXERCISE, in Czech and in Arabic", async () => {
    const long = `${CZECH}\n`.repeat(150);
    const cs = await pdfOf({ locale: 'cs', nature: long, isExercise: true });
    expect(cs.version.filename).toMatch(/-exercise\.pdf$/);
    expect(pages(cs.file)).toBeGreaterThanOrEqual(3);
    for (let page = 1; page <= pages(cs.file); page++) {
      expect(text(cs.file, page), `page ${page}`).toContain('CVIČENÍ');
      // The page counter of the bottom margin: pdftotext may drop its thin spaces.
      expect(text(cs.file, page).replace(/\s/g, ''), `page ${page}`).toContain(`${page}/${pages(cs.file)}`);
    }
    const ar = await pdfOf({ locale: 'ar', nature: `${ARABIC}\n`.repeat(150), isExercise: true });
    expect(pages(ar.file)).toBeGreaterThanOrEqual(2);
    for (let page = 1; page <= pages(ar.file); page++) {
      expect(arabicLetters(text(ar.file, page)), `page ${page}`).toContain('تمرين');
    }
  });

  it('prints concurrent exports in one Chromium, started on the first PDF and closed with the app', async () => {
    const before = browsers();
    const app = await rebuildApp(t);
    await app.ready();
    const { id } = await createIncident(t, org);
    const session = await sessionFor(t, legal);
    const other = new Agent(app);
    for (const [k, v] of session.cookies) other.cookies.set(k, v);
    other.csrfToken = session.csrfToken;
    const report = (await other.post(`/api/incidents/${id}/reports`, { kind: 'nis2_early_warning' })).json<{
      id: string;
    }>();
    expect(browsers(), 'no Chromium before the first PDF').toBe(before);
    const exports = await Promise.all(
      [1, 2, 3].map(() => other.post(`/api/reports/${report.id}/exports`, { format: 'pdf' })),
    );
    expect(exports.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(exports.map((r) => r.json<{ number: number }>().number).sort()).toEqual([1, 2, 3]);
    expect(browsers(), 'one Chromium for the three').toBe(before + 1);
    await app.close();
    await until(() => browsers() === before, 'Chromium closed with the app');
  });

  it('refuses to print once closed', async () => {
    const renderer = createPdfRenderer({ chromiumPath: undefined, logger: t.app.deps.logger });
    expect((await renderer.render('<!DOCTYPE html><p>ok</p>')).subarray(0, 5).toString()).toBe('%PDF-');
    await renderer.close();
    await expect(renderer.render('<p>late</p>')).rejects.toThrow(AppError);
  });
});
