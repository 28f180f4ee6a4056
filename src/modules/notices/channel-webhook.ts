import { createHmac, randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { open, seal } from '../../platform/crypto.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import type { ChannelResult, ChannelSender, OutgoingNotice } from './notice-contracts.js';
import { findWebhookSecret, findWebhookSecretCreatedAt, upsertWebhookSecret } from './webhook-repo.js';

/**
 * The webhook channel: a notice is POSTed as JSON to the customer's own endpoint, signed per the
 * Standard Webhooks scheme (https://www.standardwebhooks.com): `webhook-id` (the delivery's
 * stable Message-ID, so a repeat is recognisable), `webhook-timestamp` (unix seconds) and
 * `webhook-signature` "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed by the bytes of the
 * organization's secret (whsec_<base64>), which Candor generates and shows once.
 *
 * Where the endpoint lives: `webhookUrl` in the customer's (or test recipient's) sealed record,
 * never a clear column. Only https targets are called, and only when every address the name
 * resolves to is public; the connection goes to the address that was checked (so a second DNS
 * answer cannot point it elsewhere). Redirects are not followed.
 */
export interface WebhookChannelDeps {
  db: Database;
  keyring: OrganizationKeyring;
  /** CANDOR_WEBHOOK_ALLOW_PRIVATE: private, loopback and link-local targets and plain http allowed (tests). */
  allowPrivate: boolean;
  /** Per attempt; a timeout is temporary. */
  timeoutMs?: number;
}

// --- Signing -------------------------------------------------------------------------------------

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

function secretBytes(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) throw new Error('A webhook secret starts with whsec_');
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

/** The webhook-signature header's value for one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

// --- The organization's secret -----------------------------------------------------------------------

const secretContext = (organizationId: string) => `notice-webhook-secret:${organizationId}`;

/** Generates the organization's signing secret (replacing any) and returns it: the only time it is shown. */
export async function createWebhookSecret(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  userId: string | null,
): Promise<{ secret: string; createdAt: Date }> {
  const secret = newWebhookSecret();
  const row = await upsertWebhookSecret(tx, {
    organizationId,
    sealed: seal(keys.data(keys.dataVersion), secret, secretContext(organizationId)),
    keyVersion: keys.dataVersion,
    createdBy: userId,
  });
  return { secret, createdAt: new Date(row.created_at) };
}

export async function webhookSecretCreatedAt(tx: Sql): Promise<Date | null> {
  const row = await findWebhookSecretCreatedAt(tx);
  return row ? new Date(row.created_at) : null;
}

/** The organization's secret, unsealed; undefined when none was created. Read per message: never cached. */
export async function loadWebhookSecret(tx: Sql, keys: OrganizationKeys, organizationId: string) {
  const row = await findWebhookSecret(tx, organizationId);
  if (!row) return undefined;
  return open(keys.data(row.key_version), Buffer.from(row.secret), secretContext(organizationId)).toString();
}

// --- Targets ---------------------------------------------------------------------------------------

/**
 * RFC 6052 §2.2: the bytes that hold the IPv4 address under a NAT64 prefix of each length (byte 8,
 * bits 64-71, is always zero and skipped); the bytes after them are zero.
 */
const NAT64_LAYOUTS = [
  [6, 7, 9, 10],
  [7, 9, 10, 11],
  [9, 10, 11, 12],
  [12, 13, 14, 15],
] as const;
const NAT64_WELL_KNOWN = ipaddr.IPv6.parse('64:ff9b::');

/**
 * The IPv4 addresses an IPv6 address stands for, when it is a form that carries one: a packet to
 * it reaches (or is translated to) that IPv4 address, so that address is what gets judged.
 * Undefined when the form carries none; empty when it claims to but its layout is not valid.
 */
function carriedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const bytes = ip.toByteArray();
  const v4 = (at: readonly number[], xor = 0) => new ipaddr.IPv4(at.map((i) => bytes[i]! ^ xor));
  // IPv4-compatible ::/96, which ipaddr.js calls unicast (`::` and `::1` carry 0.0.0.0 and 0.0.0.1).
  if (ip.parts.slice(0, 6).every((word) => word === 0)) return [v4([12, 13, 14, 15])];
  switch (ip.range()) {
    case 'ipv4Mapped': // ::ffff:0:0/96
      return [ip.toIPv4Address()];
    case 'rfc6052': {
      if (ip.match(NAT64_WELL_KNOWN, 96)) return [v4([12, 13, 14, 15])];
      // The local-use 64:ff9b:1::/48 may be cut to any prefix from /48 to /96: judge every layout
      // the address is consistent with, so no reading of it can reach a private address.
      if (bytes[8] !== 0) return [];
      return NAT64_LAYOUTS.filter((at) => bytes.slice(at[3] + 1).every((b) => b === 0)).map((at) => v4(at));
    }
    case '6to4': // 2002:VVVV:VVVV::/48
      return [v4([2, 3, 4, 5])];
    case 'teredo': // 2001:0:<server v4>:<flags>:<port>:<client v4 XOR 0xffffffff>
      return [v4([4, 5, 6, 7]), v4([12, 13, 14, 15], 0xff)];
    default:
      return undefined;
  }
}

