import { describe, expect, it } from 'vitest';
import {
  countSegments,
  estimateSms,
  formatMicros,
  parseSmsPrices,
  segmentPrice,
  splitSegments,
} from './sms-segments.js';

const repeat = (s: string, n: number) => s.repeat(n);

describe('SMS segment counting', () => {
  it.each([
    ['empty', '', 'gsm7', 0, 0],
    ['plain English', 'Your data was affected. Code K7QF-2M9X-D4TA', 'gsm7', 43, 1],
    ['160 GSM-7 characters: one segment', repeat('a', 160), 'gsm7', 160, 1],
    ['161 GSM-7 characters: two parts of 153', repeat('a', 161), 'gsm7', 161, 2],
    ['306 GSM-7 characters: two parts', repeat('a', 306), 'gsm7', 306, 2],
    ['307 GSM-7 characters: three parts', repeat('a', 307), 'gsm7', 307, 3],
    ['extension characters count two', '€[]{}', 'gsm7', 10, 1],
    ['80 euro signs are 160 septets', repeat('€', 80), 'gsm7', 160, 1],
    ['81 euro signs: an escape pair is never split (152 + 10)', repeat('€', 81), 'gsm7', 162, 2],
    ['GSM-7 accents (é, ä, ñ, Ü) stay GSM-7', 'Café Müller señor Ü', 'gsm7', 19, 1],
    ['Czech diacritics force UCS-2', 'Vaše údaje byly zasaženy. Řekněte nám.', 'ucs2', 38, 1],
    ['one č makes the whole message UCS-2', repeat('a', 69) + 'č', 'ucs2', 70, 1],
    ['71 UCS-2 units: two parts of 67', repeat('ě', 71), 'ucs2', 71, 2],
    ['134 UCS-2 units: two parts', repeat('ř', 134), 'ucs2', 134, 2],
    ['135 UCS-2 units: three parts', repeat('ř', 135), 'ucs2', 135, 3],
    ['Arabic is UCS-2', 'تأثرت بياناتك. رمز التحقق', 'ucs2', 25, 1],
    ['Arabic, 70 letters: one segment', repeat('ب', 70), 'ucs2', 70, 1],
    ['Arabic, 71 letters: two segments', repeat('ب', 71), 'ucs2', 71, 2],
    ['a surrogate pair counts two', '🔒 ok', 'ucs2', 5, 1],
    ['35 emoji are 70 units: one segment', repeat('🔒', 35), 'ucs2', 70, 1],
    ['34 emoji after a letter: a pair is never split (66 + 5)', 'a' + repeat('🔒', 35), 'ucs2', 71, 2],
  ])('%s', (_name, text, encoding, units, segments) => {
    const counted = countSegments(text);
    expect(counted.encoding).toBe(encoding);
    expect(counted.units).toBe(units);
    expect(counted.segments).toBe(segments);
  });
});

describe('SMS segment boundaries', () => {
  const CODE = 'K7QF-2M9X-D4TA';
  const URL = 'https://knihy.example/verify?n=4f2a';

  it('moves the boundary before a verification code that would straddle it (GSM-7)', () => {
    // 148 letters and a space: the code would start at 150 and run past 153.
    const text = `${repeat('a', 148)} ${CODE} and more text after it.`;
    const parts = splitSegments(text);
    expect(parts).toEqual([`${repeat('a', 148)} `, `${CODE} and more text after it.`]);
    expect(parts.join('')).toBe(text);
    expect(countSegments(text).segments).toBe(2);
  });

  it('moves the boundary before a code in Czech (UCS-2, 67 units a part)', () => {
    const text = `${repeat('ř', 60)} kód ${CODE}, zadejte ho na webu: ${repeat('é', 40)}`;
    const parts = splitSegments(text);
    expect(parts.some((part) => part.includes(CODE))).toBe(true);
    expect(parts[1]!.startsWith(CODE)).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('moves the boundary before a link, which is never cut', () => {
    const text = `${repeat('b', 140)} ${URL} then the rest of the message.`;
    const parts = splitSegments(text);
    expect(parts[0]).toBe(`${repeat('b', 140)} `);
    expect(parts[1]!.startsWith(URL)).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('keeps a link ending a sentence whole without its full stop', () => {
    const text = `${repeat('c', 130)} See ${URL}. ${repeat('d', 40)}`;
    const parts = splitSegments(text);
    expect(parts.filter((part) => part.includes(URL))).toHaveLength(1);
  });

  it('splits greedily where no code or link is in the way', () => {
    expect(splitSegments(repeat('a', 307)).map((p) => p.length)).toEqual([153, 153, 1]);
    expect(splitSegments('short')).toEqual(['short']);
    expect(splitSegments('')).toEqual([]);
  });

  it('puts every code whole into one part wherever it falls', () => {
    for (let before = 100; before < 320; before++) {
      const text = `${repeat('x', before)} ${CODE} ${repeat('y', 30)}`;
      const parts = splitSegments(text);
      expect(parts.join('')).toBe(text);
      expect(parts.filter((part) => part.includes(CODE))).toHaveLength(1);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(parts.length === 1 ? 160 : 153);
      expect(countSegments(text).segments).toBe(parts.length);
    }
  });
});

describe('SMS cost estimate', () => {
  const pricing = parseSmsPrices('default=0.075, +420=0.042, +4207=0.05, +966=0.061', 'EUR');

  it('prices by the longest matching country prefix, else the default', () => {
    expect(segmentPrice(pricing, '+420601234567')).toBe(42_000);
    expect(segmentPrice(pricing, '+420701234567')).toBe(50_000);
    expect(segmentPrice(pricing, '+966501234567')).toBe(61_000);
    expect(segmentPrice(pricing, '+14155550100')).toBe(75_000);
    expect(segmentPrice(parseSmsPrices('+420=0.04', 'CZK'), '+14155550100')).toBeUndefined();
  });

  it('sums segments times price per segment for a mixed audience', () => {
    const estimate = estimateSms(
      [
        { to: '+447700900123', body: repeat('a', 161) }, // 2 × 0.075
        { to: '+420601234567', body: 'Vaše údaje byly zasaženy.' }, // 1 × 0.042
        { to: '+966501234567', body: repeat('ب', 71) }, // 2 × 0.061
      ],
      pricing,
    );
    expect(estimate).toEqual({
      currency: 'EUR',
      messages: 3,
      segments: 5,
      ucs2: 2,
      costMicros: 314_000,
      cost: '0.314',
      unpriced: 0,
    });
  });

  it('counts the numbers no price covers apart', () => {
    const estimate = estimateSms([{ to: '+14155550100', body: 'hi' }], parseSmsPrices('+420=1.5', 'CZK'));
    expect(estimate).toMatchObject({ messages: 1, segments: 1, costMicros: 0, unpriced: 1, cost: '0.00' });
  });

  it('formats micro-units exactly', () => {
    expect(formatMicros(0)).toBe('0.00');
    expect(formatMicros(1_500_000)).toBe('1.50');
    expect(formatMicros(314_000)).toBe('0.314');
    expect(formatMicros(123_456_789)).toBe('123.456789');
  });

  it('refuses a malformed price list, naming the entry', () => {
    expect(() => parseSmsPrices('+420=abc', 'EUR')).toThrow('"+420=abc" is not PREFIX=PRICE');
    expect(() => parseSmsPrices('420=0.04', 'EUR')).toThrow('"420=0.04"');
    expect(() => parseSmsPrices('default=0.04', 'euro')).toThrow('"euro" is not an ISO 4217');
  });
});
