import type { Channel } from './notice-contracts.js';
import { CHANNELS } from './notice-contracts.js';

/**
 * Rate limits for notice deliveries, per channel and per recipient domain (the e-mail address's
 * domain; an SMS number's country code; a webhook URL's host), in messages per second.
 *
 * Configured by CANDOR_NOTICE_RATE_LIMITS, e.g. `email=500,sms=20,domain=100,domain:gmail.com=40`:
 * `<channel>=N` per channel, `domain=N` for every domain without its own entry,
 * `domain:<name>=N` for one domain. A missing entry means no limit.
 *
 * The buckets live in each worker process (token buckets, one second of burst): N worker
 * processes together send up to N times the configured rate.
 */
export interface RateLimits {
  channel: Partial<Record<Channel, number>>;
  domain?: number;
  domains: Record<string, number>;
}

export function parseRateLimits(value: string | undefined): RateLimits {
  const limits: RateLimits = { channel: {}, domains: {} };
  if (!value?.trim()) return limits;
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const match = entry.match(/^([a-z]+)(?::([a-z0-9.-]+))?=(\d+(?:\.\d+)?)$/i);
    const rate = match ? Number(match[3]) : NaN;
    if (!match || !(rate > 0)) {
      throw new Error(
        `CANDOR_NOTICE_RATE_LIMITS: "${entry}" is not <channel>=N, domain=N or domain:<name>=N with N > 0 messages per second`,
      );
    }
    const name = match[1]!.toLowerCase();
    if (name === 'domain') {
      if (match[2]) limits.domains[match[2].toLowerCase()] = rate;
      else limits.domain = rate;
    } else if ((CHANNELS as readonly string[]).includes(name) && !match[2]) {
      limits.channel[name as Channel] = rate;
    } else {
      throw new Error(
        `CANDOR_NOTICE_RATE_LIMITS: "${entry}" names no channel (${CHANNELS.join(', ')}) and is not a domain entry`,
      );
    }
  }
  return limits;
}

/** The part of an address rate limits are kept by: never the address itself. */
export function rateDomain(channel: Channel, to: string): string {
  if (channel === 'email') return to.slice(to.lastIndexOf('@') + 1).toLowerCase();
  if (channel === 'webhook') {
    try {
      return new URL(to).hostname.toLowerCase();
    } catch {
      return 'invalid';
    }
  }
  // E.164: the country calling code's first digits are enough to group carriers.
  return to.slice(0, 3);
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = Math.max(1, rate);
    this.last = now;
  }
  /** Takes a token (possibly in the future): how long to wait before using it. */
  take(now: number): number {
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
  /** Gives back a token taken for a message that was not sent after all. */
  refund(): void {
    this.tokens += 1;
  }
}

export interface RateLimiter {
  /**
   * Reserves a slot for one message: the delay (ms) after which it may go. A delay above
   * `maxWaitMs` is not reserved (returns it with `reserved: false`): the caller defers the message.
   */
  reserve(channel: Channel, domain: string, maxWaitMs: number): { delayMs: number; reserved: boolean };
}

export function createRateLimiter(limits: RateLimits, clock: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const bucket = (key: string, rate: number | undefined) => {
    if (!rate) return undefined;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new Bucket(rate, clock())));
    return b;
  };
  return {
    reserve(channel, domain, maxWaitMs) {
      const now = clock();
      const taken = [
        bucket(`channel:${channel}`, limits.channel[channel]),
        bucket(`domain:${channel}:${domain}`, limits.domains[domain] ?? limits.domain),
      ].filter((b): b is Bucket => b !== undefined);
      const delays = taken.map((b) => b.take(now));
      const delayMs = Math.max(0, ...delays);
      if (delayMs > maxWaitMs) {
        taken.forEach((b) => b.refund());
        return { delayMs, reserved: false };
      }
      return { delayMs, reserved: true };
    },
  };
}
