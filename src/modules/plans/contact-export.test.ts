import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { contactsCsv } from './contact-export.js';
import type { Contact } from './contact-repo.js';

const contact = (fields: Partial<Contact>): Contact => ({
  id: '00000000-0000-4000-8000-000000000000',
  name: '',
  role: '',
  affiliation: '',
  phone: '',
  channels: [],
  notes: '',
  position: 1,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  ...fields,
});

/** The file as a spreadsheet's CSV reader sees it: BOM stripped, RFC 4180 quoting undone. */
const read = (csv: string): string[][] => parse(csv, { bom: true, record_delimiter: '\r\n' });

describe('the contacts CSV', () => {
  it('starts with a BOM and the localized header, and ends every record with CRLF', () => {
    const csv = contactsCsv([contact({ name: 'Jana' })], 'en');
    expect(
      csv.startsWith('\uFEFFName,Role in the response,Organization,Phone,Other channels,Notes\r\n'),
    ).toBe(true);
    expect(csv.endsWith('Jana,,,,,\r\n')).toBe(true);
  });

  it.each([
    ['=HYPERLINK("http://evil.test","x")'],
    ['+cmd|" /C calc"!A0'],
    ['-2+3'],
    ['@SUM(A1:A2)'],
    ['\t=1+1'],
    ['\r=1+1'],
    ['＝1+1'],
  ])('neutralises a value starting with %j in every column', (value) => {
    const csv = contactsCsv(
      [
        contact({
          name: value,
          role: value,
          affiliation: value,
          phone: value,
          channels: [{ type: 'other', value: 'x' }],
          notes: value,
        }),
      ],
      'en',
    );
    const [, row] = read(csv);
    for (const index of [0, 1, 2, 3, 5]) expect(row![index]).toBe(`'${value}`);
  });

  it('leaves phone numbers as they are', () => {
    const csv = contactsCsv([contact({ phone: '+420 601 234 567', notes: '+1 (555) 010-0199' })], 'en');
    expect(read(csv)[1]).toEqual(['', '', '', '+420 601 234 567', '', '+1 (555) 010-0199']);
    // A plus sign followed by anything but digits and separators is not a phone number.
    expect(read(contactsCsv([contact({ phone: '+420 601 =1' })], 'en'))[1]![3]).toBe("'+420 601 =1");
  });

  it('round-trips quotes, delimiters, line breaks and non-Latin text through csv-parse', () => {
    const values = {
      name: 'Counsel, "external"',
      role: 'line one\nline two',
      affiliation: 'carriage\rreturn',
      phone: 'CRLF\r\ninside',
      notes: 'أحمد الراشد; Dvořák "„quoted“"',
    };
    const csv = contactsCsv(
      [contact({ ...values, channels: [{ type: 'signal', value: '+420 777 000 111' }] })],
      'cs',
    );
    const [header, row, ...rest] = read(csv);
    expect(header).toEqual(['Jméno', 'Role při reakci', 'Organizace', 'Telefon', 'Další kanály', 'Poznámky']);
    expect(row).toEqual([
      values.name,
      values.role,
      values.affiliation,
      values.phone,
      'Signal: +420 777 000 111',
      values.notes,
    ]);
    expect(rest).toEqual([]);
    // Quoted even when alone: a spreadsheet takes a bare CR or LF for the end of the record.
    expect(csv).toContain('"line one\nline two","carriage\rreturn","CRLF\r\ninside"');
  });
});
