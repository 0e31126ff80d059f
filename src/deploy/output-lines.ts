/**
 * Turns streamed output chunks into masked lines of bounded size, and keeps the last few lines for failure reports.
 *
 * A command may print without ever printing a newline. Holding such a "line" until its end would grow without bound
 * (a string of hundreds of MB, then a crash inside the executor's data handler), so a line longer than
 * {@link MAX_LINE_BYTES} (UTF-8) is cut into pieces: every piece but the last ends with {@link LINE_CONTINUES} and
 * the line goes on in the next piece. A cut never falls inside a character, nor inside a secret the masker knows: the
 * cut moves before the secret, and text that could be the start of a secret still arriving is held back until the
 * next chunk shows whether it is one.
 */
import { clipText } from './clip-text.ts';
import type { Masker } from './secret-masker.ts';

export const LAST_LINES_KEPT = 20;
/** Longest line handed on, in UTF-8 bytes (marker included). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Ends each piece of a cut line but the last. */
export const LINE_CONTINUES = ' …[line continues]';
/** Longest line kept by {@link RecentLines} (failure messages and comments have size limits). */
export const RECENT_LINE_CHARS = 1_000;

export interface LineCollector {
  push(chunk: string): void;
  /** Emits whatever is left after the last newline. */
  flush(): void;
}

const encoder = new TextEncoder();

/** UTF-8 size of `text`, or a bound that decides `size <= limit` the same way without counting when it is clear. */
function exceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return Buffer.byteLength(text, 'utf8') > limit;
}

/** The longest prefix of `text` (in UTF-16 units) whose UTF-8 form fits `bytes`; at least one character. */
function fittingPrefix(text: string, scratch: Uint8Array): number {
  const { read } = encoder.encodeInto(text, scratch);
  if (read > 0) return read;
  return (text.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
}

/** The earliest occurrence of a needle that starts before `cut` and ends after it, as [start, end]. */
function straddling(text: string, cut: number, needles: readonly string[]): [number, number] | undefined {
  let found: [number, number] | undefined;
  for (const needle of needles) {
    if (needle.length < 2) continue;
    const at = text.indexOf(needle, Math.max(0, cut - needle.length + 1));
    if (at === -1 || at >= cut) continue;
    if (found === undefined || at < found[0]) found = [at, at + needle.length];
  }
  return found;
}

/**
 * Where to cut `text` so the piece fits `scratch` (UTF-8) and no occurrence of a needle spans the cut: before the
 * earliest spanning secret; when that secret starts the text, after it (masked, it is short).
 */
function safeCut(text: string, scratch: Uint8Array, needles: readonly string[]): number {
  let cut = fittingPrefix(text, scratch);
  let forward = false;
  for (;;) {
    const span = straddling(text, cut, needles);
    if (span === undefined) return cut;
    if (!forward && span[0] > 0) {
      cut = span[0];
    } else {
      forward = true;
      cut = Math.max(cut + 1, span[1]);
    }
  }
}

/**
 * Splits chunks into lines, masks each and hands it to `onLine`; lines longer than `maxLineBytes` reach `onLine` as
 * several pieces (see the file comment).
 */
export function createLineCollector(
  mask: Masker,
  onLine: (line: string) => void,
  maxLineBytes = MAX_LINE_BYTES,
): LineCollector {
  const budget = maxLineBytes - Buffer.byteLength(LINE_CONTINUES);
  if (budget < 4) throw new RangeError(`a line limit of ${maxLineBytes} bytes leaves no room for text`);
  const scratch = new Uint8Array(budget);
  const needles = mask.needles ?? [];
  // A secret's start may sit at the end of what has arrived: keep that much back until the next chunk.
  const holdBack = Math.max(0, ...needles.map((needle) => needle.length - 1));
  let pending = '';

  /** Emits already masked text, cut to the limit; `endsLine` leaves the last piece without the marker. */
  const emitMasked = (masked: string, endsLine: boolean): void => {
    let rest = masked;
    while (exceeds(rest, endsLine ? maxLineBytes : budget)) {
      const cut = fittingPrefix(rest, scratch);
      onLine(`${rest.slice(0, cut)}${LINE_CONTINUES}`);
      rest = rest.slice(cut);
    }
    onLine(endsLine ? rest : `${rest}${LINE_CONTINUES}`);
  };

  /** Emits `text` (a whole line when `complete`) in pieces; returns what has to wait for more output. */
  const emitPieces = (text: string, complete: boolean): string => {
    let rest = text;
    while (exceeds(rest, maxLineBytes)) {
      const cut = safeCut(rest, scratch, needles);
      if (!complete && rest.length - cut < holdBack) return rest;
      emitMasked(mask(rest.slice(0, cut)), false);
      rest = rest.slice(cut);
    }
    if (!complete) return rest;
    emitMasked(mask(rest), true);
    return '';
  };

  return {
    push(chunk) {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        emitPieces(pending.slice(0, newline).replace(/\r$/, ''), true);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      pending = emitPieces(pending, false);
    },
    flush() {
      if (pending.length > 0) emitPieces(pending, true);
      pending = '';
    },
  };
}

/** A bounded list of the most recent lines, each at most {@link RECENT_LINE_CHARS} long. */
export class RecentLines {
  readonly #lines: string[] = [];
  readonly #limit: number;

  constructor(limit = LAST_LINES_KEPT) {
    this.#limit = limit;
  }

  add(line: string): void {
    // A copy: a line is often a slice of the (up to 128 KiB) chunk it came in, and V8 keeps the whole chunk alive
    // for as long as the slice lives: twenty kept lines per host could hold megabytes of output already handed on.
    this.#lines.push(structuredClone(clipText(line, RECENT_LINE_CHARS)));
    if (this.#lines.length > this.#limit) this.#lines.shift();
  }

  snapshot(): string[] {
    return [...this.#lines];
  }
}
