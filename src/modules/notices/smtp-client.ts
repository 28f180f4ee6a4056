/**
 * A pooled SMTP client that pipelines (RFC 2920) for the notice e-mail channel: each message is one
 * write of MAIL FROM, RCPT TO and DATA and one write of its content, where nodemailer's pool
 * waits for the reply to every command. Written for Candor because the bulk channel was
 * bound by that conversation (docs/BENCHMARKS.md, "Notices"); the platform's own mail stays on
 * nodemailer. Speaks what a relay needs: implicit TLS (smtps://) or STARTTLS, AUTH PLAIN or
 * LOGIN, SMTPUTF8 when an address needs it, the same URL form as nodemailer (query
 * `ignoreTLS`, `requireTLS`, `tls.rejectUnauthorized`, `name`).
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';

export interface SmtpPoolOptions {
  /** smtp://[user:pass@]host[:port][?ignoreTLS=true|requireTLS=true|tls.rejectUnauthorized=false|name=host] */
  url: string;
  maxConnections: number;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** An idle connection is closed (QUIT) after this long. */
  idleTimeoutMs?: number;
}

/** What the server answered, or why there was no answer; `responseCode` is the reply's code. */
export class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode?: number,
    readonly response?: string,
    /** ECONNECTION, ETIMEDOUT, ETLS, EAUTH, EENVELOPE (refused before any server saw it). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

export interface SmtpPool {
  /** Sends one message (CRLF line ends); resolves with the server's final reply (e.g. "250 2.0.0 Ok: queued as …"). */
  send(envelope: { from: string; to: string }, message: Buffer): Promise<{ response: string }>;
  close(): Promise<void>;
}

interface Settings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  ignoreTLS: boolean;
  requireTLS: boolean;
  rejectUnauthorized: boolean;
  name: string;
}

export function parseSmtpUrl(url: string): Settings {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new Error(`an SMTP URL starts with smtp:// or smtps://, not ${u.protocol}//`);
  const flag = (name: string) => u.searchParams.get(name) === 'true';
  const secure = u.protocol === 'smtps:' || (u.searchParams.get('secure') ?? '') === 'true';
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    ...(u.username || u.password
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    ignoreTLS: flag('ignoreTLS'),
    requireTLS: flag('requireTLS'),
    rejectUnauthorized: u.searchParams.get('tls.rejectUnauthorized') !== 'false',
    name: u.searchParams.get('name') ?? os.hostname(),
  };
}

interface Reply {
  code: number;
  text: string;
}

const replyError = (stage: string, reply: Reply) =>
  new SmtpError(`${stage}: ${reply.text}`, reply.code, reply.text);

