import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** A random token for links and cookies, and the hash that is stored instead of it. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `candor:${purpose}`, 32));
}

const VERSION = 1;

/**
 * AES-256-GCM with a fresh 96-bit nonce: version(1) | nonce(12) | tag(16) | ciphertext.
 * `context` is bound as associated data, so a ciphertext moved to another row fails.
 */
export function seal(key: Buffer, plaintext: Buffer | string, context: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
}

/**
 * seal() for many values under one key, in the same format: the nonces drawn from the CSPRNG in
 * one call rather than one call per value (a bulk import seals thousands at once).
 */
export function sealMany(
  key: Buffer,
  items: readonly { plaintext: Buffer | string; context: string }[],
): Buffer[] {
  const nonces = randomBytes(12 * items.length);
  const version = Buffer.from([VERSION]);
  return items.map(({ plaintext, context }, i) => {
    const nonce = nonces.subarray(i * 12, i * 12 + 12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = cipher.update(plaintext);
    const last = cipher.final();
    return Buffer.concat([version, nonce, cipher.getAuthTag(), body, last]);
  });
}

export function open(key: Buffer, sealed: Buffer, context: string): Buffer {
  if (sealed[0] !== VERSION) throw new Error('Unknown ciphertext version');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(sealed.subarray(13, 29));
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
}
