/**
 * Reads a release journal from where the last read stopped: only whole lines (the writer may be in the middle of
 * one), each parsed with the journal's schema; a line that does not parse is named, not thrown.
 */
import { open } from 'node:fs/promises';
import { journalLineSchema, type JournalLine } from './journal-lines.ts';

/** Most bytes read at once: a journal's output is bounded, but a reader catching up goes in steps. */
const READ_BYTES = 4 * 1024 * 1024;
/** A line longer than this is not one the writer made (an output line is at most 64 KiB plus its JSON). */
const MAX_LINE_BYTES = 512 * 1024;

export interface JournalChunk {
  /** Each whole line read, with the offset just after it. */
  lines: { line: JournalLine; next: number }[];
  /** Where the next read starts. */
  offset: number;
  /** Lines that did not parse, by their byte offset. */
  problems: string[];
  /** Whether the read reached the end of what the file holds now. */
  atEnd: boolean;
}

function parseLine(text: string): JournalLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = journalLineSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`;
}

/** The whole lines of `path` after `offset`. */
export async function readJournal(path: string, offset: number): Promise<JournalChunk> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, offset);
    const size = (await handle.stat()).size;
    const lines: JournalChunk['lines'] = [];
    const problems: string[] = [];
    let start = 0;
    for (let newline = buffer.indexOf(10, 0); newline !== -1 && newline < bytesRead; ) {
      const parsed = parseLine(buffer.toString('utf8', start, newline));
      if (typeof parsed === 'string') problems.push(`byte ${offset + start}: ${parsed}`);
      else lines.push({ line: parsed, next: offset + newline + 1 });
      start = newline + 1;
      newline = buffer.indexOf(10, start);
    }
    // A line that fills the whole read without ending is no line of ours: skip it rather than stall on it.
    if (start === 0 && bytesRead >= MAX_LINE_BYTES) {
      problems.push(`byte ${offset}: a line longer than ${MAX_LINE_BYTES} bytes`);
      start = bytesRead;
    }
    return { lines, offset: offset + start, problems, atEnd: offset + bytesRead >= size };
  } finally {
    await handle.close();
  }
}
