import { setImmediate as nextTurn } from 'node:timers/promises';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-values';

/**
 * A member's JSON answer parsed in turns of the event loop, so that no answer within the caps (json-values.ts) holds
 * the hub longer than one turn's worth of values. `JSON.parse` builds a whole answer in one step, and at the caps a
 * member may answer (100,000 values of small objects under keys of their own) that step held the hub's event loop
 * 150–160 ms on a 2-core AMD EPYC. Here an answer of more than {@link TURN_VALUES} values is built container by container:
 * a container of at most that many values is handed to `JSON.parse` whole, with its small siblings in runs of as many,
 * and a larger one is opened here and filled from its parts, the loop free between turns (one long string is still
 * parsed in one step: some 3 ms a MiB). The result is what `JSON.parse` gives: the same values, keys in the same
 * order, a `__proto__` key an own property, the last of a duplicated key kept. A text that is not JSON throws a
 * SyntaxError.
 */

/** Most values built in one turn of the event loop (10–20 ms of the costliest JSON on a 2-core AMD EPYC). */
export const TURN_VALUES = 10_000;
/** Characters of the text scanned for its structure in one turn (a few milliseconds). */
const TURN_CHARS = 512 * 1024;

const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/** A text that is not JSON, where the hub found it so. */
function notJson(at: number, rule: string): SyntaxError {
  return new SyntaxError(`not JSON at position ${at}: ${rule}`);
}

/** Where the string opening at `at` ends (the index of its closing quote). */
function stringEnd(text: string, at: number): number {
  let close = text.indexOf('"', at + 1);
  for (;;) {
    if (close === -1) throw notJson(at, 'a string is not closed');
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
}

/** Every object and array of the text, in the order they open, with where each ends and how many values it holds. */
interface Containers {
  start: number[];
  end: number[];
  /** Values inside it, counted as JsonValueCount counts them (itself included). */
  values: number[];
  /** The index of the first container after it and everything inside it. */
  next: number[];
}

async function scan(text: string): Promise<Containers> {
  const found: Containers = { start: [], end: [], values: [], next: [] };
  const open: number[] = [];
  let values = 0;
  let turnEnd = TURN_CHARS;
  for (let i = 0; i < text.length; i += 1) {
    if (i >= turnEnd) {
      await nextTurn();
      turnEnd = i + TURN_CHARS;
    }
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = stringEnd(text, i);
    else if (code === COMMA) values += 1;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      open.push(found.start.length);
      found.start.push(i);
      found.end.push(-1);
      found.values.push(values);
      found.next.push(-1);
      values += 1;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      const index = open.pop();
      if (index === undefined) throw notJson(i, 'a bracket closes nothing');
      const opener = text.charCodeAt(found.start[index] as number);
      if ((opener === OPEN_BRACE) !== (code === CLOSE_BRACE)) throw notJson(i, 'a bracket closes another kind');
      found.end[index] = i;
      found.values[index] = values - (found.values[index] as number);
      found.next[index] = found.start.length;
    }
  }
  if (open.length > 0) throw notJson(text.length, 'a bracket is not closed');
  return found;
}

/** An object or array being filled, and where its next part starts. */
interface Frame {
  target: Json | unknown[];
  isArray: boolean;
  /** Index in the text of its next part (or separator). */
  at: number;
  /** Index of its closing bracket. */
  end: number;
  /** Whether a part was read already (the next one follows a comma). */
  started: boolean;
}

type Json = Record<string, unknown>;

