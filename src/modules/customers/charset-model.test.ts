import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CHARSET_SAMPLE_BYTES, detectCharset, scoreCodePages } from './charset-model.js';

// Customer files as Excel and other tools write them; the byte fixtures are made with iconv-lite,
// whose tables are checked against the code pages' own bytes first.
const czechCsv = [
  'Číslo zákazníka;Jméno;Město;E-mail',
  'cz-1;Příliš žluťoučký kůň;Ústí nad Labem;kun@example.cz',
  'cz-2;Šťastná Žaneta;České Budějovice;zaneta@example.cz',
  'cz-3;Jiří Dvořák;Plzeň;jiri.dvorak@example.cz',
  'cz-4;Růžena Ťoupalová;Ďáblice;;',
  '',
].join('\r\n');
const arabicCsv = [
  'رقم العميل,الاسم,المدينة,البريد الإلكتروني',
  'sa-1,محمد العتيبي,الرياض,mohammed@example.sa',
  'sa-2,فاطمة الزهراء,جدة,fatima@example.sa',
  'sa-3,عبد الله القحطاني,مكة المكرمة,',
  '',
].join('\r\n');
const westernCsv =
  'id;name;city\r\n1;Jürgen Groß;München\r\n2;François Lefèvre;Besançon\r\n3;José Muñoz;Córdoba\r\n';

const encode = (text: string, encoding: string) => new Uint8Array(iconv.encode(text, encoding));
const bytes = (...values: number[]) => new Uint8Array(values);
/** What the import reads: the sample decoded in the detected encoding (a BOM dropped). */
const readBack = (sample: Uint8Array) => new TextDecoder(detectCharset(sample).encoding).decode(sample);

describe('the fixtures', () => {
  it('are the code pages’ own bytes', () => {
    // š ť ž: 0x9A 0x9D 0x9E in Windows-1250, 0xB9 0xBB 0xBE in ISO-8859-2; م ح د in Windows-1256.
    expect(encode('šťžŠŤŽ', 'windows-1250')).toEqual(bytes(0x9a, 0x9d, 0x9e, 0x8a, 0x8d, 0x8e));
    expect(encode('šťžŠŤŽ', 'iso-8859-2')).toEqual(bytes(0xb9, 0xbb, 0xbe, 0xa9, 0xab, 0xae));
    expect(encode('řůě', 'windows-1250')).toEqual(bytes(0xf8, 0xf9, 0xec));
    expect(encode('محمد', 'windows-1256')).toEqual(bytes(0xe3, 0xcd, 0xe3, 0xcf));
    expect(encode('Ž', 'utf-16le')).toEqual(bytes(0x7d, 0x01));
    expect(encode('Ž', 'utf-16be')).toEqual(bytes(0x01, 0x7d));
  });
});