/** Lines beginning with a dot get another (RFC 5321 §4.5.2), and the message ends CRLF.CRLF. */
export function dotStuff(message: Buffer): Buffer {
  let text = message.toString('latin1');
  if (text.startsWith('.')) text = `.${text}`;
  text = text.replace(/\r\n\./g, '\r\n..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text}.\r\n`, 'latin1');
}

/** An address that can go into MAIL FROM or RCPT TO as it is. */
function envelopeAddress(address: string): { ok: boolean; utf8: boolean } {
  const ok = address.length > 2 && address.length <= 320 && !/[\s<>]/.test(address) && /@/.test(address);
  // eslint-disable-next-line no-control-regex
  return { ok, utf8: /[^\x00-\x7f]/.test(address) };
}

/** One SMTP connection: replies are read into a queue of waiters, in order. */
class Connection {
  private socket: net.Socket | tls.TLSSocket | undefined;
  private buffer = '';
  private lines: string[] = [];
  private waiting: { resolve(r: Reply): void; reject(e: Error): void }[] = [];
  private failure: SmtpError | undefined;
  extensions = new Set<string>();
  private authMethods = new Set<string>();
  closed = false;

  constructor(
    private readonly settings: Settings,
    private readonly timeouts: { connection: number; greeting: number; socket: number },
  ) {}

  private attach(socket: net.Socket | tls.TLSSocket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.timeouts.socket, () =>
      this.fail(new SmtpError('the SMTP server did not answer in time', undefined, undefined, 'ETIMEDOUT')),
    );
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error) =>
      this.fail(
        new SmtpError(`SMTP connection error: ${error.message}`, undefined, undefined, 'ECONNECTION'),
      ),
    );
    socket.on('close', () =>
      this.fail(new SmtpError('the SMTP server closed the connection', undefined, undefined, 'ECONNECTION')),
    );
  }

  private detach() {
    this.socket?.removeAllListeners('data');
    this.socket?.removeAllListeners('error');
    this.socket?.removeAllListeners('close');
    this.socket?.setTimeout(0);
  }

  private read(chunk: Buffer) {
    this.buffer += chunk.toString('utf8');
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      this.lines.push(line);
      // "250-…" continues a reply, "250 …" (or a bare code) ends it.
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.join('\n') };
        this.lines = [];
        const waiter = this.waiting.shift();
        if (waiter) waiter.resolve(reply);
        // A 421 with no one waiting: the server is closing; fail what comes next.
        else if (reply.code === 421)
          this.fail(replyError('the SMTP server is closing the connection', reply));
      } else if (!/^\d{3}-/.test(line)) {
        this.fail(
          new SmtpError(`the SMTP server sent a line that is not a reply`, undefined, undefined, 'EPROTOCOL'),
        );
      }
    }
  }

  private fail(error: SmtpError) {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    for (const w of this.waiting.splice(0)) w.reject(error);
    this.detach();
    this.socket?.destroy();
  }

  /**
   * A 421 says the server is closing the channel (RFC 5321 §3.8): the connection takes no other
   * message, even before the socket's close arrives.
   */
  private closing(error: SmtpError) {
    this.fail(error);
  }

  private reply(): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private write(data: string | Buffer) {
    if (this.failure) throw this.failure;
    this.socket!.write(data);
  }

  /** Writes commands at once and reads one reply per command. */
  command(...lines: string[]): Promise<Reply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = lines.map(() => this.reply());
    this.write(lines.map((l) => `${l}\r\n`).join(''));
    return Promise.all(replies);
  }

  /** Connects, greets, upgrades to TLS and logs in; a failure leaves no socket open. */
  async open(): Promise<void> {
    try {
      await this.handshake();
    } catch (error) {
      this.fail(error instanceof SmtpError ? error : new SmtpError(String(error)));
      throw error;
    }
  }

  private async handshake(): Promise<void> {
    const s = this.settings;
    const socket = await new Promise<net.Socket | tls.TLSSocket>((resolve, reject) => {
      const timer = setTimeout(() => {
        raw.destroy();
        reject(
          new SmtpError('could not connect to the SMTP server in time', undefined, undefined, 'ETIMEDOUT'),
        );
      }, this.timeouts.connection);
      const done = () => {
        clearTimeout(timer);
        raw.removeListener('error', failed);
        resolve(raw);
      };
      const failed = (error: Error) => {
        clearTimeout(timer);
        reject(
          new SmtpError(
            `could not connect to the SMTP server: ${error.message}`,
            undefined,
            undefined,
            'ECONNECTION',
          ),
        );
      };
      const raw = s.secure
        ? tls.connect(
            {
              host: s.host,
              port: s.port,
              servername: net.isIP(s.host) ? undefined : s.host,
              rejectUnauthorized: s.rejectUnauthorized,
            },
            done,
          )
        : net.connect({ host: s.host, port: s.port }, done);
      raw.once('error', failed);
    });
    this.attach(socket);
    const greetingTimer = setTimeout(
      () =>
        this.fail(
          new SmtpError('the SMTP server sent no greeting in time', undefined, undefined, 'ETIMEDOUT'),
        ),
      this.timeouts.greeting,
    );
    const greeting = await this.reply().finally(() => clearTimeout(greetingTimer));
    if (greeting.code !== 220) throw replyError('greeting', greeting);
    await this.hello();
    if (!s.secure && !s.ignoreTLS && this.extensions.has('STARTTLS')) {
      const [ready] = await this.command('STARTTLS');
      if (ready!.code !== 220) throw replyError('STARTTLS', ready!);
      await this.upgrade();
      await this.hello();
    } else if (!s.secure && s.requireTLS) {
      throw new SmtpError(
        'the SMTP server does not offer STARTTLS and requireTLS is set',
        undefined,
        undefined,
        'ETLS',
      );
    }
    if (s.auth) await this.login(s.auth);
  }

  private async hello() {
    let [reply] = await this.command(`EHLO ${this.settings.name}`);
    if (reply!.code >= 500) [reply] = await this.command(`HELO ${this.settings.name}`);
    if (reply!.code !== 250) throw replyError('EHLO', reply!);
    this.extensions.clear();
    this.authMethods.clear();
    for (const line of reply!.text.split('\n').slice(1)) {
      const [keyword, ...params] = line.slice(4).trim().split(/\s+/);
      const name = keyword!.toUpperCase();
      this.extensions.add(name);
      if (name === 'AUTH') for (const p of params) this.authMethods.add(p.toUpperCase());
    }
  }

  private upgrade(): Promise<void> {
    const plain = this.socket as net.Socket;
    this.detach();
    return new Promise((resolve, reject) => {
      const secured = tls.connect(
        {
          socket: plain,
          servername: net.isIP(this.settings.host) ? undefined : this.settings.host,
          rejectUnauthorized: this.settings.rejectUnauthorized,
        },
        () => {
          secured.removeListener('error', failed);
          this.attach(secured);
          resolve();
        },
      );
      const failed = (error: Error) =>
        reject(new SmtpError(`STARTTLS failed: ${error.message}`, undefined, undefined, 'ETLS'));
      secured.once('error', failed);
    });
  }

  private async login(auth: { user: string; pass: string }) {
    let reply: Reply;
    if (this.authMethods.has('PLAIN') || !this.authMethods.has('LOGIN')) {
      const token = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
      [reply] = (await this.command(`AUTH PLAIN ${token}`)) as [Reply];
    } else {
      await this.command('AUTH LOGIN');
      await this.command(Buffer.from(auth.user).toString('base64'));
      [reply] = (await this.command(Buffer.from(auth.pass).toString('base64'))) as [Reply];
    }
    if (reply.code !== 235)
      throw new SmtpError(`authentication refused: ${reply.text}`, reply.code, reply.text, 'EAUTH');
  }

  /** One message: MAIL, RCPT and DATA in one write where the server pipelines, then the content. */
  async send(envelope: { from: string; to: string }, data: Buffer): Promise<string> {
    const from = envelopeAddress(envelope.from);
    const to = envelopeAddress(envelope.to);
    if (!from.ok || !to.ok)
      throw new SmtpError(
        'the envelope holds an address that cannot be sent to',
        undefined,
        undefined,
        'EENVELOPE',
      );
    const utf8 = from.utf8 || to.utf8;
    if (utf8 && !this.extensions.has('SMTPUTF8'))
      throw new SmtpError(
        'the address needs SMTPUTF8, which the SMTP server does not offer',
        undefined,
        undefined,
        'EENVELOPE',
      );
    const mail = `MAIL FROM:<${envelope.from}>${utf8 ? ' SMTPUTF8' : ''}`;
    const rcpt = `RCPT TO:<${envelope.to}>`;
    let replies: Reply[];
    if (this.extensions.has('PIPELINING')) {
      replies = await this.command(mail, rcpt, 'DATA');
    } else {
      replies = await this.command(mail);
      if (replies[0]!.code === 250) {
        replies.push(...(await this.command(rcpt)));
        if (replies[1]!.code < 300) replies.push(...(await this.command('DATA')));
      }
    }
    const [mailReply, rcptReply, dataReply] = replies;
    const refused =
      mailReply!.code !== 250
        ? replyError('MAIL FROM', mailReply!)
        : rcptReply!.code >= 300
          ? replyError('RCPT TO', rcptReply!)
          : dataReply!.code !== 354
            ? replyError('DATA', dataReply!)
            : undefined;
    if (refused) {
      if (refused.responseCode === 421) {
        this.closing(refused);
        throw refused;
      }
      // A DATA that was accepted although a command before it failed is ended empty (RFC 2920 §3.1).
      if (dataReply?.code === 354) await this.command('.');
      await this.command('RSET').catch(() => undefined);
      throw refused;
    }
    if (this.failure) throw this.failure;
    const done = this.reply();
    this.write(data);
    const final = await done;
    if (final.code !== 250) {
      const error = replyError('end of DATA', final);
      if (final.code === 421) this.closing(error);
      throw error;
    }
    return final.text;
  }

  async quit() {
    if (this.closed) return;
    const bye = this.command('QUIT').catch(() => undefined);
    await Promise.race([bye, new Promise((r) => setTimeout(r, 1000))]);
    this.closed = true;
    this.detach();
    this.socket?.destroy();
  }
}