/** Sets a key as `JSON.parse` does: an own property even when it is `__proto__`. */
function setMember(target: Json, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** Most values of a text parsed in one step (with the default turns). */
export const ONE_STEP_VALUES = 2 * TURN_VALUES;

/**
 * The text parsed as `JSON.parse` would, in turns of at most some {@link TURN_VALUES} values. `values` is the count
 * json-values.ts took as the text arrived, or more (a small answer's bytes): a text of no more than twice a turn's
 * values is parsed in one step.
 */
export async function parseInTurns(text: string, values: number, turnValues = TURN_VALUES): Promise<unknown> {
  if (values <= 2 * turnValues) return JSON.parse(text);
  const containers = await scan(text);
  let container = 0;
  // Values and characters parsed since the last turn.
  let built = 0;
  let chars = 0;
  const skipSpace = (at: number) => {
    while (at < text.length && isSpace(text.charCodeAt(at))) at += 1;
    return at;
  };
  /** Where the value starting at `at` ends (exclusive), its values, and the next container after it. */
  const valueEnd = (at: number): { end: number; values: number; next: number; big: boolean } => {
    const code = text.charCodeAt(at);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (containers.start[container] !== at) throw notJson(at, 'a value is out of place');
      const count = containers.values[container] as number;
      return {
        end: (containers.end[container] as number) + 1,
        values: count,
        next: containers.next[container] as number,
        big: count > turnValues,
      };
    }
    if (code === QUOTE) return { end: stringEnd(text, at) + 1, values: 1, next: container, big: false };
    let end = at;
    for (; end < text.length; end += 1) {
      const next = text.charCodeAt(end);
      if (next === COMMA || next === CLOSE_BRACE || next === CLOSE_BRACKET || isSpace(next)) break;
    }
    if (end === at) throw notJson(at, 'a value is missing');
    return { end, values: 1, next: container, big: false };
  };

  // The top value: parsed whole when it is small, else opened here.
  const first = skipSpace(0);
  const top = valueEnd(first);
  if (skipSpace(top.end) !== text.length) throw notJson(skipSpace(top.end), 'text follows the value');
  if (!top.big) return JSON.parse(text);
  const open = (at: number): Frame => {
    const isArray = text.charCodeAt(at) === OPEN_BRACKET;
    const end = containers.end[container] as number;
    container += 1;
    return { target: isArray ? [] : {}, isArray, at: at + 1, end, started: false };
  };
  const root = open(first);
  const frames: Frame[] = [root];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1] as Frame;
    // A run of the frame's small parts, parsed in one step; it stops before a big part, at the frame's end, or at a
    // turn's worth of values or characters.
    let at = skipSpace(frame.at);
    let runStart = -1;
    let runEnd = -1;
    let runValues = 0;
    let runParts = 0;
    /** The run's first part: its key's text (objects) and where its value starts. */
    let firstKey: [number, number] | null = null;
    let firstValue = -1;
    let big: { key: string | null; at: number } | null = null;
    while (at < frame.end) {
      // Where this part begins, its comma included: a part left for the next run starts there.
      const partFrom = at;
      if (frame.started || runStart !== -1) {
        if (text.charCodeAt(at) !== COMMA) throw notJson(at, 'a comma is missing');
        at = skipSpace(at + 1);
      }
      const partStart = at;
      let keyEnd = -1;
      if (!frame.isArray) {
        if (text.charCodeAt(at) !== QUOTE) throw notJson(at, 'a key is missing');
        keyEnd = stringEnd(text, at) + 1;
        at = skipSpace(keyEnd);
        if (text.charCodeAt(at) !== COLON) throw notJson(at, 'a colon is missing');
        at = skipSpace(at + 1);
      }
      const value = valueEnd(at);
      if (value.big) {
        big = { key: keyEnd === -1 ? null : (JSON.parse(text.slice(partStart, keyEnd)) as string), at };
        break;
      }
      // Each part counts its values and its comma, as json-values.ts counts them.
      if (runStart !== -1 && (runValues + value.values + 1 > turnValues || value.end - runStart > TURN_CHARS)) {
        at = partFrom;
        break;
      }
      if (runStart === -1) {
        runStart = partStart;
        firstKey = keyEnd === -1 ? null : [partStart, keyEnd];
        firstValue = at;
      }
      runEnd = value.end;
      runValues += value.values + 1;
      runParts += 1;
      container = value.next;
      at = skipSpace(value.end);
    }
    if (runStart !== -1) {
      // One part (a long string, say) is parsed where it lies: wrapped in brackets, its text would be copied first.
      if (runParts === 1) {
        const one = JSON.parse(text.slice(firstValue, runEnd)) as unknown;
        if (firstKey) setMember(frame.target as Json, JSON.parse(text.slice(...firstKey)) as string, one);
        else (frame.target as unknown[]).push(one);
      } else if (frame.isArray) {
        for (const item of JSON.parse(`[${text.slice(runStart, runEnd)}]`) as unknown[])
          (frame.target as unknown[]).push(item);
      } else {
        const part = JSON.parse(`{${text.slice(runStart, runEnd)}}`) as Json;
        for (const key of Object.keys(part)) setMember(frame.target as Json, key, part[key]);
      }
      frame.started = true;
      built += runValues;
      chars += runEnd - runStart;
    }
    if (big) {
      const child = open(big.at);
      if (frame.isArray) (frame.target as unknown[]).push(child.target);
      else setMember(frame.target as Json, big.key as string, child.target);
      frame.started = true;
      // The frame goes on after the child's closing bracket.
      frame.at = child.end + 1;
      frames.push(child);
      built += 1;
    } else if (at < frame.end) frame.at = at;
    else {
      if (at !== frame.end) throw notJson(at, 'a value runs past its bracket');
      frames.pop();
    }
    if (built >= turnValues || chars >= TURN_CHARS) {
      built = 0;
      chars = 0;
      await nextTurn();
    }
  }
  return root.target;
}
