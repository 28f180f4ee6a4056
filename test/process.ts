import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { projectRoot } from '../src/platform/paths.js';
import { sensitive } from './secrets.js';

/**
 * Candor as its users run it: `node bin/candor.js …` in a child process,
 * spoken to over real HTTP. Needs `npm run build` (npm test runs it first).
 */
export const CANDOR_BIN = path.join(projectRoot, 'bin', 'candor.js');

export function assertBuilt(): void {
  if (!existsSync(path.join(projectRoot, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('Process tests run the compiled CLI: run "npm run build" first (npm test does).');
  }
}

export function tempDir(prefix = 'candor-proc-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The parent's environment without anything that configures Candor, so a
 * child sees only what a test gives it (no secrets unless a test sets them).
 */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CANDOR_|DATABASE_URL$|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|TEST_DATABASE_URL$)/.test(key)) continue;
    base[key] = value;
  }
  return { ...base, NODE_ENV: 'test', ...env };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every child a test file spawned; the ones still running are killed after the file. */
const children = new Set<ChildProcess>();
/** What every `candor start` wrote to standard output (its JSON logs), for the leak scan (leaksIn). */
export const serverLogs: string[] = [];

/** Call from afterAll: kills whatever a failed test left running. */
export function killAll(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function spawnCandor(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [CANDOR_BIN, ...args], {
    cwd: projectRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  // 'close' fires once the process exited and its output pipes are drained.
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/** Runs one command to its end. */
export async function candor(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<Finished> {
  const child = spawnCandor(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await exited(child);
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`candor ${args.join(' ')} did not finish in ${timeoutMs} ms`);
  return { code, signal, stdout, stderr };
}

export class CandorServer {
  stdout = '';
  stderr = '';
  constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    child.once('close', () => serverLogs.push(this.stdout));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The one-time setup link printed on standard error, if any. */
  setupLink(): string | undefined {
    return /http:\/\/\S+\/setup#token=[\w-]+/.exec(this.stderr)?.[0];
  }

  /** Sends a signal and waits for the exit; returns the exit code and how long it took. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000) {
    const started = Date.now();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.child.kill(signal);
    const result = await exited(this.child);
    clearTimeout(timer);
    return { ...result, ms: Date.now() - started };
  }
}

/** Spawns `candor start` without waiting for anything. */
export async function spawnStart(env: Record<string, string>, port?: number): Promise<CandorServer> {
  const chosen = port ?? (await freePort());
  return new CandorServer(spawnCandor(['start'], { PORT: String(chosen), ...env }), chosen);
}

/**
 * Starts `candor start` and resolves once GET /readyz answers 200 (or, with
 * readyWhen, once that predicate holds for its output, for a worker without
 * HTTP); rejects with its output if it exits first.
 */
export async function startCandor(
  env: Record<string, string>,
  options: { port?: number; timeoutMs?: number; readyWhen?: (server: CandorServer) => boolean } = {},
): Promise<CandorServer> {
  const server = await spawnStart(env, options.port);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (!server.running) {
      await exited(server.child);
      throw new Error(
        `candor start exited (${server.child.exitCode ?? server.child.signalCode}) before it was ready:\n` +
          `${server.stderr}\n${server.stdout}`,
      );
    }
    if (options.readyWhen) {
      if (options.readyWhen(server)) return server;
    } else {
      const ready = await fetch(`${server.url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return server;
    }
    if (Date.now() > deadline) {
      server.child.kill('SIGKILL');
      throw new Error(`candor start was not ready in time:\n${server.stderr}\n${server.stdout}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A browser-like client over real HTTP: keeps cookies, sends the Origin on
 * every state-changing request and the CSRF token once it has one.
 */
export class HttpAgent {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(readonly origin: string) {}

  async request(method: string, url: string, body?: unknown): Promise<HttpResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' ? { origin: this.origin } : {}),
        ...(method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (
      parsed &&
      typeof parsed === 'object' &&
      'csrfToken' in parsed &&
      typeof parsed.csrfToken === 'string'
    ) {
      this.csrfToken = parsed.csrfToken;
    }
    return { status: response.status, headers: response.headers, text, json: <T>() => parsed as T };
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body: unknown = {}) => this.request('POST', url, body);
}

export interface Admin {
  email: string;
  password: string;
  organizationName: string;
}

export function newAdmin(): Admin {
  const id = randomBytes(4).toString('hex');
  return {
    email: sensitive(`admin-${id}@example.test`),
    password: sensitive(`pw-${randomBytes(12).toString('base64url')}`),
    organizationName: `Org ${id}`,
  };
}

/** Uses a setup link: creates its organization and first admin, signed in on the agent. */
export async function setUp(agent: HttpAgent, serverUrl: string, link: string, admin: Admin) {
  const token = sensitive(new URL(link).hash.replace('#token=', ''));
  const response = await agent.post(`${serverUrl}/api/setup`, {
    token,
    organizationName: admin.organizationName,
    email: admin.email,
    displayName: 'First Admin',
    password: admin.password,
    locale: 'en',
  });
  expect(response.status, response.text).toBe(200);
  return response;
}

export function signIn(agent: HttpAgent, serverUrl: string, email: string, password: string) {
  return agent.post(`${serverUrl}/api/auth/sign-in`, { email, password });
}

/** The secrets an embedded install generated, as the environment variables a server install needs. */
export function secretsEnvFrom(dataDir: string): Record<string, string> {
  const stored = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<
    string,
    string
  >;
  return {
    CANDOR_SESSION_SECRET: sensitive(stored.sessionKey!),
    CANDOR_MASTER_KEY: sensitive(stored.masterKey!),
    CANDOR_AUDIT_KEY: sensitive(stored.auditKey!),
    CANDOR_METRICS_TOKEN: sensitive(stored.metricsToken!),
  };
}
