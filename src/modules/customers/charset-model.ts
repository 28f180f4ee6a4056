/**
 * Which encoding a customer file is in, told from its first bytes. One detector for the import page
 * (it reads the head of the file in the browser) and the importer (the API and the CLI), so both
 * read a file the same way: TextDecoder only, nothing of Node.
 */
import type { ImportEncoding } from './customer-model.js';

/** How much of the start of a file the detector reads. */
export const CHARSET_SAMPLE_BYTES = 64 * 1024;

/**
 * The single-byte code pages a file may be in without a BOM when it is not UTF-8. When readings are
 * equally plausible (a few accented letters that several languages have) the first wins: Czech
 * Excel's Windows-1250.
 */
export const CODE_PAGES = [
  'windows-1250',
  'iso-8859-2',
  'windows-1252',
  'windows-1256',
] as const satisfies readonly ImportEncoding[];
export type CodePage = (typeof CODE_PAGES)[number];

export interface Charset {
  encoding: ImportEncoding;
  /**
   * How it was told: a byte-order mark, bytes that are valid UTF-8, the NULs of UTF-16, the letters
   * a code page makes of the bytes, or `none`: no reading gives plausible text (binary, NULs, or a
   * code page not among the candidates), and `encoding` is only the least bad reading.
   */
  by: 'bom' | 'utf-8' | 'utf-16' | 'letters' | 'none';
}

/**
 * The encoding of a file from its first bytes: BOM, then valid UTF-8, then UTF-16 by its NULs, then
 * the likeliest code page. `whole`: the sample is the whole file, so a character it ends inside is
 * an error, not the cut (by default a sample shorter than CHARSET_SAMPLE_BYTES is taken as whole).
 */
export function detectCharset(sample: Uint8Array, whole = sample.length < CHARSET_SAMPLE_BYTES): Charset {
  const bom = byteOrderMark(sample);
  if (bom) return { encoding: bom, by: 'bom' };
  const nul = sample.includes(0);
  if (!nul && isUtf8(sample, whole)) return { encoding: 'utf-8', by: 'utf-8' };
  const utf16 = nul ? utf16ByNuls(sample) : undefined;
  if (utf16) return { encoding: utf16, by: 'utf-16' };
  const [best] = scoreCodePages(sample);
  return { encoding: best!.encoding, by: best!.score >= 0 && !nul ? 'letters' : 'none' };
}

export function byteOrderMark(bytes: Uint8Array): ImportEncoding | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

function isUtf8(bytes: Uint8Array, whole: boolean): boolean {
  try {
    // `stream`: a sequence cut off by the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}

/**
 * UTF-16 without a BOM: ASCII (the delimiters, digits, line ends of any CSV) has a NUL high byte,
 * on the odd bytes in little-endian and the even ones in big-endian, hardly ever on both.
 */
function utf16ByNuls(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const length = bytes.length - (bytes.length % 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = length / 2;
  const [nuls, others, encoding] =
    odd >= even ? [odd, even, 'utf-16le' as const] : [even, odd, 'utf-16be' as const];
  if (pairs === 0 || nuls < pairs / 10 || others > nuls / 20) return undefined;
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
  } catch {
    return undefined;
  }
  return controls(text) <= text.length / 100 ? encoding : undefined;
}

/** C0 controls but tab and line ends, DEL and C1 controls: a few in a text file, or none. */
function controls(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code < 0xa0))
      n++;
  }
  return n;
}

/* ---------- the code pages, scored by the letters they make of the bytes ---------- */

/*
 * The non-ASCII letters of the languages each code page was made for (lower case). A reading is
 * scored against the one language that fits its letters best: Czech read as Windows-1252 gives
 * letters that exist in Western Europe (ø è ì ò ù ï) but in no one language together.
 */
const CZECH = 'áčďéěíňóřšťúůýž';
const SLOVAK = 'áäčďéíĺľňóôŕšťúýž';
const POLISH = 'ąćęłńóśźż';
const HUNGARIAN = 'áéíóöőúüű';
const CROATIAN_SLOVENE = 'čćđšž';
const ROMANIAN = 'ăâîşţ';
const GERMAN = 'äöüß';
const FRENCH = 'àâæçéèêëîïôœùûüÿ';
const SPANISH = 'áéíñóúü';
const PORTUGUESE = 'áàâãçéêíóôõú';
const ITALIAN = 'àèéìíîòóùú';
const NORDIC = 'åäæöøé';
const ICELANDIC = 'áðéíóúýþæö';

const CENTRAL = [CZECH, SLOVAK, POLISH, HUNGARIAN, CROATIAN_SLOVENE, ROMANIAN, GERMAN];
const LANGUAGES: Record<CodePage, readonly string[]> = {
  'windows-1250': CENTRAL,
  'iso-8859-2': CENTRAL,
  'windows-1252': [GERMAN, FRENCH, SPANISH, PORTUGUESE, ITALIAN, NORDIC, ICELANDIC],
  // Arabic letters count by their script; Windows-1256 also has the French letters.
  'windows-1256': [FRENCH],
};

