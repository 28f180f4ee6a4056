import { describe, expect, it } from 'vitest';
import { redactAddress } from '../../platform/outbox.js';

describe('delivery errors never keep the recipient', () => {
  it('removes the address however the SMTP server quoted or cased it', () => {
    const message =
      "Can't send mail - all recipients were rejected: 550 5.1.1 <Jana.Novak+x@Example.test>: Recipient address rejected";
    expect(redactAddress(message, 'jana.novak+x@example.test')).toBe(
      "Can't send mail - all recipients were rejected: 550 5.1.1 <[recipient]>: Recipient address rejected",
    );
    expect(redactAddress('Try again later', undefined)).toBe('Try again later');
  });
});
