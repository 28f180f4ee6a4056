import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { EmailChannelConfig } from '../../config.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import { redactAddress } from '../../platform/outbox.js';
import { loadSigningSettings, type SigningSettings } from './email-settings.js';
import { createMailTransport } from './mail-transport.js';
import { composeNotice } from './mime-compose.js';
import type { ChannelResult, ChannelSender, OutgoingNotice } from './notice-contracts.js';
import { unsubscribeToken } from './suppression.js';
import { verpAddress, type VerpKind } from './verp.js';

export interface EmailChannelDeps {
  db: Database;
  keyring: OrganizationKeyring;
  /** The SMTP relay (smtp:// or smtps://, with credentials if it needs them). */
  smtpUrl: string;
  email: EmailChannelConfig;
  /** Candor's public origin: the one-click unsubscribe URL of optional updates. */
  publicUrl: URL;
  /**
   * How long an organization's unsealed DKIM key and settings are kept in memory (5 s unless set):
   * short, so settings saved through any process are used everywhere within seconds.
   */
  settingsCacheMs?: number;
}

/**
 * The HTML part in the reader's direction: RenderedNotice.html already carries dir and lang on
 * <html>; a document without them gets them.
 */
export function withDirection(html: string, locale: string, direction: 'ltr' | 'rtl'): string {
  const tag = html.match(/<html\b[^>]*>/i);
  if (!tag) return `<!doctype html><html lang="${locale}" dir="${direction}"><body>${html}</body></html>`;
  let open = tag[0];
  if (!/\sdir\s*=/i.test(open)) open = open.replace(/^<html/i, `<html dir="${direction}"`);
  if (!/\slang\s*=/i.test(open)) open = open.replace(/^<html/i, `<html lang="${locale}"`);
  const at = tag.index ?? 0;
  return html.slice(0, at) + open + html.slice(at + tag[0].length);
}

/** Mailbox-level refusals (no such user, user moved, bad mailbox name) are worth suppressing; policy ones are not. */
function mailboxRefusal(code: number, text: string): boolean {
  if (![550, 551, 553].includes(code)) return false;
  const enhanced = text.match(/\b5\.(\d{1,3})\.(\d{1,3})\b/);
  return !enhanced || enhanced[1] === '1' || enhanced[1] === '2';
}

/** The SMTP outcome as a channel result, never naming the recipient. */
export function smtpResult(error: unknown, to: string): ChannelResult {
  const e = error as { responseCode?: number; code?: string; response?: string; message?: string };
  const text = redactAddress(e.response ?? e.message ?? String(error), to).slice(0, 500);
  const code = e.responseCode;
  if (e.code === 'ETLS') {
    // No TLS with the relay (its STARTTLS refused, or absent under requireTLS): the relay's
    // setting, not the recipient, so the notice waits for it to be fixed.
    return { outcome: 'temporary', error: text };
  }
  if (code !== undefined && code >= 500) {
    return { outcome: 'permanent', error: text, suppress: mailboxRefusal(code, text) };
  }
  if (code === undefined && e.code === 'EENVELOPE') {
    // Refused before any server saw it (an address mail-transport.ts will not put in an envelope).
    return { outcome: 'permanent', error: text, suppress: false };
  }
  // 4xx, timeouts, connection and TLS errors: worth another try later.
  return { outcome: 'temporary', error: text };
}

