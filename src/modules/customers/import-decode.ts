import iconv from 'iconv-lite';
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

export async function decode(
  source: AsyncIterable<Buffer | string>,
  chosen?: ImportEncoding,
): Promise<Decoded> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 4096 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  let encoding: ImportEncoding;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) encoding = 'utf-8';
  else if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
  else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  else encoding = chosen ?? 'utf-8';
  if (!encoding.startsWith('utf-16') && head.includes(0)) throw new ImportRefused('not_text');
  if (encoding === 'utf-8' && !chosen) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    } catch {
      throw new ImportRefused('unknown_encoding');
    }
  }
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
