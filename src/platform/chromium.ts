import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

// How Candor launches Debian's Chromium (PDF export, browser tests): no sandbox in containers,
// and none of its calls home, which this network refuses.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH when set (and only it), else `command -v chromium` on the PATH. */
export function findChromium(configured: string | undefined): string | undefined {
  if (configured) return isExecutable(configured) ? configured : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}
