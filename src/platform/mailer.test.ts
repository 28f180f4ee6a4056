import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { saveMessage, startDevMailbox } from './mailer.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'candor-mailbox-'));
const saved: string[] = [];
const mailbox = await startDevMailbox(dataDir, (file) => saved.push(file));
const transport = nodemailer.createTransport(mailbox.url);
const mailDir = path.join(dataDir, 'mail');

afterAll(async () => {
  transport.close();
  await mailbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const mail = (n: number, messageId: string) => ({
  from: 'Candor <no-reply@candor.test>',
  to: 'someone@example.test',
  subject: `Message ${n}`,
  text: `Body of message ${n}`,
  messageId,
});

describe('the development mailbox', () => {
  it('never overwrites: messages sent at once, and one Message-ID sent twice, each keep a file of their own', async () => {
    const sends = Array.from({ length: 8 }, (_, n) => transport.sendMail(mail(n, `<m${n}@candor.test>`)));
    sends.push(transport.sendMail(mail(8, '<m0@candor.test>')));
    await Promise.all(sends);
    const files = readdirSync(mailDir);
    expect(files).toHaveLength(9);
    expect(saved.map((file) => path.basename(file)).sort()).toEqual([...files].sort());
    const subjects = files.map(
      (file) => /^Subject: (.+)$/m.exec(readFileSync(path.join(mailDir, file), 'utf8'))?.[1],
    );
    expect(subjects.sort()).toEqual(Array.from({ length: 9 }, (_, n) => `Message ${n}`));
    for (const file of files) {
      expect(file).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-m\d@candor\.test(-\d+)?\.eml$/);
      expect(statSync(path.join(mailDir, file)).mode & 0o777).toBe(0o600);
    }
  });

  it('names a file by its Message-ID made safe, and gives a message without one a name of its own', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'candor-mailbox-'));
    try {
      const message = Buffer.from('Subject: x\r\nMessage-ID: <../../etc/passwd@x>\r\n\r\nbody');
      const first = saveMessage(dir, message);
      const second = saveMessage(dir, message);
      expect(path.dirname(first)).toBe(dir);
      expect(first).not.toBe(second);
      expect(path.basename(first)).toMatch(/-\.\._\.\._etc_passwd@x\.eml$/);
      const plain = Buffer.from('Subject: y\r\n\r\nno id');
      expect(saveMessage(dir, plain)).not.toBe(saveMessage(dir, plain));
      expect(readdirSync(dir)).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
