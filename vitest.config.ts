import { defineConfig } from 'vitest/config';

// Every test file that touches the database runs on the embedded engine and,
// when TEST_DATABASE_URL is set (.ci/run sets it), on that PostgreSQL server too.
const server = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    pool: 'forks',
    // Two files at a time. Vitest's default on this 2-core machine is one (cores - 1), which leaves
    // a core idle while a file waits on a child process, a browser, a socket or the database.
    maxWorkers: 2,
    // Files share their worker's module graph: every file builds its own app, database, SMTP server
    // and browser, and none mocks a module, so loading the app's modules once per worker instead of
    // once per file takes the time of a run down by about two fifths (README.md).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: 'embedded',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          env: { CANDOR_TEST_DB: 'embedded' },
        },
      },
      ...(server
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['src/**/*.db.test.ts', 'test/**/*.db.test.ts'],
                globalSetup: ['test/global-setup.ts'],
                env: { CANDOR_TEST_DB: 'server' },
              },
            },
          ]
        : []),
    ],
  },
});