/** Each code page's reading of the sample, scored (higher is likelier), best first; ties keep CODE_PAGES' order. */
export function scoreCodePages(sample: Uint8Array): { encoding: CodePage; score: number }[] {
  return CODE_PAGES.map((encoding) => ({
    encoding,
    score: readingScore(new TextDecoder(encoding).decode(sample), LANGUAGES[encoding]),
  })).sort((a, b) => b.score - a.score);
}

const WORD = /^[\p{L}\p{M}\u200c\u200d]/u;
/** Words (letters, marks and the Persian joiners) and, one by one, the other non-ASCII characters. */
const WORD_OR_SIGN = /[\p{L}\p{M}\u200c\u200d]+|[\u0080-\uffff]/gu;
const LETTER = /[\p{L}\p{M}]/u;
const MARK = /\p{M}/u;
const NOT_ASCII = /[\u0080-\uffff]/;
/** Signs that do stand between two letters: apostrophes, hyphens and dashes, the middle dot, the soft hyphen. */
const INSIDE_WORDS = /[\u2018\u2019\u2010\u2011\u2013\u2014\u00b7\u00ad]/;
const ARABIC = /\p{Script_Extensions=Arabic}/u;
const LATIN = /\p{Script=Latin}/u;
/** Unassigned in the code page (WHATWG decodes those bytes to C1 controls), controls, or no character. */
const NOT_TEXT = /[\p{Cc}\p{Cn}\p{Co}\ufffd]/u;

/**
 * A reading's plausibility, from what the bytes above 0x7F became (ASCII reads the same in all):
 * + an Arabic letter in a word of Arabic letters only, 1 each;
 * + an accented letter in a plausible Latin word, counted for the language that fits the reading
 *   best: 1 for a letter of that language, 0 for one of another language of the code page, -1 for
 *   a letter none of them has;
 * - a word mixing Arabic and Latin letters (Czech read as Arabic: "Pّيliڑ"), 3 a character;
 * - a Latin word with a capital after a small letter (Arabic read as Czech: "ÇáŃíÇÖ"), 1 a character,
 *   or of three or more accented letters only, 1 a word;
 * - a control, an unassigned byte or a replacement character, 4 each;
 * - a sign between two letters (ISO-8859-2 read as Windows-1250: "ľlu»oučký"), 2 each.
 * Signs elsewhere (€, °, „quotes“) count nothing: they read the same in most of the code pages.
 */
function readingScore(text: string, languages: readonly string[]): number {
  let score = 0;
  const accented = new Map<string, number>();
  for (const match of text.matchAll(WORD_OR_SIGN)) {
    const token = match[0];
    if (WORD.test(token)) {
      if (NOT_ASCII.test(token)) score += wordScore(token, accented);
    } else if (NOT_TEXT.test(token)) score -= 4;
    else if (!INSIDE_WORDS.test(token)) {
      const at = match.index;
      if (LETTER.test(text[at - 1] ?? '') && LETTER.test(text[at + 1] ?? '')) score -= 2;
    }
  }
  if (accented.size === 0) return score;
  const known = languages.join('');
  let fit = -Infinity;
  for (const alphabet of languages) {
    let s = 0;
    for (const [letter, count] of accented) {
      s += alphabet.includes(letter) ? count : known.includes(letter) ? 0 : -count;
    }
    fit = Math.max(fit, s);
  }
  return score + fit;
}

/** A word's score by its script and shape; the accented letters of a plausible Latin word go into `accented`. */
function wordScore(word: string, accented: Map<string, number>): number {
  let ascii = 0;
  let latin = 0;
  let arabic = 0;
  let arabicLetters = 0;
  let joiners = 0;
  let other = 0;
  let camel = false;
  let previousLower = false;
  for (const ch of word) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) ascii++;
    else if (code === 0x200c || code === 0x200d) joiners++;
    else if (ARABIC.test(ch)) {
      arabic++;
      arabicLetters += Number(!MARK.test(ch));
    } else if (LATIN.test(ch)) latin++;
    else other++;
    if (previousLower && ch !== ch.toLowerCase()) camel = true;
    previousLower = ch !== ch.toUpperCase();
  }
  const wide = word.length - ascii;
  if (other || (arabic && ascii + latin) || (joiners && !arabic)) return -3 * wide;
  if (arabic) return arabicLetters;
  if (camel) return -wide;
  // A word of accented letters only is rare (Cyrillic "Иван" read as Czech "Čâŕí"; Arabic "مني",
  // "ăäí"): it counts against, by word rather than by letter; one of one or two letters, nothing
  // (French "à", Arabic "و" read as Polish "ć").
  if (ascii === 0) return latin >= 3 ? -1 : 0;
  for (const ch of word) {
    if (ch.charCodeAt(0) < 0x80) continue;
    const letter = ch.toLowerCase();
    accented.set(letter, (accented.get(letter) ?? 0) + 1);
  }
  return 0;
}
