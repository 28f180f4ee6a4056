import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/platform/paths.js';
import { createTestApp } from './app.js';

const run = promisify(execFile);
const t = await createTestApp();

describe('the API document', () => {
  it('passes redocly lint with the recommended rules and none turned off: 0 errors', async () => {
    const document = (await t.app.inject('/api/openapi.json')).body;
    const dir = mkdtempSync(path.join(tmpdir(), 'candor-openapi-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, document);
    try {
      const result = await run(
        path.join(projectRoot, 'node_modules', '.bin', 'redocly'),
        ['lint', file, '--extends', 'recommended', '--format', 'summary', '--max-problems', '1000'],
        {
          // Nothing leaves the machine: no usage report, no update check.
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? String(error),
        failed: true,
      }));
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output, output).toContain('Your API description is valid');
      expect('failed' in result, output).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('writes each shared schema once, under components, and refers to it everywhere else', async () => {
    const text = (await t.app.inject('/api/openapi.json')).body;
    const document = JSON.parse(text) as { components: { schemas: Record<string, unknown> } };
    expect(Object.keys(document.components.schemas)).toContain('ErrorBody');
    const refs = text.split('"$ref":"#/components/schemas/ErrorBody"').length - 1;
    // Every operation answers its errors with the one envelope, never an inlined copy of it.
    expect(refs).toBeGreaterThan(100);
    const envelopes: string[] = [];
    JSON.parse(text, (key, value: unknown) => {
      const properties = (value as { properties?: Record<string, unknown> } | null)?.properties;
      if (properties && ['code', 'message', 'requestId'].every((name) => name in properties))
        envelopes.push(key);
      return value;
    });
    // Only the component itself spells the envelope's fields out.
    expect(envelopes).toEqual(['error']);
  });

  it('describes the bodies read raw and the answers written raw, and every operation has a 2xx and a 4xx', async () => {
    type Operation = {
      requestBody?: { content: Record<string, unknown> };
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    const document = JSON.parse((await t.app.inject('/api/openapi.json')).body) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const op = (path: string, method: string) => document.paths[path]![method]!;
    const bodyTypes = (path: string) => Object.keys(op(path, 'post').requestBody?.content ?? {});
    expect(bodyTypes('/api/imports')).toEqual([
      'text/csv',
      'application/x-ndjson',
      'application/octet-stream',
    ]);
    expect(bodyTypes('/api/incidents/{id}/affected-customers/by-file')).toContain('text/csv');
    expect(bodyTypes('/api/bounces/dsn')).toEqual(['message/rfc822', 'message/global']);
    expect(bodyTypes('/api/public/sms-status/{organizationId}/{deliveryId}')).toEqual([
      'application/x-www-form-urlencoded',
    ]);
    expect(bodyTypes('/unsubscribe/{token}')).toContain('application/x-www-form-urlencoded');
    expect(Object.keys(op('/api/audit/export', 'get').responses['200']?.content ?? {})).toEqual([
      'application/x-ndjson',
    ]);
    expect(
      Object.keys(op('/api/notice-sends/{sendId}/events', 'get').responses['200']?.content ?? {}),
    ).toEqual(['text/event-stream']);
    const without = (prefix: string) =>
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(
            ([, operation]) => !Object.keys(operation.responses).some((code) => code.startsWith(prefix)),
          )
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
    expect(without('2')).toEqual([]);
    // Public reads without input can only answer 2xx (a style sheet, the session probe, passkey options).
    expect(without('4')).toEqual([
      'GET /api/auth/session',
      'POST /api/auth/passkey/options',
      'GET /api/contacts/print.css',
    ]);
  });

  it('says for each operation who may call it, as the access layer enforces it', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json<{
      paths: Record<string, Record<string, { operationId: string; security: Record<string, string[]>[] }>>;
    }>();
    expect(spec.paths['/api/auth/sign-in']!.post!.security).toEqual([]);
    expect(spec.paths['/api/incidents']!.get!.security).toEqual([
      { session: [] },
      { token: ['incidents.read'] },
    ]);
    expect(spec.paths['/api/incidents']!.post!.security).toEqual([
      { session: [], csrf: [] },
      { token: ['incidents.manage'] },
    ]);
    const ids = Object.values(spec.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
