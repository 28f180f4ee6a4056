#!/usr/bin/env node
// The candor command: runs the compiled CLI (npm run build makes it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('Candor is not built yet: run "npm run build" first (npm start does it for you).\n');
  process.exit(1);
}
const { main } = await import(compiled.href);
await main();
