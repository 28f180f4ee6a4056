import { describe, expect, it } from 'vitest';
import { createRateLimiter, parseRateLimits, rateDomain } from './delivery-rate.js';

describe('notice rate limits', () => {
  it('parses channel, default-domain and per-domain limits; nothing set means no limit', () => {
    expect(parseRateLimits(undefined)).toEqual({ channel: {}, domains: {} });
    expect(parseRateLimits('email=500, sms=20,domain=100,domain:Gmail.com=40')).toEqual({
      channel: { email: 500, sms: 20 },
      domain: 100,
      domains: { 'gmail.com': 40 },
    });
  });

  it('refuses a malformed entry, naming it and the variable', () => {
    expect(() => parseRateLimits('email=fast')).toThrow(/CANDOR_NOTICE_RATE_LIMITS: "email=fast"/);
    expect(() => parseRateLimits('email=0')).toThrow(/N > 0/);
    expect(() => parseRateLimits('fax=3')).toThrow(/"fax=3" names no channel \(email, sms, webhook\)/);
    expect(() => parseRateLimits('email:x.cz=3')).toThrow(/names no channel/);
  });

  it('a token bucket per channel: a burst of one second, then the configured rate', () => {
    let now = 0;
    const limiter = createRateLimiter(parseRateLimits('email=2'), () => now);
    expect(limiter.reserve('email', 'a.example', 5000)).toEqual({ delayMs: 0, reserved: true });
    expect(limiter.reserve('email', 'b.example', 5000)).toEqual({ delayMs: 0, reserved: true });
    expect(limiter.reserve('email', 'c.example', 5000)).toEqual({ delayMs: 500, reserved: true });
    expect(limiter.reserve('email', 'c.example', 5000)).toEqual({ delayMs: 1000, reserved: true });
    // Other channels are not limited by e-mail's bucket.
    expect(limiter.reserve('sms', '+42', 0)).toEqual({ delayMs: 0, reserved: true });
    now = 2000;
    expect(limiter.reserve('email', 'd.example', 0).reserved).toBe(true);
  });

  it('a per-domain bucket: one busy domain is held back, others go; a wait beyond the maximum is not reserved', () => {
    const now = 0;
    const limiter = createRateLimiter(parseRateLimits('domain=10,domain:slow.example=1'), () => now);
    expect(limiter.reserve('email', 'slow.example', 100).reserved).toBe(true);
    // The second message to slow.example would wait a second: deferred, and its token given back.
    expect(limiter.reserve('email', 'slow.example', 100)).toEqual({ delayMs: 1000, reserved: false });
    expect(limiter.reserve('email', 'slow.example', 100)).toEqual({ delayMs: 1000, reserved: false });
    for (let i = 0; i < 10; i++) expect(limiter.reserve('email', 'fast.example', 100).delayMs).toBe(0);
    expect(limiter.reserve('email', 'fast.example', 100)).toEqual({ delayMs: 100, reserved: true });
  });

  it('keeps rate limits by domain, never by address', () => {
    expect(rateDomain('email', 'Someone@Example.COM')).toBe('example.com');
    expect(rateDomain('webhook', 'https://hooks.example.net/x?y=1')).toBe('hooks.example.net');
    expect(rateDomain('sms', '+420601234567')).toBe('+42');
  });
});
