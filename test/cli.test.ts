// One file over 400 lines: its cases are one data directory's life, in order (fresh start, the
// running server's commands, stop and start again, restore): split files could not share it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { program } from '../src/cli/main.js';
import { projectRoot } from '../src/platform/paths.js';
import { leaksIn, sensitive } from './secrets.js';
import {
  assertBuilt,
  candor,
  freePort,
  HttpAgent,
  killAll,
  newAdmin,
  setUp,
  signIn,
  spawnStart,
  startCandor,
  serverLogs,
  tempDir,
  type Admin,
  type CandorServer,
} from './process.js';

// Candor on the embedded database, run as its users run it: `node bin/candor.js`
// in child processes on one data directory, over real HTTP and the control socket.
// The tests build on each other, in order.

let root: string;
let dataDir: string;
let env: Record<string, string>;
let port: number;
let server: CandorServer;
let firstLink: string;
let secretsJson: string;
const admin1: Admin = newAdmin();
const admin2: Admin = newAdmin();
let pendingLink: string;
let backupFile: string;
let identityFile: string;
let organizationId: string;

const lockFile = () => path.join(dataDir, 'candor.lock');
const socketFile = () => path.join(dataDir, 'candor.sock');
const pgdata = () => path.join(dataDir, 'pgdata');
const origin = () => `http://localhost:${port}`;

beforeAll(async () => {
  assertBuilt();
  root = tempDir();
  dataDir = path.join(root, 'data');
  port = await freePort();
  env = { CANDOR_DATA_DIR: dataDir };
});

afterAll(() => {
  killAll();
  rmSync(root, { recursive: true, force: true });
});

describe('candor start on a fresh data directory', () => {
  test('reaches a healthy /readyz and prints the setup link on stderr, logs (JSON) on stdout', async () => {
    server = await startCandor(env, { port });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    const link = server.setupLink();
    expect(link, server.stderr).toMatch(new RegExp(`^http://localhost:${port}/setup#token=[\\w-]{20,}$`));
    firstLink = sensitive(link!);
    expect(server.stdout).not.toContain('/setup#token=');
    const logLines = server.stdout.split('\n').filter(Boolean);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(server.stdout).toContain('"msg":"Candor started"');
  });

  test('creates secrets.json with mode 0600 and holds the lock', () => {
    const file = path.join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    secretsJson = readFileSync(file, 'utf8');
    const stored = JSON.parse(secretsJson) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['auditKey', 'masterKey', 'metricsToken', 'sessionKey']);
    for (const value of Object.values(stored)) sensitive(value);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: server.pid, host: hostname() });
    expect(statSync(socketFile()).isSocket()).toBe(true);
  });

  test('a second start on the same data directory exits non-zero, naming the directory and the pid', async () => {
    const second = await candor(['start'], { ...env, PORT: String(await freePort()) });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(dataDir);
    expect(second.stderr).toContain(`process ${server.pid}`);
    expect(second.stderr).toMatch(/already running/);
    // The first one is unharmed.
    expect(server.running).toBe(true);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: server.pid });
  });

  test('the setup link creates the organization and its first admin', async () => {
    const agent = new HttpAgent(origin());
    const created = await setUp(agent, server.url, firstLink, admin1);
    expect(created.json()).toMatchObject({ state: 'enroll' });
    // A link works once.
    const again = await new HttpAgent(origin()).post(`${server.url}/api/setup`, {
      token: new URL(firstLink).hash.replace('#token=', ''),
      organizationName: 'Twice',
      email: 'twice@example.test',
      displayName: 'Twice',
      password: admin1.password,
      locale: 'en',
    });
    expect(again.status).toBe(400);
  });
});

