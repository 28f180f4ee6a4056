import { randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { createEmailChannel } from './channel-email.js';
import type { OutgoingNotice, RenderedNotice } from './notice-contracts.js';

// The e-mail channel against real SMTP servers (smtp-server) that refuse, hang up, want TLS and
// credentials, or do not pipeline: what each does to a notice's outcome, and to the next ones.

const t = await createTestApp();
const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
const saved = await admin.put('/api/email-settings', {
  fromAddress: 'notices@shop.example',
  dkimSelector: 'candor2026',
});
expect(saved.statusCode, saved.body).toBe(200);

interface Received {
  from: string;
  to: string[];
  body: string;
  secure: boolean;
  user: string | undefined;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A real SMTP server with the given options; records what it accepted and the recipients it was asked for. */
async function server(
  options: SMTPServerOptions & {
    refuse?: (to: string) => number | undefined;
    /** A reply code to answer a message's content with, instead of accepting it. */
    refuseData?: () => number | undefined;
  } = {},
) {
  const received: Received[] = [];
  const commands: string[] = [];
  const { refuse, refuseData, ...rest } = options;
  const refusal = (code: number) =>
    Object.assign(new Error(`refused ${code}`), { responseCode: code }) as Error & { responseCode: number };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...rest,
    onRcptTo(address, _session, callback) {
      commands.push(`RCPT ${address.address}`);
      const code = refuse?.(address.address);
      callback(code ? refusal(code) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = refuseData?.();
        if (code) return callback(refusal(code));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => smtp.close(() => resolve(undefined))));
  const { port } = smtp.server.address() as AddressInfo;
  return { port, received, commands, smtp };
}

function channelTo(url: string, maxConnections = 2) {
  const channel = createEmailChannel({
    db: t.db,
    keyring,
    smtpUrl: url,
    email: { ...t.config.email, maxConnections },
    publicUrl: t.config.publicUrl,
  });
  closers.push(() => channel.close());
  return channel;
}

const rendered = (text: string): RenderedNotice => ({
  locale: 'en',
  direction: 'ltr',
  subject: 'Notice',
  text,
  html: '<p>Notice</p>',
  sms: '',
  webhook: {},
});

function notice(to: string, text = 'We are sorry.'): OutgoingNotice {
  const deliveryId = randomUUID();
  return {
    deliveryId,
    organizationId: org,
    channel: 'email',
    kind: 'mandatory',
    to,
    messageId: `<${deliveryId}@notices.candor.test>`,
    rendered: rendered(text),
  };
}

describe('the e-mail channel over SMTP', () => {
  it('sends a batch over at most maxConnections connections, each message whole, dot-stuffed lines restored', async () => {
    const s = await server();
    const channel = channelTo(`smtp://127.0.0.1:${s.port}`, 3);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        channel.send(
          notice(`c${i}@example.test`, `line one ${i}\n.a line that starts with a dot\n..two dots`),
        ),
      ),
    );
    expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    expect(s.received).toHaveLength(30);
    for (let i = 0; i < 30; i++) {
      const got = s.received.find((r) => r.to[0] === `c${i}@example.test`)!;
      expect(got.from).toMatch(/^bounces\+[0-9a-f]{32}\.[0-9a-f]{18}@localhost$/);
      expect(got.body).toContain(`line one ${i}\r\n.a line that starts with a dot\r\n..two dots\r\n`);
    }
    // Three connections at most: smtp-server counts its open connections.
    expect(s.smtp.connections.size).toBeLessThanOrEqual(3);
  });

  it('pipelines: MAIL FROM, RCPT TO and DATA reach a relay that offers PIPELINING in one write', async () => {
    const writes: string[] = [];
    const relay = createServer((socket: Socket) => {
      socket.write('220 relay ESMTP\r\n');
      let data = false;
      socket.on('data', (d: Buffer) => {
        const text = d.toString();
        if (data) {
          if (text.endsWith('\r\n.\r\n')) {
            data = false;
            socket.write('250 2.0.0 Ok: queued as ABC123\r\n');
          }
          return;
        }
        writes.push(text);
        if (text.startsWith('EHLO')) socket.write('250-relay\r\n250 PIPELINING\r\n');
        else if (text.startsWith('MAIL')) {
          data = true;
          socket.write('250 ok\r\n250 ok\r\n354 go on\r\n');
        } else if (text.startsWith('QUIT')) socket.end('221 bye\r\n');
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => relay.close(resolve)));
    const channel = channelTo(`smtp://127.0.0.1:${(relay.address() as AddressInfo).port}`, 1);
    expect(await channel.send(notice('x@example.test'))).toEqual({
      outcome: 'accepted',
      providerId: 'ABC123',
    });
    expect(writes.find((w) => w.startsWith('MAIL'))).toMatch(
      /^MAIL FROM:<bounces\+[^>]+>\r\nRCPT TO:<x@example\.test>\r\nDATA\r\n$/,
    );
  });

  it('works with a server that does not pipeline, one command at a time', async () => {
    const s = await server({ hidePIPELINING: true });
    const channel = channelTo(`smtp://127.0.0.1:${s.port}`);
    const results = await Promise.all(
      ['x@example.test', 'y@example.test'].map((to) => channel.send(notice(to))),
    );
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(s.received.map((r) => r.to[0]).sort()).toEqual(['x@example.test', 'y@example.test']);
  });

  it('a refused recipient fails that notice with the reply; the connection goes on with the next', async () => {
    const s = await server({
      refuse: (to) => (to.startsWith('gone') ? 550 : to.startsWith('later') ? 451 : undefined),
    });
    const channel = channelTo(`smtp://127.0.0.1:${s.port}`, 1);
    const [gone, later, ok] = await Promise.all(
      ['gone@example.test', 'later@example.test', 'ok@example.test'].map((to) => channel.send(notice(to))),
    );
    expect(gone).toEqual({ outcome: 'permanent', error: expect.stringMatching(/^550 /), suppress: true });
    expect(later).toEqual({ outcome: 'temporary', error: expect.stringMatching(/^451 /) });
    expect(ok!.outcome).toBe('accepted');
    expect(s.received.map((r) => r.to)).toEqual([['ok@example.test']]);
    expect(s.smtp.connections.size).toBe(1);
  });

  it('a 421 ends the connection: that notice is temporary, the next, already queued, goes over a new one', async () => {
    const replies = [421];
    const s = await server({ refuseData: () => replies.shift() });
    const channel = channelTo(`smtp://127.0.0.1:${s.port}`, 1);
    // Both are queued on the one connection; the pool does not promise which reaches DATA first.
    const recipients = ['first@example.test', 'second@example.test'];
    const results = await Promise.all(recipients.map((to) => channel.send(notice(to))));
    const closed = results.findIndex((r) => r.outcome === 'temporary');
    expect(results[closed]).toEqual({ outcome: 'temporary', error: expect.stringMatching(/^421 /) });
    expect(results[1 - closed]!.outcome).toBe('accepted');
    expect(s.received.map((r) => r.to)).toEqual([[recipients[1 - closed]]]);
    expect(s.received).toHaveLength(1);
  });

  it('STARTTLS when offered, AUTH over it; a certificate it cannot verify is refused unless the URL allows it', async () => {
    const s = await server({
      disabledCommands: [],
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'relay' && auth.password === 's3cr3t p@ss')
          return callback(null, { user: 'relay' });
        callback(new Error('bad credentials'));
      },
    });
    const strict = channelTo(`smtp://relay:s3cr3t%20p%40ss@127.0.0.1:${s.port}`);
    expect((await strict.send(notice('x@example.test'))).outcome).toBe('temporary');

    const allowed = channelTo(
      `smtp://relay:s3cr3t%20p%40ss@127.0.0.1:${s.port}?tls.rejectUnauthorized=false`,
    );
    expect((await allowed.send(notice('y@example.test'))).outcome).toBe('accepted');
    expect(s.received).toEqual([
      expect.objectContaining({ to: ['y@example.test'], secure: true, user: 'relay' }),
    ]);

    // Credentials refused (535): permanent for this notice, no suppression of the recipient.
    const wrong = channelTo(`smtp://relay:wrong@127.0.0.1:${s.port}?tls.rejectUnauthorized=false`);
    expect(await wrong.send(notice('z@example.test'))).toMatchObject({
      outcome: 'permanent',
      suppress: false,
    });
  });

  it('requireTLS refuses a server without STARTTLS; an address with a line break never reaches a server', async () => {
    const s = await server();
    const tlsOnly = channelTo(`smtp://127.0.0.1:${s.port}?requireTLS=true`);
    expect((await tlsOnly.send(notice('x@example.test'))).outcome).toBe('temporary');

    const plain = channelTo(`smtp://127.0.0.1:${s.port}`);
    const injected = await plain.send(notice('x@example.test>\r\nRCPT TO:<y@example.test'));
    expect(injected).toMatchObject({ outcome: 'permanent', suppress: false });
    expect(s.commands).toEqual([]);
    expect(s.received).toEqual([]);
  });

  it('a relay that hangs up mid-message: that notice is temporary (the engine retries it), the next goes over a new connection', async () => {
    // Greets, takes one envelope, accepts DATA, then hangs up on the first connection; later
    // connections are handed to a real SMTP server.
    const real = await server();
    let connections = 0;
    const flaky = createServer((socket: Socket) => {
      connections++;
      if (connections > 1) {
        const upstream = new Socket();
        upstream.connect(real.port, '127.0.0.1', () => socket.pipe(upstream).pipe(socket));
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
        return;
      }
      socket.write('220 flaky ESMTP\r\n');
      socket.on('data', (d: Buffer) => {
        const text = d.toString();
        if (text.startsWith('EHLO')) socket.write('250-flaky\r\n250 PIPELINING\r\n');
        else if (text.startsWith('MAIL')) socket.write('250 ok\r\n250 ok\r\n354 go on\r\n');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => flaky.close(resolve)));
    const channel = channelTo(`smtp://127.0.0.1:${(flaky.address() as AddressInfo).port}`, 1);
    const first = await channel.send(notice('lost@example.test'));
    expect(first.outcome).toBe('temporary');
    expect((await channel.send(notice('next@example.test'))).outcome).toBe('accepted');
    expect(real.received.map((r) => r.to[0])).toEqual(['next@example.test']);
  });
});
