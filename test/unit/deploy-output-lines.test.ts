import { describe, expect, it } from 'vitest';
import { clipText, CLIPPED_MARKER } from '../../src/deploy/clip-text.ts';
import {
  createLineCollector,
  LINE_CONTINUES,
  MAX_LINE_BYTES,
  RECENT_LINE_CHARS,
  RecentLines,
} from '../../src/deploy/output-lines.ts';
import { createMasker, type Masker } from '../../src/deploy/secret-masker.ts';

const MARKER_BYTES = Buffer.byteLength(LINE_CONTINUES);

/** Collects the lines `chunks` turn into. */
function collect(chunks: readonly string[], mask: Masker = createMasker([]), maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const collector = createLineCollector(mask, (line) => lines.push(line), maxLineBytes);
  for (const chunk of chunks) collector.push(chunk);
  collector.flush();
  return lines;
}

/** The line the pieces stand for: markers removed, pieces joined. */
function rejoin(pieces: readonly string[]): string {
  return pieces
    .map((piece) => (piece.endsWith(LINE_CONTINUES) ? piece.slice(0, -LINE_CONTINUES.length) : piece))
    .join('');
}

/** Cuts `text` into chunks of `size` UTF-16 units (may split surrogate pairs, as a decoder never would, harmless here). */
function chunked(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
  return chunks;
}

describe('createLineCollector', () => {
  it('passes ordinary lines on as before: split at newlines, CR removed, the last partial line on flush', () => {
    expect(collect(['one\r\ntw', 'o\n', '\nthree'])).toEqual(['one', 'two', '', 'three']);
  });

  it('cuts a line longer than the limit into pieces of at most the limit, each but the last marked', () => {
    const line = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
    const pieces = collect([line, '\nnext\n']);
    expect(pieces.at(-1)).toBe('next');
    const parts = pieces.slice(0, -1);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(parts.slice(0, -1).every((part) => part.endsWith(LINE_CONTINUES))).toBe(true);
    expect(parts.at(-1)?.endsWith(LINE_CONTINUES)).toBe(false);
    expect(rejoin(parts)).toBe(line);
  });

  it('keeps a line of exactly the limit whole', () => {
    const line = 'y'.repeat(MAX_LINE_BYTES);
    expect(collect([`${line}\n`])).toEqual([line]);
  });

  it('hands pieces on while the line still streams, so what is held stays bounded', () => {
    const lines: string[] = [];
    const collector = createLineCollector(createMasker([]), (line) => lines.push(line), 1024);
    for (let index = 0; index < 1000; index++) collector.push('z'.repeat(100));
    // 100,000 bytes without a newline: all but the last (at most) 1 KiB have gone out already.
    expect(rejoin(lines).length).toBeGreaterThan(100_000 - 1024);
    collector.flush();
    expect(rejoin(lines)).toBe('z'.repeat(100_000));
  });

  it('never cuts inside a character: 2-, 3- and 4-byte UTF-8 characters survive every cut', () => {
    const line = 'aé€😀'.repeat(3000);
    for (const size of [1, 7, 64, 4096]) {
      const pieces = collect(chunked(line, size), createMasker([]), 1000);
      expect(pieces.length).toBeGreaterThan(10);
      for (const piece of pieces) {
        expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(1000);
        // A lone surrogate would come out of UTF-8 as U+FFFD: each piece is well-formed text on its own.
        expect(piece.isWellFormed()).toBe(true);
        expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece);
      }
      expect(rejoin(pieces)).toBe(line);
    }
  });

  it('masks a secret that straddles where the line would be cut, whatever the chunking', () => {
    const secret = 'hunter2-SECRET-value';
    const limit = 256;
    const budget = limit - MARKER_BYTES;
    // Place the secret across the natural cut point (the budget), at every offset.
    for (let offset = 1; offset < secret.length; offset++) {
      const line = `${'a'.repeat(budget - offset)}${secret}${'b'.repeat(600)}`;
      for (const size of [1, 5, 33, line.length]) {
        const pieces = collect(chunked(line, size), createMasker([secret]), limit);
        const text = pieces.join('\n');
        expect(text).not.toContain('hunter2');
        expect(text).not.toContain('SECRET');
        expect(text).not.toContain('value');
        expect(rejoin(pieces)).toBe(line.replace(secret, '***'));
        for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(limit);
      }
    }
  });

  it('masks a secret longer than a piece, and one that arrives across chunks at the end of what was held', () => {
    const secret = `S${'k'.repeat(500)}E`;
    const line = `${'a'.repeat(100)}${secret}${'a'.repeat(100)}${secret}`;
    const pieces = collect([...chunked(line, 37), '\n'], createMasker([secret]), 256);
    expect(pieces.join('')).not.toContain('kkkk');
    expect(rejoin(pieces)).toBe(`${'a'.repeat(100)}***${'a'.repeat(100)}***`);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(256);
  });

  it('keeps pieces within the limit when masking makes text longer (one-character secrets)', () => {
    const pieces = collect(['q'.repeat(300), '\n'], createMasker(['q']), 256);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(256);
    expect(rejoin(pieces)).toBe('***'.repeat(300));
  });

  it('masks the parts of a multi-line secret on each line', () => {
    const secret = 'first-line-of-key\nsecond-line-of-key';
    expect(collect([`x ${secret} y\n`], createMasker([secret]))).toEqual(['x ***', '*** y']);
  });

  it('refuses a limit that leaves no room for text', () => {
    expect(() =>
      createLineCollector(
        createMasker([]),
        () => {
          /* never called: it throws first */
        },
        8,
      ),
    ).toThrow(/no room/);
  });
});

describe('RecentLines and clipText', () => {
  it('keeps the last lines, each clipped for failure reports', () => {
    const recent = new RecentLines(2);
    recent.add('a');
    recent.add('b'.repeat(RECENT_LINE_CHARS * 3));
    recent.add('c');
    const [long, last] = recent.snapshot();
    expect(long?.length).toBe(RECENT_LINE_CHARS);
    expect(long?.endsWith(CLIPPED_MARKER)).toBe(true);
    expect(last).toBe('c');
  });

  it('clips without splitting a surrogate pair', () => {
    const clipped = clipText('😀'.repeat(100), 11);
    expect(clipped.isWellFormed()).toBe(true);
    expect(clipped.length).toBeLessThanOrEqual(11);
    expect(clipText('short', 11)).toBe('short');
  });
});