describe('the command-line tool while Candor runs (through the control socket)', () => {
  test('admin create prints a new one-time setup link of the running server', async () => {
    const result = await candor(['admin', 'create'], env);
    expect(result.code, result.stderr).toBe(0);
    const link = /http:\/\/\S+\/setup#token=[\w-]+/.exec(result.stdout)?.[0];
    // The running server's public URL, not the CLI's default port.
    expect(link).toMatch(new RegExp(`^http://localhost:${port}/setup#token=`));
    expect(link).not.toBe(firstLink);
    pendingLink = sensitive(link!);
  });

  test('audit verify prints an ok line per organization and exits 0; --json the same as JSON', async () => {
    const result = await candor(['audit', 'verify'], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ok\s+organization [0-9a-f-]{36}: \d+ events, chain intact$/);

    const json = await candor(['audit', 'verify', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as { ok: boolean; organizations: { organizationId: string }[] };
    expect(report).toEqual({
      ok: true,
      organizations: [{ organizationId: expect.any(String), events: expect.any(Number), ok: true }],
    });
    expect(lines[0]).toContain(report.organizations[0]!.organizationId);
    organizationId = report.organizations[0]!.organizationId;
  });

  test('audit export FILE writes the events as JSON Lines', async () => {
    const file = path.join(root, 'audit.jsonl');
    const result = await candor(['audit', 'export', file], env);
    expect(result.code, result.stderr).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['organization.created', 'user.created']),
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('admin reset-mfa names an unknown address and succeeds for a known one', async () => {
    const unknown = await candor(['admin', 'reset-mfa', 'nobody@example.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No user has the e-mail address nobody@example.test');
    expect(unknown.stdout).toBe('');
    const known = await candor(['admin', 'reset-mfa', admin1.email], env);
    expect(known.code, known.stdout).toBe(0);
    expect(known.stdout).toContain('Second factors removed');
  });

  test('a failure goes to standard error only: `customers export … > dsar.json` never saves it', async () => {
    const missing = await candor(['customers', 'export', 'nobody', '--org', organizationId], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`No customer nobody in organization ${organizationId}.\n`);
    const usage = await candor(['customers', 'export', 'nobody', '--org', 'not-an-id'], env);
    expect(usage.code).toBe(1);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toMatch(/^Usage: candor customers export/);
    const unknown = await candor(['no-such-command'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain("unknown command 'no-such-command'");
  });

  test('backup FILE --recipient writes a backup encrypted to that age key while Candor runs; none is written without one', async () => {
    backupFile = path.join(root, 'candor-backup.tgz.age');
    const refused = await candor(['backup', backupFile], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('give --recipient age1…');
    expect(existsSync(backupFile)).toBe(false);

    const identity = await generateX25519Identity();
    identityFile = path.join(root, 'backup-identity.txt');
    writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 });
    const recipient = await identityToRecipient(identity);
    const result = await candor(['backup', backupFile, '--recipient', recipient], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`Backup written to ${backupFile}, encrypted to ${recipient}`);
    const bytes = readFileSync(backupFile);
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(bytes.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect(bytes.includes(Buffer.from(admin1.email))).toBe(false);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
  });

  test('restore and copy-to-server are refused clearly while Candor runs', async () => {
    const restore = await candor(['restore', backupFile], env);
    expect(restore.code).not.toBe(0);
    expect(restore.stderr).toContain(`Candor is running on ${dataDir} (process ${server.pid})`);
    expect(restore.stderr).toContain('Stop it before you restore a backup');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('pgdata'))).toEqual(['pgdata']);

    const copy = await candor(['copy-to-server', 'postgres://nobody@127.0.0.1:1/none'], env);
    expect(copy.code).not.toBe(0);
    expect(copy.stderr).toContain(`process ${server.pid}`);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe('stopping and starting again', () => {
  test('SIGTERM stops Candor gracefully: exit 0, lock file and control socket removed', async () => {
    const stopped = await server.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(15_000);
    expect(server.stderr).toContain('Candor is shutting down (SIGTERM)');
    expect(existsSync(lockFile())).toBe(false);
    expect(existsSync(socketFile())).toBe(false);
  });

  test('a restart keeps secrets.json and the data, and prints no setup link once an admin exists', async () => {
    server = await startCandor(env, { port });
    expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsJson);
    expect(server.setupLink()).toBeUndefined();
    expect(server.stderr).toContain(`Candor is running: open http://localhost:${port}`);

    const wrong = await signIn(new HttpAgent(origin()), server.url, admin1.email, `${admin1.password}x`);
    expect(wrong.status).toBe(401);
    const right = await signIn(new HttpAgent(origin()), server.url, admin1.email, admin1.password);
    expect(right.status, right.text).toBe(200);
    expect(right.json()).toMatchObject({ state: 'enroll' });
  });

  test('a setup link issued before the restart still works (it lives in the database)', async () => {
    await setUp(new HttpAgent(origin()), server.url, pendingLink, admin2);
    const verify = await candor(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout.trim().split('\n')).toHaveLength(2);
  });

  test('a lock left by a killed process (and its socket) is cleared at the next start', async () => {
    const killedPid = server.pid;
    expect((await server.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: killedPid });
    expect(existsSync(socketFile())).toBe(true);

    server = await startCandor(env, { port });
    expect(server.stderr).not.toMatch(/already running/);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: server.pid });
    // The database came through the kill, and the CLI reaches the new process.
    const right = await signIn(new HttpAgent(origin()), server.url, admin2.email, admin2.password);
    expect(right.status, right.text).toBe(200);
    const verify = await candor(['audit', 'verify'], env);
    expect(verify.code, verify.stdout).toBe(0);
  });

  test('SIGINT (Ctrl-C) stops it gracefully too', async () => {
    expect(await server.stop('SIGINT')).toMatchObject({ code: 0, signal: null });
    expect(existsSync(lockFile())).toBe(false);
  });

  test('SIGTERM while Candor is still starting waits for the start, then stops cleanly', async () => {
    const starting = await spawnStart(env, port);
    const deadline = Date.now() + 20_000;
    while (!existsSync(lockFile()) && starting.running && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(existsSync(lockFile()), starting.stderr).toBe(true);
    const stopped = await starting.stop('SIGTERM');
    expect(stopped, starting.stderr).toMatchObject({ code: 0, signal: null });
    expect(starting.stderr).toContain('Candor is shutting down (SIGTERM)');
    expect(existsSync(lockFile())).toBe(false);
    expect(existsSync(socketFile())).toBe(false);
  });

  test('a lock naming a dead process is stale: a command and a start both go ahead', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const writeStaleLock = () =>
      writeFileSync(
        lockFile(),
        JSON.stringify({ pid: deadPid, host: hostname(), startedAt: new Date().toISOString() }),
        { mode: 0o600 },
      );
    writeStaleLock();
    // Runs here, not through a socket nobody answers, and clears the lock.
    const verify = await candor(['audit', 'verify'], env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(existsSync(lockFile())).toBe(false);

    writeStaleLock();
    server = await startCandor(env, { port });
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: server.pid });
    expect((await server.stop()).code).toBe(0);
  });
});

describe('restore once Candor is stopped', () => {
  test('a missing or damaged backup is refused and leaves the database untouched', async () => {
    const missing = await candor(['restore', path.join(root, 'no-such-file.tgz')], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no-such-file.tgz');
    const damaged = path.join(root, 'damaged.tgz');
    writeFileSync(damaged, 'not a backup');
    const bad = await candor(['restore', damaged], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is not a backup made by candor backup');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('pgdata'))).toEqual(['pgdata']);
    const verify = await candor(['audit', 'verify'], env);
    expect(verify.stdout.trim().split('\n')).toHaveLength(2);
  });

  test('restore FILE brings back the backed-up data and keeps the replaced database', async () => {
    const result = await candor(['restore', backupFile, '--identity', identityFile], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('its audit chain verifies');
    const kept = /kept in (\S+)\.$/m.exec(result.stdout)?.[1];
    expect(kept && existsSync(kept), result.stdout).toBe(true);
    expect(existsSync(pgdata())).toBe(true);
    expect(existsSync(lockFile())).toBe(false);

    // The backup was taken with one organization; the second came after it.
    const verify = await candor(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout.trim().split('\n')).toHaveLength(1);

    server = await startCandor(env, { port });
    const first = await signIn(new HttpAgent(origin()), server.url, admin1.email, admin1.password);
    expect(first.status, first.text).toBe(200);
    const second = await signIn(new HttpAgent(origin()), server.url, admin2.email, admin2.password);
    expect(second.status).toBe(401);
    expect((await server.stop()).code).toBe(0);
  });
});

describe('help and configuration errors', () => {
  test('--help of every command prints its description', async () => {
    const commands: { args: string[]; description: string }[] = [];
    const walk = (command: Command, args: string[]) => {
      for (const sub of command.commands) {
        const subArgs = [...args, sub.name()];
        if (sub.commands.length) walk(sub, subArgs);
        else commands.push({ args: subArgs, description: sub.description() });
      }
    };
    walk(program(), []);
    expect(commands.map((c) => c.args.join(' '))).toEqual(
      expect.arrayContaining([
        'start',
        'migrate',
        'admin create',
        'admin reset-mfa',
        'audit verify',
        'audit export',
        'backup',
        'restore',
        'copy-to-server',
      ]),
    );
    // Each command's help as the installed tool prints it, parsed in this process (a child process
    // a command cost ~1 s of CPU each); one runs end to end below, through bin/candor.js.
    for (const { args, description } of commands) {
      let printed = '';
      const cli = program();
      const capture = (c: Command) => {
        c.exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: () => {} });
        c.commands.forEach(capture);
      };
      capture(cli);
      await expect(
        cli.parseAsync([...args, '--help'], { from: 'user' }),
        args.join(' '),
      ).rejects.toMatchObject({ code: 'commander.helpDisplayed', exitCode: 0 });
      expect(printed).toContain(`Usage: candor ${args.join(' ')}`);
      // Commander wraps long lines; compare word by word.
      expect(printed.replace(/\s+/g, ' ')).toContain(description.replace(/\s+/g, ' '));
    }
    const spawned = await candor(['admin', 'create', '--help'], env);
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toContain('Usage: candor admin create');
  });

  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const result = await candor([flag], {});
      expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  test('in production, a start without CANDOR_SMTP_URL or without secrets fails naming the variable', async () => {
    const prodDir = path.join(root, 'production');
    const noSmtp = await candor(['start'], {
      NODE_ENV: 'production',
      CANDOR_DATA_DIR: prodDir,
      PORT: String(await freePort()),
    });
    expect(noSmtp.code).not.toBe(0);
    expect(noSmtp.stderr).toContain('CANDOR_SMTP_URL');

    const noSecrets = await candor(['start'], {
      NODE_ENV: 'production',
      CANDOR_DATA_DIR: prodDir,
      CANDOR_SMTP_URL: 'smtp://127.0.0.1:2525',
      PORT: String(await freePort()),
    });
    expect(noSecrets.code).not.toBe(0);
    expect(noSecrets.stderr).toMatch(/Configuration error in CANDOR_SESSION_SECRET: it is required/);
    // Production never generates secrets into a file.
    expect(existsSync(path.join(prodDir, 'secrets.json'))).toBe(false);
  });

  test('an invalid PORT fails naming PORT', async () => {
    const result = await candor(['start'], { ...env, PORT: 'abc' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Configuration error in PORT: "abc"');
    expect(existsSync(lockFile())).toBe(false);
  });

  test('a port already in use fails clearly and releases the data directory', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const result = await candor(['start'], { ...env, PORT: String(port) });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/EADDRINUSE|in use/);
      expect(existsSync(lockFile())).toBe(false);
      expect(existsSync(socketFile())).toBe(false);
    } finally {
      busy.close();
    }
  });

  test('copy-to-server refuses a bad URL, and a directory holding no embedded database', async () => {
    const badUrl = await candor(['copy-to-server', 'host=db dbname=candor'], env);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain('must look like postgres://');
    const empty = path.join(root, 'empty');
    const noDatabase = await candor(['copy-to-server', 'postgres://nobody@127.0.0.1:1/none'], {
      CANDOR_DATA_DIR: empty,
    });
    expect(noDatabase.code).not.toBe(0);
    expect(noDatabase.stderr).toContain(`No embedded database in ${path.join(empty, 'pgdata')}`);
    expect(existsSync(path.join(empty, 'pgdata'))).toBe(false);
  });

  test('a data directory whose path is too long for the control socket is refused clearly', async () => {
    const deep = path.join(root, 'd'.repeat(120));
    const result = await candor(['start'], { CANDOR_DATA_DIR: deep, PORT: String(await freePort()) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("too long for Candor's control socket");
    expect(result.stderr).toContain('CANDOR_DATA_DIR');
    expect(existsSync(path.join(deep, 'candor.lock'))).toBe(false);
  });

  test('the JSON logs on stdout hold no secret, token, password or e-mail address', () => {
    expect(serverLogs.length).toBeGreaterThanOrEqual(4);
    // One line per request, by route pattern; probes and the app's files only at debug.
    const requests = serverLogs
      .join('\n')
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'POST', route: '/api/auth/sign-in', status: 200, level: 30 }),
    );
    for (const line of requests) expect(Object.keys(line)).not.toContain('req');
    expect(requests.map((l) => l.route)).not.toContain('/readyz');
    expect(serverLogs.join('\n')).not.toContain('incoming request');
    expect(serverLogs.join('\n')).not.toContain('request completed');
    expect(leaksIn(serverLogs.join('\n'))).toEqual([]);
  });
});
