// @ts-check
import js from '@eslint/js';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import noSqlInterpolation from './eslint-rules/no-sql-interpolation.js';

const AUTH_OF = {
  selector: "TSNonNullExpression > MemberExpression[property.name='auth']",
  message: 'Use authOf(request) (modules/access/acting.ts): it says who calls, or refuses.',
};
const SQL_KEYWORDS = '/^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|LOCK|SET|CREATE|ALTER|DROP|TRUNCATE|COPY)\\s/';
const SQL_MESSAGE = 'SQL lives in *-repo.ts files (and src/platform/): call a repo function here.';
/** A module's routes and services call repos; only repos (and the platform) speak SQL. */
const SQL_ONLY_IN_REPOS = [
  {
    selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
    message: SQL_MESSAGE,
  },
  { selector: `Literal[value=${SQL_KEYWORDS}]`, message: SQL_MESSAGE },
  { selector: `TemplateElement[value.raw=${SQL_KEYWORDS}]`, message: SQL_MESSAGE },
];
const CATALOG_ATTRIBUTES = {
  selector: 'JSXAttribute[name.name=/^(title|placeholder|alt|aria-label)$/] > Literal',
  message: 'User-visible attribute text must come from the message catalogs.',
};
/** React, in the admin app and in the server-rendered public pages alike. */
const REACT = {
  plugins: { react, 'react-hooks': reactHooks },
  settings: { react: { version: 'detect' } },
  rules: {
    ...reactHooks.configs.recommended.rules,
    // Every string a person sees comes from the message catalogs.
    'react/jsx-no-literals': [
      'error',
      { noStrings: true, ignoreProps: true, allowedStrings: ['·', '—', '/', ':', '(', ')', '•', '…'] },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // A module knows the platform and other modules, never the app that composes them: what it
    // needs is a dependency type of its own (src/app.ts and src/server.ts hand it over).
    files: ['src/modules/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': ['error', AUTH_OF, ...SQL_ONLY_IN_REPOS],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(app|server|main)\\.js$',
              message: 'A module does not import the app: declare the dependencies it needs as its own type.',
            },
            {
              regex: '^\\.\\./(?!platform/)[a-z-]+/(?!index\\.js$|[a-z-]+-model\\.js$)',
              message: 'Another module is reached only through its index.ts, the surface it chose to show.',
            },
          ],
        },
      ],
    },
  },
  {
    // Repos speak SQL; tests set up and inspect rows with it.
    files: ['src/modules/**/*-repo.ts', 'src/modules/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', AUTH_OF] },
  },
  {
    files: ['src/*.ts', 'src/cli/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*-repo.ts'],
    rules: { 'no-restricted-syntax': ['error', ...SQL_ONLY_IN_REPOS] },
  },
  {
    // A module's tests may reach into other modules to set up their data.
    files: ['src/modules/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(app|server|main)\\.js$',
              message: 'Tests build the app through test/app.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The composition root and the command line reach modules only through their index.ts, too, or
    // a *-model.ts (constants and types that load nothing: what every CLI start may import).
    files: ['src/*.ts', 'src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.?/modules/[a-z-]+/(?!index\\.js$|[a-z-]+-model\\.js$)',
              message: 'A module is reached only through its index.ts, the surface it chose to show.',
            },
          ],
        },
      ],
    },
  },
  {
    // The platform is what modules stand on: it knows neither them nor the configuration's shape.
    files: ['src/platform/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(modules/.*|config|app|server|main)\\.js$',
              message: 'The platform imports nothing from src/modules, src/config.ts or the app.',
            },
          ],
        },
      ],
    },
  },
  {
    // Row-level security confines a forgotten WHERE, not injected SQL (which could set the tenant
    // setting itself): SQL text is never built from values (eslint-rules/no-sql-interpolation.js).
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.{ts,tsx}'],
    plugins: { candor: { rules: { 'no-sql-interpolation': noSqlInterpolation } } },
    rules: { 'candor/no-sql-interpolation': 'error' },
  },
  {
    // Benchmarks print their figures; scripts say what they did.
    files: ['bench/**/*.ts', 'scripts/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    ...REACT,
    rules: { ...REACT.rules, 'no-restricted-syntax': ['error', CATALOG_ATTRIBUTES] },
  },
  {
    // Server-rendered public pages (JSX to static HTML): the admin app's rules, and a module's.
    files: ['src/**/*.tsx'],
    ...REACT,
    rules: {
      ...REACT.rules,
      'no-restricted-syntax': ['error', AUTH_OF, ...SQL_ONLY_IN_REPOS, CATALOG_ATTRIBUTES],
    },
  },
);
