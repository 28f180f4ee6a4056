#!/usr/bin/env node
// Builds the server (tsc) and the admin app (vite) into dist/, each only when what it is built
// from changed since its last successful build. Usage:
//   node scripts/build.mjs                 build what is stale (npm start runs this first)
//   node scripts/build.mjs --force [TARGET...]  build anyway (npm run build, build:server, build:web)
//
// After a successful build a stamp in dist/.stamps/ records a SHA-256 of every input file (path and
// content) and the mtime of one output file. Content rather than mtimes, so that a checkout, an
// archive extracted with old dates or a deleted file are all seen; the output's mtime, so that a
// build run by hand (npx tsc …) is not taken for the stamped one. A stamp is removed before a build
// starts and written only after it succeeds: a failed or interrupted build always builds again.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const STAMP_VERSION = 1;
const SCRIPT = path.relative(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
  fileURLToPath(import.meta.url),
);

const notTests = (file) => /\.test\.tsx?$/.test(file) || file.split('/').includes('node_modules');

/** What each target is built from, and the file its build must produce. */
export const TARGETS = {
  server: {
    // tsconfig.build.json: src without its tests, and the catalogs.
    dirs: ['src', 'locales'],
    files: ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', SCRIPT],
    output: 'dist/src/cli/main.js',
  },
  web: {
    // The app imports models and contracts from src/: all of it counts (a server-only change costs
    // a needless web build of a second or two, never a stale app).
    dirs: ['web', 'src', 'locales'],
    files: ['package.json', 'package-lock.json', SCRIPT],
    output: 'dist/web/index.html',
  },
};

const stampFile = (root, target) => path.join(root, 'dist', '.stamps', `${target}.json`);

function walk(root, dir, into) {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(root, file, into);
    else if (entry.isFile() && !notTests(file)) into.add(file);
  }
}

/** The SHA-256 of a target's inputs: every file's path and content, a missing file as missing. */
export function inputHash(root, target) {
  const spec = TARGETS[target];
  const files = new Set(spec.files);
  for (const dir of spec.dirs) walk(root, dir, files);
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(`${file}\0`);
    const absolute = path.join(root, file);
    hash.update(existsSync(absolute) ? readFileSync(absolute) : '\0missing');
    hash.update('\0');
  }
  return hash.digest('hex');
}

// Whole milliseconds: what every file system and utimes() keep.
// Rounded to the millisecond: a time set back through utimes (seconds as a float) comes back a few
// nanoseconds off, and truncating would then see another millisecond.
const outputMtime = (file) => Math.round(statSync(file).mtimeMs);

function readStamp(root, target) {
  try {
    const stamp = JSON.parse(readFileSync(stampFile(root, target), 'utf8'));
    return stamp.version === STAMP_VERSION ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Why a target must be built, or undefined when its output in dist/ is current. */
export function staleReason(root, target) {
  const stamp = readStamp(root, target);
  if (!stamp) return 'no successful build recorded';
  const output = path.join(root, TARGETS[target].output);
  if (!existsSync(output)) return `${TARGETS[target].output} is missing`;
  if (outputMtime(output) !== stamp.outputMtimeMs) return 'dist/ was built outside this script';
  if (inputHash(root, target) !== stamp.inputs) return 'its sources changed';
  return undefined;
}

/** The targets to build, each with its reason; empty when dist/ is current. */
export function staleTargets(root) {
  return Object.keys(TARGETS)
    .map((target) => ({ target, reason: staleReason(root, target) }))
    .filter((t) => t.reason !== undefined);
}

/** Records a successful build; `inputs` is the hash taken when the build started. */
export function writeStamp(root, target, inputs) {
  const file = stampFile(root, target);
  mkdirSync(path.dirname(file), { recursive: true });
  const stamp = {
    version: STAMP_VERSION,
    inputs,
    outputMtimeMs: outputMtime(path.join(root, TARGETS[target].output)),
  };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

const require = createRequire(import.meta.url);
// Resolved only when a build runs: an install without dev dependencies starts from a current dist/.
const COMMANDS = {
  server: () => [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  web: () => [
    path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'),
    'build',
    '--config',
    'web/vite.config.ts',
  ],
};

function run(root, target) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, COMMANDS[target](), { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`The ${label(target)} build failed (${signal ?? `exit code ${code}`}).`)),
    );
  });
}

const label = (target) => (target === 'web' ? 'admin app' : 'server');

/** Builds the targets in turn; the first failure throws and leaves that target without a stamp. */
export async function build(root, targets, log = (line) => process.stderr.write(`${line}\n`)) {
  for (const target of targets) {
    rmSync(stampFile(root, target), { force: true });
    // Hashed before the build starts, so that an edit made while it runs is seen at the next start.
    const inputs = inputHash(root, target);
    log(`Building the ${label(target)}…`);
    await run(root, target);
    writeStamp(root, target, inputs);
  }
}

async function main(args) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const force = args.includes('--force');
  const named = args.filter((a) => a !== '--force');
  for (const name of named) {
    if (!(name in TARGETS))
      throw new Error(`Unknown build target ${name}: use ${Object.keys(TARGETS).join(' or ')}.`);
  }
  const targets = force
    ? named.length
      ? named
      : Object.keys(TARGETS)
    : staleTargets(root)
        .filter((t) => !named.length || named.includes(t.target))
        .map((t) => {
          process.stderr.write(`The ${label(t.target)} needs a build: ${t.reason}.\n`);
          return t.target;
        });
  if (!targets.length) {
    process.stderr.write('dist/ is current: nothing to build.\n');
    return;
  }
  await build(root, targets);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  });
}
