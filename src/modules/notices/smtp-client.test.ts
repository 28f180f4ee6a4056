import { createServer, Socket, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpPool, dotStuff, parseSmtpUrl, SmtpError, type SmtpPool } from './smtp-client.js';

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

/** A real SMTP server (smtp-server) with the given options; records what it accepted. */
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
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...rest,
    onRcptTo(address, _session, callback) {
      commands.push(`RCPT ${address.address}`);
      const code = refuse?.(address.address);
      if (code) {
        const error = new Error(`refused ${code}`) as Error & { responseCode: number };
        error.responseCode = code;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = refuseData?.();
        if (code) {
          const error = new Error(`refused ${code}`) as Error & { responseCode: number };
          error.responseCode = code;
          return callback(error);
        }
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

function pool(url: string, maxConnections = 2): SmtpPool {
  const p = createSmtpPool({ url, maxConnections, socketTimeoutMs: 3000, greetingTimeoutMs: 3000 });
  closers.push(() => p.close());
  return p;
}

const message = (body: string) =>
  Buffer.from(`From: a@shop.test\r\nTo: b@example.test\r\nSubject: t\r\n\r\n${body}\r\n`);

describe('the pipelining SMTP pool', () => {
  it('sends a batch over a few connections, each message whole, dot-stuffed lines restored', async () => {
    const s = await server();
    const p = pool(`smtp://127.0.0.1:${s.port}`, 3);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        p.send(
          { from: `bounces+${i}@candor.test`, to: `c${i}@example.test` },
          message(`line one ${i}\r\n.a line that starts with a dot\r\n..two dots`),
        ),
      ),
    );
    expect(results.every((r) => r.response.startsWith('250'))).toBe(true);
    expect(s.received).toHaveLength(30);
    for (let i = 0; i < 30; i++) {
      const got = s.received.find((r) => r.to[0] === `c${i}@example.test`)!;
      expect(got.from).toBe(`bounces+${i}@candor.test`);
      expect(got.body).toContain(`line one ${i}\r\n.a line that starts with a dot\r\n..two dots\r\n`);
    }
    // Three connections at most: smtp-server counts its open connections.
    expect(s.smtp.connections.size).toBeLessThanOrEqual(3);
  });

  it('works with a server that does not pipeline, one command at a time', async () => {
    const s = await server({ hidePIPELINING: true });
    const p = pool(`smtp://127.0.0.1:${s.port}`);
    await Promise.all(
      ['x@example.test', 'y@example.test'].map((to) => p.send({ from: 'b@candor.test', to }, message('hi'))),
    );
    expect(s.received.map((r) => r.to[0]).sort()).toEqual(['x@example.test', 'y@example.test']);
  });

  it('a refused recipient fails that message with the code; the connection goes on with the next', async () => {
    const s = await server({
      refuse: (to) => (to.startsWith('gone') ? 550 : to.startsWith('later') ? 451 : undefined),
    });
    const p = pool(`smtp://127.0.0.1:${s.port}`, 1);
    const [gone, later, ok] = await Promise.allSettled([
      p.send({ from: 'b@candor.test', to: 'gone@example.test' }, message('1')),
      p.send({ from: 'b@candor.test', to: 'later@example.test' }, message('2')),
      p.send({ from: 'b@candor.test', to: 'ok@example.test' }, message('3')),
    ]);
    expect(gone.status === 'rejected' && (gone.reason as SmtpError).responseCode).toBe(550);
    expect(later.status === 'rejected' && (later.reason as SmtpError).responseCode).toBe(451);
    expect(ok.status).toBe('fulfilled');
    expect(s.received.map((r) => r.to)).toEqual([['ok@example.test']]);
    expect(s.smtp.connections.size).toBe(1);
  });

  it('a 421 ends the connection at once: the next message, already queued, goes over a new one', async () => {
    let replies = [421];
    const s = await server({ refuseData: () => replies.shift() });
    const p = pool(`smtp://127.0.0.1:${s.port}`, 1);
    const [closing, next] = await Promise.allSettled([
      p.send({ from: 'b@candor.test', to: 'first@example.test' }, message('1')),
      p.send({ from: 'b@candor.test', to: 'second@example.test' }, message('2')),
    ]);
    expect(closing.status === 'rejected' && (closing.reason as SmtpError).responseCode).toBe(421);
    expect(next.status).toBe('fulfilled');
    expect(s.received.map((r) => r.to)).toEqual([['second@example.test']]);
    replies = [];
  });

  it('STARTTLS when offered, AUTH PLAIN over it; a certificate it cannot verify is refused unless allowed', async () => {
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
    const strict = pool(`smtp://relay:s3cr3t%20p%40ss@127.0.0.1:${s.port}`);
    const refused = await strict
      .send({ from: 'b@candor.test', to: 'x@example.test' }, message('x'))
      .catch((e: unknown) => e as SmtpError);
    expect(refused).toBeInstanceOf(SmtpError);
    expect((refused as SmtpError).code).toBe('ETLS');

    const allowed = pool(`smtp://relay:s3cr3t%20p%40ss@127.0.0.1:${s.port}?tls.rejectUnauthorized=false`);
    await allowed.send({ from: 'b@candor.test', to: 'y@example.test' }, message('y'));
    expect(s.received).toEqual([
      expect.objectContaining({ to: ['y@example.test'], secure: true, user: 'relay' }),
    ]);

    const wrong = pool(`smtp://relay:wrong@127.0.0.1:${s.port}?tls.rejectUnauthorized=false`);
    const denied = await wrong
      .send({ from: 'b@candor.test', to: 'z@example.test' }, message('z'))
      .catch((e: unknown) => e as SmtpError);
    expect((denied as SmtpError).code).toBe('EAUTH');
    expect((denied as SmtpError).responseCode).toBe(535);
  });

  it('requireTLS refuses a server without STARTTLS; an address with a line break never reaches a server', async () => {
    const s = await server();
    const p = pool(`smtp://127.0.0.1:${s.port}?requireTLS=true`);
    const noTls = await p
      .send({ from: 'b@candor.test', to: 'x@example.test' }, message('x'))
      .catch((e: unknown) => e as SmtpError);
    expect((noTls as SmtpError).code).toBe('ETLS');

    const plain = pool(`smtp://127.0.0.1:${s.port}`);
    const injected = await plain
      .send({ from: 'b@candor.test', to: 'x@example.test>\r\nRCPT TO:<y@example.test' }, message('x'))
      .catch((e: unknown) => e as SmtpError);
    expect((injected as SmtpError).code).toBe('EENVELOPE');
    expect(s.commands).toEqual([]);
    expect(s.received).toEqual([]);
  });

  it('a server that drops the connection mid-message fails only the messages in flight; the next ones reconnect', async () => {
    // A fake relay: greets, takes one envelope, accepts DATA, then hangs up on the first
    // connection; later connections are handed to a real SMTP server.
    const real = await server();
    let connections = 0;
    const flaky = createServer((socket: Socket) => {
      connections++;
      if (connections > 1) {
        const upstream = new Socket();
        upstream.connect(real.port, '127.0.0.1', () => {
          socket.pipe(upstream).pipe(socket);
        });
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
    const port = (flaky.address() as AddressInfo).port;
    const p = pool(`smtp://127.0.0.1:${port}`, 1);
    const first = await p
      .send({ from: 'b@candor.test', to: 'lost@example.test' }, message('lost'))
      .catch((e: unknown) => e as SmtpError);
    expect((first as SmtpError).code).toBe('ECONNECTION');
    await p.send({ from: 'b@candor.test', to: 'next@example.test' }, message('next'));
    expect(real.received.map((r) => r.to)).toEqual([['next@example.test']]);
  });

  it('reads the URL the way the platform mailer does', () => {
    expect(parseSmtpUrl('smtps://u:p%40ss@mail.example.com')).toMatchObject({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'u', pass: 'p@ss' },
    });
    expect(parseSmtpUrl('smtp://relay:2525?ignoreTLS=true&name=candor.example')).toMatchObject({
      port: 2525,
      secure: false,
      ignoreTLS: true,
      name: 'candor.example',
    });
    expect(() => parseSmtpUrl('http://mail.example.com')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(dotStuff(Buffer.from('.x\r\nb\r\n.y')).toString()).toBe('..x\r\nb\r\n..y\r\n.\r\n');
  });
});