/**
 * Whether an address is one a webhook may reach: an allow-list, so only what ipaddr.js calls
 * `unicast` passes, and an IPv6 form carrying an IPv4 address passes only when that one does.
 */
export function isPublicAddress(address: string): boolean {
  if (!isIP(address)) return false;
  const ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv4) return ip.range() === 'unicast';
  const carried = carriedIpv4(ip);
  if (carried) return carried.length > 0 && carried.every((v4) => v4.range() === 'unicast');
  return ip.range() === 'unicast';
}

/** Whether an address is one a webhook may never reach (private, loopback, link-local, reserved, …). */
export const isPrivateAddress = (address: string): boolean => !isPublicAddress(address);

export class WebhookTargetRefused extends Error {}

/**
 * Checks a target and resolves it: the URL, its scheme, and every address its host resolves to.
 * Returns the address to connect to. Throws WebhookTargetRefused for a target never to be
 * called; a DNS failure other than "no such name" is an ordinary Error (temporary).
 */
export async function checkWebhookTarget(
  raw: string,
  allowPrivate: boolean,
): Promise<{ url: URL; address: string; family: 4 | 6 }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetRefused('the webhook URL does not parse');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new WebhookTargetRefused(`webhook URLs must use https (got ${url.protocol.replace(':', '')})`);
  }
  if (url.username || url.password)
    throw new WebhookTargetRefused('a webhook URL must not carry credentials');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true, verbatim: true }, (error, found) => {
        if (error) {
          reject(
            error.code === 'ENOTFOUND'
              ? new WebhookTargetRefused('the webhook host does not exist')
              : new Error(`resolving the webhook host failed (${error.code ?? error.message})`),
          );
        } else resolve(found);
      }),
    );
  }
  if (addresses.length === 0) throw new WebhookTargetRefused('the webhook host has no address');
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      throw new WebhookTargetRefused(
        'the webhook target is a private, loopback or link-local address; refused',
      );
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

// --- The channel -------------------------------------------------------------------------------------

const USER_AGENT = 'Candor-Webhooks/1';
const MAX_RESPONSE_BYTES = 64 * 1024;

/** What an endpoint's HTTP status means: 2xx accepted; 408, 429 and 5xx temporary; the rest permanent. */
export function classifyWebhookStatus(status: number): ChannelResult {
  if (status >= 200 && status < 300) return { outcome: 'accepted' };
  if (status === 408 || status === 429 || status >= 500) {
    return { outcome: 'temporary', error: `webhook endpoint answered HTTP ${status}` };
  }
  if (status >= 300 && status < 400) {
    return {
      outcome: 'permanent',
      error: `webhook endpoint redirected (HTTP ${status}); redirects are not followed`,
      suppress: false,
    };
  }
  return { outcome: 'permanent', error: `webhook endpoint answered HTTP ${status}`, suppress: false };
}

function post(
  target: { url: URL; address: string; family: 4 | 6 },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Connect to the address that was checked, whatever the name resolves to now.
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) {
            (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [
              { address: target.address, family: target.family },
            ]);
          } else callback(null, target.address, target.family);
        },
        timeout: timeoutMs,
        agent: false,
      },
      (response) => {
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('close', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

export function createWebhookChannel(deps: WebhookChannelDeps): ChannelSender {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    channel: 'webhook',
    async send(message: OutgoingNotice): Promise<ChannelResult> {
      let target;
      try {
        target = await checkWebhookTarget(message.to, deps.allowPrivate);
      } catch (error) {
        if (error instanceof WebhookTargetRefused) {
          return { outcome: 'permanent', error: error.message, suppress: false };
        }
        return { outcome: 'temporary', error: (error as Error).message };
      }
      const secret = await withOrg(
        deps.db,
        message.organizationId,
        async (tx) =>
          loadWebhookSecret(tx, await deps.keyring.get(tx, message.organizationId), message.organizationId),
        { system: true },
      );
      if (!secret) {
        return {
          outcome: 'permanent',
          error: 'the organization has no webhook signing secret yet (create one in the notice settings)',
          suppress: false,
        };
      }
      const body = JSON.stringify(message.rendered.webhook);
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': message.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, message.messageId, timestamp, body),
      };
      try {
        return classifyWebhookStatus(await post(target, headers, body, timeoutMs));
      } catch (error) {
        return { outcome: 'temporary', error: `webhook request failed: ${(error as Error).message}` };
      }
    },
    async close() {},
  };
}
