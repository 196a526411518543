/**
 * How much work a member's JSON answer is to parse, counted as its bytes arrive, before any of it is parsed.
 *
 * A parse's cost is not its bytes: a long string parses at about 1 ms a MiB, while a MiB of small objects, each
 * under a key of its own, takes some 70 ms (measured on a 2-core Intel Xeon, Node.js 22), all of it on the hub's
 * event loop. So an answer is bounded by its values as well as its bytes: the count below is taken chunk by chunk as
 * the answer streams in (about 2 ms a MiB, in slices as small as the chunks), and an answer past its cap is given up
 * before any parse sees it. Within the caps, the count tells json-turns.ts whether to parse it in turns.
 */

/** JSON's structural characters, as UTF-8 bytes and UTF-16 code units alike (json-turns.ts reads them too). */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
/** Plain bytes of a string read one by one before the rest of it is searched for its end. */
const LONG_RUN = 32;

/**
 * A running count of the values in a JSON text, fed in chunks split anywhere (inside a string or an escape too):
 * each object and array counts one at its opening bracket, and each item or member after the first counts one at
 * its comma. Brackets and commas inside strings are not counted. So every value is counted but a scalar that comes
 * first in its object or array: at least half of what `JSON.parse` builds, never more. It is not a validator (a
 * text that is not JSON is counted all the same, and refused by the parse).
 */
export class JsonValueCount {
  /** Values counted so far. */
  count = 0;
  /** Objects so far (each `{` outside strings). */
  objects = 0;
  /** Object members so far (each `:` outside strings): the keys a parse makes, every one of them. */
  members = 0;
  private inString = false;
  private escaped = false;

  /** Counts one more chunk of the text, and returns the count so far. */
  add(chunk: Uint8Array): number {
    let count = this.count;
    let objects = this.objects;
    let members = this.members;
    let inString = this.inString;
    let escaped = this.escaped;
    const length = chunk.length;
    // Where the next quote and backslash of this chunk are (-1: none to its end; -2: not looked for yet). A long
    // string's text is skipped natively to the next of them; each is looked for again only once passed, so a chunk
    // is read once. Short strings are read byte by byte, which is faster than a search for each.
    let quoteAt = -2;
    let backslashAt = -2;
    let plainRun = 0;
    let i = 0;
    while (i < length) {
      const byte = chunk[i] as number;
      i += 1;
      if (!inString) {
        if (byte === QUOTE) {
          inString = true;
          plainRun = 0;
        } else if (byte === COMMA || byte === OPEN_BRACKET) count += 1;
        else if (byte === OPEN_BRACE) {
          count += 1;
          objects += 1;
        } else if (byte === COLON) members += 1;
      } else if (escaped) {
        // The character after a backslash is taken as it is, whatever it is.
        escaped = false;
      } else if (byte === QUOTE) inString = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (++plainRun === LONG_RUN) {
        plainRun = 0;
        if (quoteAt !== -1 && quoteAt < i) quoteAt = chunk.indexOf(QUOTE, i);
        if (backslashAt !== -1 && backslashAt < i) backslashAt = chunk.indexOf(BACKSLASH, i);
        const next = quoteAt === -1 ? backslashAt : backslashAt === -1 ? quoteAt : Math.min(quoteAt, backslashAt);
        i = next === -1 ? length : next;
      }
    }
    this.count = count;
    this.objects = objects;
    this.members = members;
    this.inString = inString;
    this.escaped = escaped;
    return count;
  }
}

/** Which of an answer's caps it went past. */
export type AnswerLimit = 'bytes' | 'values';

/** An answer given up past one of its caps, before it was parsed. */
export class AnswerPastLimit extends Error {
  constructor(
    readonly limit: AnswerLimit,
    readonly cap: number,
  ) {
    super(`the answer holds more than ${cap} ${limit === 'bytes' ? 'bytes' : 'JSON values'}`);
    this.name = 'AnswerPastLimit';
  }
}

export interface AnswerCaps {
  /** Most bytes read of the answer. */
  maxBytes: number;
  /** Most values it may hold, as {@link JsonValueCount} counts them. */
  maxValues: number;
  /**
   * Bytes up to which an answer's values are not counted: its bytes stand for them. Every value the count takes is a
   * `{`, `[` or `,` of its own outside strings, so no text holds more counted values than bytes, and an answer this
   * small is within any values cap at least as large. For callers that only need to know that much: json-turns.ts
   * parses any answer of up to 2 × TURN_VALUES values in one step. A shard's page of 20 units is some 6 KB, and its
   * count cost the hub as much as its parse, once per shard of a fan-out. Taken as `maxValues` where larger.
   * @default 0
   */
  uncountedBytes?: number;
}

/** An answer read whole: its text, its bytes and its values. */
export interface AnswerWithinCaps {
  text: string;
  bytes: number;
  /** Its values as {@link JsonValueCount} counts them; for an answer within `uncountedBytes`, its bytes (no fewer). */
  values: number;
}

/**
 * An answer's body read whole within its caps, as UTF-8 text; past either cap it throws {@link AnswerPastLimit} at
 * the chunk that crossed it, and reads no further. `onChunk` sees every chunk read (for budgets and metrics), before
 * the caps are checked. Each chunk is decoded as it arrives, so the whole answer is copied once at its end, not
 * twice (a copy of 16 MiB holds the event loop some 10 ms).
 */
export async function readWithinCaps(
  body: AsyncIterable<Uint8Array>,
  caps: AnswerCaps,
  onChunk?: (bytes: number) => void,
): Promise<AnswerWithinCaps> {
  const decoder = new TextDecoder();
  const texts: string[] = [];
  const values = new JsonValueCount();
  const uncountedBytes = Math.min(caps.uncountedBytes ?? 0, caps.maxValues);
  // The chunks not counted yet, while the answer is within uncountedBytes (a stream's chunks are the reader's to keep).
  let uncounted: Uint8Array[] | null = uncountedBytes > 0 ? [] : null;
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    onChunk?.(chunk.length);
    if (bytes > caps.maxBytes) throw new AnswerPastLimit('bytes', caps.maxBytes);
    if (uncounted && bytes <= uncountedBytes) uncounted.push(chunk);
    else {
      if (uncounted) for (const earlier of uncounted) values.add(earlier);
      uncounted = null;
      if (values.add(chunk) > caps.maxValues) throw new AnswerPastLimit('values', caps.maxValues);
    }
    texts.push(decoder.decode(chunk, { stream: true }));
  }
  texts.push(decoder.decode());
  return { text: texts.join(''), bytes, values: uncounted ? bytes : values.count };
}
