import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { PGlite } from '@electric-sql/pglite';

/*
 * Backups are encrypted with age (age-encryption.org/v1) to public keys the operator gives:
 * Candor never holds the private key, so a backup copied off the machine, or the backup folder
 * read by someone else, shows nothing. `age -d -i key.txt` decrypts one without Candor.
 */

/** The first line of every age file. */
const AGE_HEADER = 'age-encryption.org/v1\n';
/** The gzip magic number: a backup written with --unencrypted. */
const GZIP = [0x1f, 0x8b];

export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * What `candor backup` was asked to do: encrypt to these age recipients, or (only when asked by
 * name) write the database unencrypted.
 */
export type BackupTarget = { recipients: string[] } | { unencrypted: true };

/** An age recipient (a public key) as age-keygen prints it. */
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** Checks the recipients given on the command line; the message says what to give instead. */
export function backupTarget(recipients: string[], unencrypted: boolean): BackupTarget {
  if (unencrypted && recipients.length) {
    throw new BackupError('Give either --recipient or --unencrypted, not both.');
  }
  if (unencrypted) return { unencrypted: true };
  if (!recipients.length) {
    throw new BackupError(
      'candor backup encrypts the backup to your age public key: give --recipient age1… (or ' +
        '--recipients-file FILE). Make a key pair with "candor backup-keygen FILE" or "age-keygen -o FILE" on ' +
        'another machine, keep the private key there, not beside the data. To write the database ' +
        'unencrypted all the same, say --unencrypted.',
    );
  }
  for (const recipient of recipients) {
    if (!RECIPIENT.test(recipient)) {
      throw new BackupError(
        `"${recipient}" is not an age public key (age1 and 58 more characters, as age-keygen prints it).`,
      );
    }
  }
  return { recipients };
}

/** The recipients of an age recipients file: one public key a line, # comments and blank lines skipped. */
export function readRecipientsFile(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/**
 * Writes a backup of the embedded database to `file` (mode 0600): the gzipped data directory,
 * encrypted to the recipients. The file appears whole or not at all (written beside it, then
 * renamed).
 */
export async function writeBackup(pglite: PGlite, file: string, target: BackupTarget): Promise<void> {
  const dump = new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
  let bytes: Uint8Array = dump;
  if ('recipients' in target) {
    const encrypter = new Encrypter();
    for (const recipient of target.recipients) encrypter.addRecipient(recipient);
    bytes = await encrypter.encrypt(dump);
  }
  const partial = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(partial, bytes, { mode: 0o600, flag: 'wx' });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * The gzipped data directory of a backup, decrypted with the operator's identity (age private
 * key) file when it is encrypted. A file that does not decrypt (altered, or for another key) is
 * refused, naming why.
 */
export async function readBackup(file: string, identityFile: string | undefined): Promise<Uint8Array> {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, AGE_HEADER.length).toString('latin1') !== AGE_HEADER) {
    if (bytes[0] === GZIP[0] && bytes[1] === GZIP[1]) return bytes; // written with --unencrypted
    throw new BackupError(`${file} is not a backup made by candor backup (neither age-encrypted nor gzip).`);
  }
  if (!identityFile) {
    throw new BackupError(
      `${file} is encrypted: give the private key it was encrypted to with --identity FILE (an age identity file, AGE-SECRET-KEY-1…).`,
    );
  }
  const identities = readFileSync(identityFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (!identities.length) {
    throw new BackupError(`${identityFile} holds no age private key (a line AGE-SECRET-KEY-1…).`);
  }
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  try {
    return await decrypter.decrypt(new Uint8Array(bytes));
  } catch (error) {
    throw new BackupError(
      `${file} does not decrypt with ${identityFile}: it was altered or damaged, or encrypted to another key (${(error as Error).message}).`,
      { cause: error },
    );
  }
}

/**
 * A new age key pair for backups: the private key written to `file` (mode 0600, never over an
 * existing file), which must be outside the data directory. Returns the public key.
 */
export async function backupKeygen(file: string, dataDir: string): Promise<string> {
  const relative = path.relative(path.resolve(dataDir), path.resolve(file));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new BackupError(
      `${file} is inside the data directory: a backup's private key kept beside the data protects nothing. Write it elsewhere, ideally on another machine.`,
    );
  }
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  writeFileSync(file, `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return recipient;
}
