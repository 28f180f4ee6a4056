import { describe, expect, it } from 'vitest';
import { parseBounce } from './bounce-parse.js';

const fields = [
  'Reporting-MTA: dns; mx.example.net',
  '',
  'Final-Recipient: rfc822; final@example.org',
  'Original-Recipient: rfc822;a@example.org',
  'Action: failed',
  'Status: 5.1.1',
  'Diagnostic-Code: smtp; 550 5.1.1 User',
  ' unknown',
  '',
].join('\r\n');

/** A multipart/report whose report part is `part`, the returned message after it. */
const report = (
  part: string,
  returned = 'Content-Type: text/rfc822-headers\r\n\r\nFrom: n@shop.example\r\n',
) =>
  [
    '--B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered.',
    '--B',
    part,
    '--B',
    returned,
    '--B--',
    '',
  ].join('\r\n');

const message = (headers: string[], body: string) => [...headers, '', body].join('\r\n');
const reportHeaders = [
  'To: "Bounces" <bounces+x@b.test>',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
];
const expected = {
  type: 'delivery-status',
  to: 'bounces+x@b.test',
  recipients: [
    {
      action: 'failed',
      status: '5.1.1',
      recipient: 'a@example.org',
      diagnostic: 'smtp; 550 5.1.1 User unknown',
    },
  ],
};

describe('bounce reports read through postal-mime', () => {
  it('a report part in base64, and a report inside another multipart (a forwarding gateway)', async () => {
    const base64 = `Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(fields).toString('base64')}`;
    expect(await parseBounce(message(reportHeaders, report(base64)))).toEqual(expected);
    const wrapped = message(
      ['To: bounces+x@b.test', 'Content-Type: multipart/mixed; boundary="M"'],
      [
        '--M',
        reportHeaders[1],
        '',
        report(`Content-Type: message/delivery-status\r\n\r\n${fields}`),
        '--M--',
        '',
      ].join('\r\n'),
    );
    expect(await parseBounce(wrapped)).toEqual(expected);
  });

  it('the returned message is evidence: a report inside it is never read', async () => {
    const returned = [
      'Content-Type: message/rfc822',
      '',
      'From: n@shop.example',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="X"',
      '',
      '--X',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; elsewhere',
      '',
      'Final-Recipient: rfc822; victim@example.org',
      'Action: failed',
      'Status: 5.0.0',
      '--X--',
    ].join('\r\n');
    const onlyReturned = message(
      reportHeaders,
      ['--B', 'Content-Type: text/plain', '', 'x', '--B', returned, '--B--', ''].join('\r\n'),
    );
    expect(await parseBounce(onlyReturned)).toBeUndefined();
  });

  it('an encoded To and an ARF complaint whose parts are quoted-printable', async () => {
    const arf = message(
      [
        'To: =?utf-8?B?w5pu?= <bounces+x@b.test>',
        'Content-Type: multipart/report; report-type=feedback-report; boundary="B"',
      ],
      report(
        'Content-Type: message/feedback-report\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nFeedback-Type: abuse\r\nOriginal-Rcpt-To: <a@example.org>=\r\n\r\n',
      ),
    );
    expect(await parseBounce(arf)).toEqual({
      type: 'feedback-report',
      to: 'bounces+x@b.test',
      recipients: [
        { action: 'complaint', status: undefined, recipient: 'a@example.org', diagnostic: 'abuse' },
      ],
    });
  });

  it('malformed or hostile input is no report: too deep, over 1 MB, not MIME at all, no closing boundary read as far as it goes', async () => {
    const deep = message(
      ['To: bounces+x@b.test', 'Content-Type: multipart/mixed; boundary="0"'],
      Array.from(
        { length: 40 },
        (_, i) => `--${i}\r\nContent-Type: multipart/mixed; boundary="${i + 1}"\r\n`,
      ).join('\r\n') + `\r\n--40\r\nContent-Type: message/delivery-status\r\n\r\n${fields}`,
    );
    expect(await parseBounce(deep)).toBeUndefined();
    expect(
      await parseBounce(
        message(
          reportHeaders,
          report(`Content-Type: message/delivery-status\r\n\r\n${fields}${'x'.repeat(1_000_001)}`),
        ),
      ),
    ).toBeUndefined();
    expect(await parseBounce('\u0000\u0001 not mail\r\n\r\n--')).toBeUndefined();
    const unterminated = message(
      reportHeaders,
      `--B\r\nContent-Type: message/delivery-status\r\n\r\n${fields}`,
    );
    expect(await parseBounce(unterminated)).toEqual(expected);
  });
});
