import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
// @ts-expect-error: a plain ESM rule file without types of its own
import rule from '../eslint-rules/no-sql-interpolation.js';

// RuleTester runs each case as a test of the runner it is given: vitest's.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
});
const invalid = (code: string) => ({ code, errors: [{ messageId: 'interpolated' }] });

tester.run('no-sql-interpolation', rule, {
  valid: [
    "tx.query('SELECT 1 FROM users WHERE id = $1', [id])",
    'tx.query(`SELECT 1\n FROM users WHERE id = $1`, [id])',
    // Fixed text from the code: a constant, a literal choice, a const built from them.
    'tx.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])',
    "tx.query(`SELECT * FROM t ${flag ? 'FOR UPDATE' : ''}`)",
    "const base = 'FROM users'; tx.query(`SELECT count(*) ${base}`)",
    "tx.query('SELECT 1 ' + 'FROM users')",
    'db.query(TIMERS[name].sql)',
    // The reviewed escapes of src/platform/sql-text.ts.
    'tx.query(`SELECT * FROM ${sqlIdentifier(table)} LIMIT ${sqlInteger(n)}`)',
    'tx.query(`UPDATE t SET ${sqlFragment(cols.map((c, i) => `${c} = $${i + 1}`).join(", "))}`, values)',
    // Text whose making is judged where it was made: a parameter of the function.
    'function run(text) { return tx.query(text, []); }',
    // RegExp#exec is no SQL.
    '/^a(b)$/.exec(`${input}`)',
    'PATTERN.exec(`${input}`)',
  ],
  invalid: [
    invalid("tx.query(`SELECT * FROM users WHERE email = '${email}'`)"),
    invalid("tx.query('SELECT * FROM users WHERE email = ' + email)"),
    invalid('tx.query(`SELECT * FROM users LIMIT ${limit}`)'),
    invalid('tx.query(`SELECT * FROM ${table}`)'),
    invalid("db.exec(`SET candor.organization_id = '${organizationId}'`)"),
    invalid('boss.executeSql(`DELETE FROM job WHERE name = ${name}`)'),
    invalid('const text = `SELECT * FROM t WHERE a = ${a}`; tx.query(text)'),
    invalid('tx.query(`SELECT ${cols.join(", ")} FROM t`)'),
    invalid('tx.query(`SELECT * FROM t WHERE ${where.sql}`)'),
  ],
});
