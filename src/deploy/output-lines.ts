/** Turns streamed output chunks into masked lines, and keeps the last few lines for failure reports. */
import type { Masker } from './secret-masker.ts';

export const LAST_LINES_KEPT = 20;

export interface LineCollector {
  push(chunk: string): void;
  /** Emits whatever is left after the last newline. */
  flush(): void;
}

/** Splits chunks into lines, masks each and hands it to `onLine`. */
export function createLineCollector(mask: Masker, onLine: (line: string) => void): LineCollector {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        onLine(mask(pending.slice(0, newline).replace(/\r$/, '')));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    },
    flush() {
      if (pending.length > 0) onLine(mask(pending));
      pending = '';
    },
  };
}

/** A bounded list of the most recent lines. */
export class RecentLines {
  readonly #lines: string[] = [];
  readonly #limit: number;

  constructor(limit = LAST_LINES_KEPT) {
    this.#limit = limit;
  }

  add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#limit) this.#lines.shift();
  }

  snapshot(): string[] {
    return [...this.#lines];
  }
}
