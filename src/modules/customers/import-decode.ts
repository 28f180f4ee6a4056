import iconv from 'iconv-lite';
import { byteOrderMark, CHARSET_SAMPLE_BYTES, detectCharset } from './charset-model.js';
import type { ImportEncoding } from './customer-model.js';

/** A file refused whole (not text, unknown encoding, no header): its message code, nothing of its content. */
export class ImportRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImportRefused';
  }
}

/* ---------- bytes to text ---------- */

export interface Decoded {
  text: AsyncGenerator<string>;
  encoding: ImportEncoding;
  bytes: () => number;
}

/**
 * The file as text. Its encoding: a byte-order mark's, else the one chosen, else what its first
 * 64 KiB tell (charset-model.ts, the detector the import page uses too).
 */
export async function decode(
  source: AsyncIterable<Buffer | string>,
  chosen?: ImportEncoding,
): Promise<Decoded> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < CHARSET_SAMPLE_BYTES && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const sample = head.subarray(0, CHARSET_SAMPLE_BYTES);
  let encoding = byteOrderMark(sample) ?? chosen;
  let recognised = true;
  if (!encoding) {
    const found = detectCharset(sample, done && head.length <= CHARSET_SAMPLE_BYTES);
    encoding = found.encoding;
    recognised = found.by !== 'none';
  }
  if (!encoding.startsWith('utf-16') && head.includes(0)) throw new ImportRefused('not_text');
  if (!recognised) throw new ImportRefused('unknown_encoding');
  let bytes = 0;
  const decoder = iconv.getDecoder(encoding);
  async function* text(): AsyncGenerator<string> {
    bytes += head.length;
    let carry = '';
    const out = (s: string) => {
      // CRLF and lone CR become LF (also inside quoted fields); a CR at a chunk's end waits.
      let t = carry + s;
      carry = '';
      if (t.endsWith('\r')) {
        carry = '\r';
        t = t.slice(0, -1);
      }
      return t.replace(/\r\n?/g, '\n');
    };
    yield out(decoder.write(head));
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = Buffer.from(next.value);
      bytes += chunk.length;
      yield* pieces(out(decoder.write(chunk)));
    }
    yield out(decoder.end() ?? '') + carry.replace('\r', '\n');
  }
  return { text: text(), encoding, bytes: () => bytes };
}

const PIECE = 16 * 1024;

/**
 * Text in pieces of at most 16 Ki characters (never between the two halves of a surrogate pair):
 * the parser then works a few milliseconds at a time, and the batch being written meanwhile gets
 * its database answers without waiting for a whole large chunk to be parsed.
 */
function* pieces(text: string): Generator<string> {
  let at = 0;
  while (text.length - at > PIECE) {
    let end = at + PIECE;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(at, end);
    at = end;
  }
  yield text.slice(at);
}