/** The headers DKIM signs when present (RFC 6376 §5.4.1's recommendations, and ours). */
const SIGNED_HEADERS = [
  'from',
  'reply-to',
  'to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-language',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

/** Relaxed header canonicalization (RFC 6376 §3.4.2) of one unfolded "Name: value" field. */
const relaxedHeader = (name: string, value: string) =>
  `${name.toLowerCase()}:${value
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim()}`;

/** Relaxed body canonicalization (RFC 6376 §3.4.4), for a body with CRLF line ends. */
function relaxedBody(body: string): string {
  // A composed body rarely has white space to fold (base64 never): look before rewriting.
  const relaxed = /[ \t]{2}|\t| \r\n| $/.test(body)
    ? body
        .replace(/[ \t]+/g, ' ')
        .replace(/ \r\n/g, '\r\n')
        .replace(/ $/, '')
    : body;
  let end = relaxed.length;
  while (end >= 2 && relaxed.charCodeAt(end - 2) === 13 && relaxed.charCodeAt(end - 1) === 10) end -= 2;
  return end ? `${relaxed.slice(0, end)}\r\n` : '';
}

/**
 * Signs a composed message with DKIM, rsa-sha256, relaxed/relaxed, and returns
 * it with the DKIM-Signature field first. Done here rather than by nodemailer, whose signer parses
 * the PEM key for every message: with the key parsed once, signing costs a third as much. The RSA
 * signature is computed on libuv's thread pool, so a batch's signatures use every core.
 */
export async function dkimSign(
  message: Buffer,
  options: { domain: string; selector: string; key: KeyObject; now?: Date },
): Promise<Buffer> {
  // Composed parts may end lines with a bare LF, which SMTP sends as CRLF: sign what is sent.
  let text = message.toString('latin1');
  if (/(?:^|[^\r])\n/.test(text)) text = text.replace(/\r?\n/g, '\r\n');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const fields = new Map<string, { name: string; value: string }>();
  for (const field of head.split(/\r\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon < 1) continue;
    const name = field.slice(0, colon);
    // The last instance of a field is the one signed first (§5.4.2); composed messages have one of each.
    fields.set(name.trim().toLowerCase(), { name: name.trim(), value: field.slice(colon + 1) });
  }
  const signed = SIGNED_HEADERS.filter((h) => fields.has(h));
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const time = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const unsigned =
    `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${options.domain}; s=${options.selector}; t=${time}; ` +
    `h=${signed.join(':')}; bh=${bodyHash}; b=`;
  const data =
    signed.map((h) => `${relaxedHeader(h, fields.get(h)!.value)}\r\n`).join('') +
    relaxedHeader('dkim-signature', ` ${unsigned}`);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign('sha256', Buffer.from(data, 'latin1'), options.key, (error, out) =>
      error ? reject(error) : resolve(out),
    ),
  );
  return Buffer.from(`DKIM-Signature: ${unsigned}${signature.toString('base64')}\r\n${text}`, 'latin1');
}

const angle = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

/**
 * A one-off e-mail from the organization to one person (the "Was I affected?" link): from its
 * notice sender (From, display name, Reply-To), DKIM-signed with its key as d=<From domain>,
 * composed here and then sent as it is. Undefined when the organization has no e-mail settings.
 */
export async function signedOrganizationMail(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  mail: { to: string; subject: string; text: string; html: string; messageId: string; locale: string },
): Promise<{ fromAddress: string; raw: Buffer } | undefined> {
  const settings = await loadSigningSettings(tx, keys, organizationId);
  if (!settings) return undefined;
  const composed = composeNotice({
    from: { ...(settings.fromName ? { name: settings.fromName } : {}), address: settings.fromAddress },
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: angle(mail.messageId),
    headers: { 'Content-Language': mail.locale },
  });
  const raw = await dkimSign(composed, {
    domain: settings.domain,
    selector: settings.dkimSelector,
    key: createPrivateKey(settings.privateKey),
  });
  return { fromAddress: settings.fromAddress, raw };
}

/**
 * The e-mail channel: nodemailer's pool of pipelining SMTP connections (maxConnections from the
 * config, unlimited messages per connection, `mail-transport.ts`), handed each message composed
 * (`mime-compose.ts`) and DKIM-signed here with its organization's key as d=<From domain>
 * (aligned), sent from the organization's From address with the VERP envelope sender
 * bounces+<delivery id>.<mac>@<bounce domain> (verp.ts), the delivery's stable Message-ID, a text
 * and an HTML part (in the reader's direction), and List-Unsubscribe (one-click) on optional
 * updates only: a mandatory breach notice never carries it.
 */
