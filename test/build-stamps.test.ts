import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, staleTargets } from '../scripts/build.mjs';

// The step before `npm start` (scripts/build.mjs) on a small project of the same layout, built for
// real by tsc and vite: what it decides to build after each kind of change.

let root: string;
const write = (file: string, content: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
};
const stale = () => staleTargets(root).map((t) => t.target);
const reasons = () => Object.fromEntries(staleTargets(root).map((t) => [t.target, t.reason]));
const quiet = () => undefined;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'candor-build-'));
  write('package.json', '{ "type": "module" }\n');
  write('package-lock.json', '{}\n');
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        strict: true,
        outDir: 'dist',
        rootDir: '.',
        types: [],
        skipLibCheck: true,
      },
    }),
  );
  write(
    'tsconfig.build.json',
    JSON.stringify({ extends: './tsconfig.json', include: ['src'], exclude: ['src/**/*.test.ts'] }),
  );
  write('src/cli/main.ts', 'export const answer: number = 42;\n');
  write('src/cli/main.test.ts', 'export {};\n');
  write('src/model.ts', "export const STATES = ['open', 'closed'] as const;\n");
  write('locales/en.json', '{ "hello": "Hello" }\n');
  write('web/index.html', '<!doctype html><script type="module" src="/main.ts"></script>\n');
  write('web/main.ts', "import { STATES } from '../src/model';\ndocument.title = STATES.join();\n");
  write(
    'web/vite.config.ts',
    "import path from 'node:path';\nimport { fileURLToPath } from 'node:url';\n" +
      'const root = path.dirname(fileURLToPath(import.meta.url));\n' +
      "export default { root, logLevel: 'silent', build: { outDir: path.join(root, '..', 'dist', 'web'), emptyOutDir: true } };\n",
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm start builds only what is stale', () => {
  test('a fresh clone builds the server and the admin app; then nothing is stale', async () => {
    expect(reasons()).toEqual({
      server: 'no successful build recorded',
      web: 'no successful build recorded',
    });
    await build(root, ['server', 'web'], quiet);
    expect(statSync(path.join(root, 'dist/src/cli/main.js')).isFile()).toBe(true);
    expect(statSync(path.join(root, 'dist/web/index.html')).isFile()).toBe(true);
    expect(stale()).toEqual([]);
  });

  test('a changed server source rebuilds both (the app imports from src/); undone, nothing is stale', () => {
    write('src/cli/main.ts', 'export const answer: number = 43;\n');
    expect(reasons()).toEqual({ server: 'its sources changed', web: 'its sources changed' });
    write('src/cli/main.ts', 'export const answer: number = 42;\n');
    expect(stale()).toEqual([]);
  });

  test('a file of the admin app rebuilds only the app; a test file rebuilds nothing', () => {
    write('web/main.ts', "import { STATES } from '../src/model';\ndocument.title = STATES.join(' ');\n");
    expect(stale()).toEqual(['web']);
    write('web/main.ts', "import { STATES } from '../src/model';\ndocument.title = STATES.join();\n");
    write('src/cli/main.test.ts', 'export const changed = true;\n');
    expect(stale()).toEqual([]);
  });

  test('a new or deleted source, a catalog, the lock file and the build config all count', () => {
    write('src/extra.ts', 'export {};\n');
    expect(stale()).toEqual(['server', 'web']);
    rmSync(path.join(root, 'src/extra.ts'));
    expect(stale()).toEqual([]);
    rmSync(path.join(root, 'src/model.ts'));
    expect(stale()).toEqual(['server', 'web']);
    write('src/model.ts', "export const STATES = ['open', 'closed'] as const;\n");
    write('locales/en.json', '{ "hello": "Hi" }\n');
    expect(stale()).toEqual(['server', 'web']);
    write('locales/en.json', '{ "hello": "Hello" }\n');
    write('package-lock.json', '{ "lockfileVersion": 3 }\n');
    expect(stale()).toEqual(['server', 'web']);
    write('package-lock.json', '{}\n');
    write(
      'tsconfig.build.json',
      JSON.stringify({ extends: './tsconfig.json', include: ['src'], exclude: ['src/**/*.test.ts', 'x'] }),
    );
    expect(stale()).toEqual(['server']);
    write(
      'tsconfig.build.json',
      JSON.stringify({ extends: './tsconfig.json', include: ['src'], exclude: ['src/**/*.test.ts'] }),
    );
    expect(stale()).toEqual([]);
  });

  test('a dist/ rebuilt by hand or removed is not taken for the stamped one', () => {
    const main = path.join(root, 'dist/src/cli/main.js');
    const { atime, mtimeMs } = statSync(main);
    // Back to the millisecond the stamp recorded (utimes cannot give back the nanoseconds).
    const recorded = new Date(Math.round(mtimeMs));
    utimesSync(main, atime, new Date(recorded.getTime() + 1000));
    expect(reasons()).toEqual({ server: 'dist/ was built outside this script' });
    utimesSync(main, atime, recorded);
    expect(stale()).toEqual([]);
    rmSync(path.join(root, 'dist/web'), { recursive: true });
    expect(reasons()).toEqual({ web: 'dist/web/index.html is missing' });
  });

  test('a failed build leaves no stamp: the next start builds again', async () => {
    await build(root, ['web'], quiet);
    expect(stale()).toEqual([]);
    write('src/cli/main.ts', 'export const answer: number = "not a number";\n');
    await expect(build(root, ['server'], quiet)).rejects.toThrow(/server build failed/);
    expect(reasons()).toMatchObject({ server: 'no successful build recorded' });
    // Even once the source is put back: what is in dist/ came from the failed build.
    write('src/cli/main.ts', 'export const answer: number = 42;\n');
    expect(reasons()).toEqual({ server: 'no successful build recorded' });
    await build(root, ['server'], quiet);
    expect(stale()).toEqual([]);
  });
});
