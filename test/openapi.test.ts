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