describe('detectCharset', () => {
  it('tells Windows-1256 Arabic, which a Latin code page would read as accented letters', () => {
    const file = encode(arabicCsv, 'windows-1256');
    expect(detectCharset(file)).toEqual({ encoding: 'windows-1256', by: 'letters' });
    expect(readBack(file)).toBe(arabicCsv);
    // The reading the import page used to pick: "ÇáŃíÇÖ" for الرياض.
    expect(new TextDecoder('windows-1250').decode(encode('الرياض', 'windows-1256'))).toBe('ÇáŃíÇÖ');
    const [best, second] = scoreCodePages(file);
    expect(best!.encoding).toBe('windows-1256');
    expect(best!.score).toBeGreaterThan(0);
    expect(second!.score).toBeLessThan(0);
  });

  it('tells Windows-1250 Czech from ISO-8859-2 Czech by the bytes where they differ', () => {
    const cp1250 = encode(czechCsv, 'windows-1250');
    expect(detectCharset(cp1250)).toEqual({ encoding: 'windows-1250', by: 'letters' });
    expect(readBack(cp1250)).toBe(czechCsv);
    const latin2 = encode(czechCsv, 'iso-8859-2');
    expect(detectCharset(latin2)).toEqual({ encoding: 'iso-8859-2', by: 'letters' });
    expect(readBack(latin2)).toBe(czechCsv);
  });

  it('reads Czech without the bytes where they differ as Windows-1250: the same text either way', () => {
    const text = 'cz-9;Lucie Veselá;Hradec Králové\r\n';
    const file = encode(text, 'iso-8859-2');
    expect(file).toEqual(encode(text, 'windows-1250'));
    expect(detectCharset(file)).toEqual({ encoding: 'windows-1250', by: 'letters' });
    expect(readBack(file)).toBe(text);
  });

  it('keeps every Czech letter, small and capital, also in words of accented letters only', () => {
    const text = 'cz-5;Ďábelský Ťoupal;áčďéěíňóřšťúůýž ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ;Plzeň\r\n';
    for (const encoding of ['windows-1250', 'iso-8859-2'] as const) {
      const file = encode(text, encoding);
      expect(detectCharset(file), encoding).toEqual({ encoding, by: 'letters' });
      expect(readBack(file)).toBe(text);
    }
  });

  it('tells Windows-1252 Western European names', () => {
    const file = encode(westernCsv, 'windows-1252');
    expect(detectCharset(file)).toEqual({ encoding: 'windows-1252', by: 'letters' });
    expect(readBack(file)).toBe(westernCsv);
  });

  it('reads every single Czech and Arabic customer line right on its own', () => {
    const lines = [
      ...czechCsv.split('\r\n').map((line) => [line, 'windows-1250'] as const),
      ...czechCsv.split('\r\n').map((line) => [line, 'iso-8859-2'] as const),
      ...arabicCsv.split('\r\n').map((line) => [line, 'windows-1256'] as const),
      ['x-1;Petr Dvořák', 'windows-1250'],
      ['a-1,محمد', 'windows-1256'],
      ['a-2,عمّان', 'windows-1256'],
    ] as const;
    for (const [line, encoding] of lines) {
      if (!/[^\x20-\x7e]/.test(line)) continue;
      const file = encode(line, encoding);
      expect(readBack(file), `${encoding}: ${line}`).toBe(line);
      expect(detectCharset(file).by, `${encoding}: ${line}`).toBe('letters');
    }
  });

  it('takes a byte-order mark at its word: UTF-8, UTF-16LE, UTF-16BE', () => {
    const utf8 = new Uint8Array([0xef, 0xbb, 0xbf, ...encode(czechCsv, 'utf-8')]);
    expect(detectCharset(utf8)).toEqual({ encoding: 'utf-8', by: 'bom' });
    expect(readBack(utf8)).toBe(czechCsv);
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const file = new Uint8Array([...encode('\ufeff', encoding), ...encode(arabicCsv, encoding)]);
      expect(detectCharset(file)).toEqual({ encoding, by: 'bom' });
      expect(readBack(file)).toBe(arabicCsv);
    }
  });

  it('tells UTF-16LE and UTF-16BE without a BOM by their NULs', () => {
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      for (const text of [czechCsv, arabicCsv]) {
        const file = encode(text, encoding);
        expect(detectCharset(file), `${encoding}: ${text.slice(0, 12)}`).toEqual({ encoding, by: 'utf-16' });
        expect(readBack(file)).toBe(text);
      }
    }
  });

  it('takes valid UTF-8 without a BOM as UTF-8, also when the sample ends inside a character', () => {
    for (const text of [czechCsv, arabicCsv, 'externalId,name\nx-1,Emily Carter\n']) {
      expect(detectCharset(encode(text, 'utf-8'))).toEqual({ encoding: 'utf-8', by: 'utf-8' });
    }
    const rows = 'cz-1;Šťastná Žaneta;Ústí nad Labem\r\n'.repeat(1000);
    const long = encode(
      rows + 'x'.repeat(CHARSET_SAMPLE_BYTES - encode(rows, 'utf-8').length - 1) + 'Ž',
      'utf-8',
    );
    const sample = long.subarray(0, CHARSET_SAMPLE_BYTES);
    expect(sample.at(-1)).toBe(0xc5); // the first of Ž's two bytes
    expect(detectCharset(sample)).toEqual({ encoding: 'utf-8', by: 'utf-8' });
    // The same cut is an error when the sample is the whole file.
    expect(detectCharset(sample, true).encoding).not.toBe('utf-8');
  });

  it('recognises nothing in binary files or bytes no candidate reads as words', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48);
    expect(detectCharset(png).by).toBe('none');
    expect(detectCharset(bytes(0x50, 0x4b, 0x03, 0x04, 0, 0, 0x01)).by).toBe('none');
    // Unassigned in Windows-1250 and -1252, controls in ISO-8859-2, Urdu letters inside a Latin word in -1256.
    const garbled = new Uint8Array([...encode('x-1;Dvo', 'ascii'), 0x81, 0x90, ...encode('k\r\n', 'ascii')]);
    expect(detectCharset(garbled).by).toBe('none');
    // Code pages that are not candidates: refused rather than imported garbled.
    const russian = 'id,имя,город\r\n1,Иван Петров,Москва\r\n2,Мария Иванова,Санкт-Петербург\r\n';
    expect(detectCharset(encode(russian, 'windows-1251')).by).toBe('none');
    expect(
      detectCharset(encode('id,όνομα,πόλη\r\n1,Γιώργος Παπαδόπουλος,Αθήνα\r\n', 'windows-1253')).by,
    ).toBe('none');
  });
});
