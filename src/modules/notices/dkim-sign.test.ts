import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { dkimSign } from './channel-email.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 'sel._domainkey.shop.example') return [[record]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
};

const head = 'From: notices@shop.example\r\nTo: a@example.test\r\nSubject:  Two  spaces\t and a tab \r\n';

describe('DKIM signing (rsa-sha256, relaxed/relaxed)', () => {
  it.each([
    ['a composed body without white space to fold', 'SGVsbG8=\r\nV29ybGQ=\r\n'],
    ['runs of spaces and tabs, trailing white space', 'a  b\t\tc \r\n  indented\t\r\nend   \r\n'],
    ['empty lines at the end', 'text\r\n\r\n\r\n\r\n'],
    ['an empty body', ''],
    ['bare line feeds, as SMTP will send them as CRLF', 'one\ntwo  \nthree\n'],
  ])('%s: an independent verifier passes it', async (_name, body) => {
    const signed = await dkimSign(Buffer.from(`${head}\r\n${body}`, 'latin1'), {
      domain: 'shop.example',
      selector: 'sel',
      key: privateKey,
    });
    const result = await dkimVerify(signed, { resolver });
    expect(result.results[0]).toMatchObject({ status: { result: 'pass' } });
    // And a changed body fails: the signature covers it.
    const tampered = Buffer.from(signed.toString('latin1').replace(/\r\n$/, 'x\r\n'), 'latin1');
    const after = (await dkimVerify(tampered, { resolver })).results[0] as { status: { result: string } };
    expect(after.status.result).not.toBe('pass');
  });
});