export function createSmtpPool(options: SmtpPoolOptions): SmtpPool {
  const settings = parseSmtpUrl(options.url);
  const timeouts = {
    connection: options.connectionTimeoutMs ?? 30_000,
    greeting: options.greetingTimeoutMs ?? 30_000,
    socket: options.socketTimeoutMs ?? 60_000,
  };
  const idleMs = options.idleTimeoutMs ?? 30_000;
  interface Job {
    envelope: { from: string; to: string };
    data: Buffer;
    resolve(v: { response: string }): void;
    reject(e: Error): void;
  }
  const queue: Job[] = [];
  const workers = new Set<Promise<void>>();
  let closing = false;

  /** A connection's life: open, take jobs until none wait for a while, quit. */
  async function work(): Promise<void> {
    let connection: Connection | undefined;
    let idle: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        let job = queue.shift();
        if (!job && connection && !closing) {
          // Stay a while for more work before closing: the next batch usually comes soon.
          job = await new Promise<Job | undefined>((resolve) => {
            const resume = (next: Job | undefined) => {
              clearTimeout(idle);
              idlers.delete(resume);
              resolve(next);
            };
            idle = setTimeout(() => resume(undefined), idleMs);
            idlers.add(resume);
          });
        }
        if (!job) break;
        if (!connection || connection.closed) {
          connection = new Connection(settings, timeouts);
          try {
            await connection.open();
          } catch (error) {
            connection = undefined;
            job.reject(error as Error);
            // A relay that refuses connections fails each waiting message rather than spinning.
            continue;
          }
        }
        try {
          job.resolve({ response: await connection.send(job.envelope, job.data) });
        } catch (error) {
          job.reject(error as Error);
        }
      }
    } finally {
      await connection?.quit();
    }
  }

  const idlers = new Set<(job: Job | undefined) => void>();
  function dispatch() {
    // An idle connection takes the next job first; a new one opens only if none is idle.
    for (const resume of [...idlers]) {
      if (!queue.length) return;
      resume(queue.shift());
    }
    while (queue.length > 0 && workers.size < options.maxConnections) {
      const w: Promise<void> = work().finally(() => {
        workers.delete(w);
        if (queue.length) dispatch();
      });
      workers.add(w);
    }
  }

  return {
    send(envelope, message) {
      if (closing)
        return Promise.reject(new SmtpError('the SMTP pool is closed', undefined, undefined, 'ECONNECTION'));
      const data = dotStuff(message);
      return new Promise((resolve, reject) => {
        queue.push({ envelope, data, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closing = true;
      for (const resume of [...idlers]) resume(undefined);
      await Promise.all(workers);
    },
  };
}