export function createEmailChannel(deps: EmailChannelDeps): ChannelSender {
  // Timeouts make a stuck relay a temporary failure rather than a hung worker.
  const pool = createMailTransport({
    url: deps.smtpUrl,
    maxConnections: deps.email.maxConnections,
    connectionTimeoutMs: 30_000,
    greetingTimeoutMs: 30_000,
    socketTimeoutMs: 60_000,
  });
  const cacheMs = deps.settingsCacheMs ?? 5_000;
  const cache = new Map<string, { value: Promise<Signing | undefined>; until: number }>();

  interface Signing {
    settings: SigningSettings;
    key: KeyObject;
    unsubscribe(email: string): string;
    verp(kind: VerpKind, deliveryId: string): string;
  }

  function signing(organizationId: string): Promise<Signing | undefined> {
    const hit = cache.get(organizationId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = withOrg(
      deps.db,
      organizationId,
      async (tx) => {
        const keys = await deps.keyring.get(tx, organizationId);
        const settings = await loadSigningSettings(tx, keys, organizationId);
        return (
          settings && {
            settings,
            key: createPrivateKey(settings.privateKey),
            unsubscribe: (email: string) => unsubscribeToken(keys, organizationId, email),
            verp: (kind: VerpKind, deliveryId: string) =>
              verpAddress(keys, kind, deliveryId, deps.email.bounceDomain),
          }
        );
      },
      { system: true },
    );
    // The messages of one batch share the read in flight; afterwards only settings found are kept.
    // "None" is never kept: settings saved a moment later must count for the very next message.
    cache.set(organizationId, { value, until: Date.now() + cacheMs });
    const forget = () => {
      if (cache.get(organizationId)?.value === value) cache.delete(organizationId);
    };
    value.then((found) => {
      if (!found) forget();
    }, forget);
    return value;
  }

  return {
    channel: 'email',
    async send(message: OutgoingNotice): Promise<ChannelResult> {
      let org: Signing | undefined;
      try {
        org = await signing(message.organizationId);
      } catch (error) {
        return {
          outcome: 'temporary',
          error: `E-mail settings could not be read: ${(error as Error).message}`,
        };
      }
      if (!org) {
        return {
          outcome: 'permanent',
          error:
            'The organization has no e-mail settings (From address and DKIM key): set them in Settings, E-mail',
          suppress: false,
        };
      }
      const { settings } = org;
      const { rendered } = message;
      const headers: Record<string, string> = { 'Content-Language': rendered.locale };
      if (message.kind === 'optional') {
        const url = new URL(`/unsubscribe/${org.unsubscribe(message.to)}`, deps.publicUrl).toString();
        const mailto = `mailto:${org.verp('unsubscribe', message.deliveryId)}?subject=unsubscribe`;
        headers['List-Unsubscribe'] = `<${url}>, <${mailto}>`;
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      try {
        const composed = composeNotice({
          from: { ...(settings.fromName ? { name: settings.fromName } : {}), address: settings.fromAddress },
          ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
          to: message.to,
          subject: rendered.subject,
          text: rendered.text,
          html: withDirection(rendered.html, rendered.locale, rendered.direction),
          messageId: angle(message.messageId),
          headers,
        });
        const raw = await dkimSign(composed, {
          domain: settings.domain,
          selector: settings.dkimSelector,
          key: org.key,
        });
        const info = await pool.send({ from: org.verp('bounce', message.deliveryId), to: message.to }, raw);
        const queued = info.response.match(/queued as\s+([A-Za-z0-9._-]{1,100})/i);
        return { outcome: 'accepted', ...(queued ? { providerId: queued[1] } : {}) };
      } catch (error) {
        return smtpResult(error, message.to);
      }
    },
    async close() {
      await pool.close();
      cache.clear();
    },
  };
}
