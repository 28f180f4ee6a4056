import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.js';
import { createIncident, createOrganization } from '../../test/factories.js';
import { testDbKind } from '../../test/db.js';
import { verifyAuditChains } from '../modules/audit/index.js';
import { pgDataPath } from '../platform/data-dir.js';
import { openEmbedded } from '../platform/db.js';
import { backupKeygen } from './backup.js';
import { runCommand } from './commands.js';
import { restoreBackup } from './transfer.js';

// `candor backup` and `candor restore` in process, on this file's database: the CLI test
// (test/cli.test.ts) runs the same through the real command line.

const t = await createTestApp();
const orgName = `Backup Org ${Date.now()} Kovářství`;
const org = await createOrganization(t, { name: orgName });
await createIncident(t, org, { title: 'Ransomware on the billing servers' });
const ctx = { config: t.config, db: t.db };
const root = mkdtempSync(path.join(tmpdir(), 'candor-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const identity = await generateX25519Identity();
const recipient = await identityToRecipient(identity);
const identityFile = path.join(root, 'backup-key.txt');
writeFileSync(identityFile, `# a comment\n${identity}\n`, { mode: 0o600 });
const restoreOptions = { identityFile, auditKey: t.config.secrets.auditKey };

const newDataDir = () => mkdtempSync(path.join(root, 'data-'));

describe.runIf(testDbKind === 'server')('candor backup on a PostgreSQL server', () => {
  it('is refused, pointing at pg_dump', async () => {
    const result = await runCommand(ctx, ['backup', path.join(root, 'x.age'), '--recipient', recipient]);
    expect(result).toMatchObject({ exitCode: 1, error: expect.stringContaining('use pg_dump') });
  });
});

describe.runIf(testDbKind === 'embedded')(
  'encrypted backups, restored only when their audit chain verifies',
  () => {
    const encrypted = path.join(root, 'candor.tgz.age');
    const plain = path.join(root, 'candor-plain.tgz');

    it('refuses to write a backup without a recipient unless --unencrypted is given by name', async () => {
      const refused = await runCommand(ctx, ['backup', encrypted]);
      expect(refused.exitCode).toBe(1);
      expect(refused.error).toContain('give --recipient age1…');
      expect(refused.error).toContain('--unencrypted');
      expect(existsSync(encrypted)).toBe(false);
      const bad = await runCommand(ctx, ['backup', encrypted, '--recipient', 'age1nope']);
      expect(bad.error).toContain('"age1nope" is not an age public key');
      const both = await runCommand(ctx, ['backup', encrypted, '--recipient', recipient, '--unencrypted']);
      expect(both.error).toContain('not both');
      expect(existsSync(encrypted)).toBe(false);
    });

    it('writes an age file (0600) that holds none of the data in the clear; --unencrypted a gzip that does', async () => {
      const result = await runCommand(ctx, ['backup', encrypted, '--recipient', recipient]);
      expect(result, result.error).toMatchObject({ exitCode: 0 });
      expect(result.output).toContain(`encrypted to ${recipient}`);
      expect(statSync(encrypted).mode & 0o777).toBe(0o600);
      const bytes = readFileSync(encrypted);
      expect(bytes.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
      expect(bytes.length).toBeGreaterThan(10_000);
      expect(() => gunzipSync(bytes)).toThrow();
      for (const text of [orgName, 'Ransomware on the billing servers', 'audit_events', 'PG_VERSION']) {
        expect(bytes.includes(Buffer.from(text)), text).toBe(false);
      }

      const unencrypted = await runCommand(ctx, ['backup', plain, '--unencrypted']);
      expect(unencrypted.output).toContain('NOT encrypted');
      // The same check finds the organization's name in the plain one: it can tell.
      expect(gunzipSync(readFileSync(plain)).includes(Buffer.from(orgName))).toBe(true);
    });

    it('restores with the identity into a fresh data directory, whose audit chain verifies', async () => {
      const dataDir = newDataDir();
      expect(await restoreBackup(dataDir, encrypted, restoreOptions)).toBeUndefined();
      const restored = await openEmbedded(pgDataPath(dataDir));
      try {
        const reports = await verifyAuditChains(restored, t.config.secrets.auditKey);
        expect(reports.find((r) => r.organizationId === org)).toMatchObject({ ok: true });
        expect(reports.every((r) => r.ok)).toBe(true);
        const names = await restored.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [
          org,
        ]);
        expect(names).toEqual([{ name: orgName }]);
      } finally {
        await restored.close();
      }
      expect(statSync(path.join(pgDataPath(dataDir), 'PG_VERSION')).mode & 0o777).toBe(0o600);
      // A backup written with --unencrypted restores as well (no identity needed).
      expect(await restoreBackup(newDataDir(), plain, { ...restoreOptions, identityFile: undefined })).toBe(
        undefined,
      );
    });

    it('refuses clearly without the identity, with another key, and a tampered file, leaving nothing behind', async () => {
      const dataDir = newDataDir();
      await expect(
        restoreBackup(dataDir, encrypted, { ...restoreOptions, identityFile: undefined }),
      ).rejects.toThrow('is encrypted: give the private key it was encrypted to with --identity FILE');
      const otherKey = path.join(root, 'other-key.txt');
      writeFileSync(otherKey, `${await generateX25519Identity()}\n`);
      await expect(
        restoreBackup(dataDir, encrypted, { ...restoreOptions, identityFile: otherKey }),
      ).rejects.toThrow(
        `does not decrypt with ${otherKey}: it was altered or damaged, or encrypted to another key`,
      );
      const tampered = path.join(root, 'tampered.age');
      const bytes = readFileSync(encrypted);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
      writeFileSync(tampered, bytes);
      await expect(restoreBackup(dataDir, tampered, restoreOptions)).rejects.toThrow(
        `${tampered} does not decrypt with ${identityFile}: it was altered or damaged`,
      );
      expect(existsSync(pgDataPath(dataDir))).toBe(false);
    });

    it('refuses a backup whose audit chain does not verify: rows altered before encryption, or another install’s key', async () => {
      // A database altered behind the application's back, then backed up and encrypted as usual.
      const source = newDataDir();
      await restoreBackup(source, encrypted, restoreOptions);
      const altered = await openEmbedded(pgDataPath(source));
      await altered.query(`UPDATE audit_events SET target_id = 'forged' WHERE organization_id = $1`, [org]);
      const alteredBackup = path.join(root, 'altered.age');
      const made = await runCommand({ config: t.config, db: altered }, [
        'backup',
        alteredBackup,
        '--recipient',
        recipient,
      ]);
      await altered.close();
      expect(made.exitCode, made.error).toBe(0);

      const dataDir = newDataDir();
      await expect(restoreBackup(dataDir, alteredBackup, restoreOptions)).rejects.toThrow(
        `${alteredBackup} was not restored: its audit chain does not verify`,
      );
      await expect(restoreBackup(dataDir, alteredBackup, restoreOptions)).rejects.toThrow(
        `organization ${org}:`,
      );
      await expect(
        restoreBackup(dataDir, encrypted, { ...restoreOptions, auditKey: Buffer.alloc(32, 7) }),
      ).rejects.toThrow('its audit chain does not verify');
      expect(existsSync(pgDataPath(dataDir))).toBe(false);
    });

    it('backup-keygen writes a private key that restores, never inside the data directory nor over a file', async () => {
      const keyFile = path.join(root, 'keygen.txt');
      const publicKey = await backupKeygen(keyFile, t.config.dataDir);
      expect(publicKey).toMatch(/^age1[a-z0-9]{58}$/);
      const file = path.join(root, 'keygen.age');
      expect((await runCommand(ctx, ['backup', file, '--recipient', publicKey])).exitCode).toBe(0);
      await restoreBackup(newDataDir(), file, { ...restoreOptions, identityFile: keyFile });
      await expect(backupKeygen(keyFile, t.config.dataDir)).rejects.toThrow(/EEXIST/);
      await expect(backupKeygen(path.join(t.config.dataDir, 'key.txt'), t.config.dataDir)).rejects.toThrow(
        'is inside the data directory',
      );
    });
  },
);
