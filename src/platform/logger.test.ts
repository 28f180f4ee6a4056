import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('keeps the values of a failed query out of the log: PGlite attaches the parameters, PostgreSQL the failing row', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('new row for relation "oob_contacts" violates check constraint'), {
      code: '23514',
      detail: 'Failing row contains (1, Jana Nováková, +420 601 234 567).',
      params: ['Jana Nováková', '+420 601 234 567'],
      queryOptions: { rowMode: 'object' },
    });
    logger.error({ err: error }, 'request failed');
    const line = lines.join('');
    expect(line).toContain('violates check constraint');
    expect(line).not.toContain('Nováková');
    expect(line).not.toContain('601 234 567');
  });
});
