import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeNotice, mailDate } from './mime-compose.js';

const base = {
  from: { name: 'Obchod "Žluťoučký", s.r.o.', address: 'notices@shop.example' },
  to: 'customer@example.test',
  messageId: '<d1@candor.example>',
  date: new Date('2026-11-22T05:06:07Z'),
};

describe('a notice composed as MIME', () => {
  it.each([
    ['en', 'Your data: what happened', 'We are sorry.\nPlease change your password.\n.Dot first'],
    ['cs', 'Únik vašich údajů – omlouváme se', 'Velmi se omlouváme.\nZměňte si prosím heslo.'],
    ['ar', 'إشعار مهم بخصوص بياناتكم الشخصية — نعتذر بشدة عما حدث', 'نعتذر بشدة.\nيرجى تغيير كلمة المرور.'],
  ])('%s: a parser reads back the same subject, sender, text and HTML', async (locale, subject, text) => {
    const html = `<!doctype html><html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}"><body><p>${text.replace(/\n/g, '</p><p>')}</p></body></html>`;
    const raw = composeNotice({ ...base, subject, text, html, headers: { 'Content-Language': locale } });
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([{ name: base.from.name, address: base.from.address }]);
    expect(parsed.text?.trim()).toBe(text);
    expect(parsed.html).toBe(html);
    expect(parsed.messageId).toBe(base.messageId);
    expect(parsed.headers.get('content-language')).toBe(locale);
    expect(parsed.date?.toISOString()).toBe(base.date.toISOString());
    // Every line of the message is CRLF-ended, ASCII and within 78 characters (RFC 5322 §2.1.1).
    const lines = raw.toString('latin1').split('\r\n');
    expect(lines.every((l) => l.length <= 78 && !l.includes('\n'))).toBe(true);
    expect([...raw].every((byte) => byte < 0x80)).toBe(true);
  });

  it('a line break in a subject or name cannot start a header of its own', async () => {
    const raw = composeNotice({
      ...base,
      from: { name: 'Shop\r\nBcc: victim@example.test', address: 'notices@shop.example' },
      subject: 'Hello\r\nBcc: attacker@example.test',
      text: 'x',
      html: '<p>x</p>',
    });
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.subject).toBe('Hello Bcc: attacker@example.test');
  });

  it('the From name loses its bidi controls, so a mail client cannot show it backwards', async () => {
    const raw = composeNotice({
      ...base,
      from: {
        name: '\u202EAcme Bank\u202C \u2067Support\u2069 \u202Bشركة\u202A',
        address: 'notices@shop.example',
      },
      subject: 'x',
      text: 'x',
      html: '<p>x</p>',
    });
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Acme Bank Support شركة', address: 'notices@shop.example' }]);
    const onlyControls = await simpleParser(
      composeNotice({
        ...base,
        from: { name: '\u202E\u202C', address: 'a@shop.example' },
        subject: 'x',
        text: 'x',
        html: 'x',
      }),
    );
    expect(onlyControls.from?.value).toEqual([{ name: '', address: 'a@shop.example' }]);
  });

  it('dates are RFC 5322', () => {
    expect(mailDate(new Date('2026-03-01T09:05:00Z'))).toBe('Sun, 1 Mar 2026 09:05:00 +0000');
  });
});
