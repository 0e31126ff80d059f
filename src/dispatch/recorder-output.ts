/**
 * A release's output lines on their way to stage_output: buffered between writes (one insert for whatever arrived
 * while the previous writes ran), and kept only up to a limit per host and stage, the rest counted and summarized
 * once the stage ends.
 */
import type { stageOutput } from '../db/index.ts';
import type { ReleaseEvent } from '../deploy/types.ts';
import { fitsOutputLimits, OUTPUT_BYTES_KEPT, OUTPUT_LINES_KEPT } from '../journal/index.ts';

export { OUTPUT_BYTES_KEPT, OUTPUT_LINES_KEPT } from '../journal/index.ts';

export type OutputEvent = Extract<ReleaseEvent, { type: 'output' }>;
type OutputRow = typeof stageOutput.$inferInsert;

/** What one host's stage printed: kept so far, and dropped once a limit was reached. */
interface OutputTally {
  lines: number;
  bytes: number;
  droppedLines: number;
  droppedBytes: number;
  /** The count of dropped output has been written (the stage ended). */
  summarized: boolean;
}

/** One release's output on its way to the database. */
export interface OutputBuffer {
  readonly releaseId: string;
  /** Rows not yet written; the next write takes them all. */
  pending: OutputRow[];
  /** Per host and stage (keyOf). */
  readonly tallies: Map<string, OutputTally>;
}

export function createOutputBuffer(releaseId: string): OutputBuffer {
  return { releaseId, pending: [], tallies: new Map() };
}

const keyOf = (host: string, stage: string): string => `${host}\u0000${stage}`;

// PostgreSQL text cannot hold NUL; a command printing one must not make the release's records fail.
const storable = (line: string): string => line.replaceAll('\u0000', '\uFFFD');

const droppedNotice =
  `… more output of this stage is not kept ` +
  `(only the first ${OUTPUT_LINES_KEPT} lines and ${OUTPUT_BYTES_KEPT} bytes are)`;

/** The tally of a host's stage, made on first use. */
function tallyOf(output: OutputBuffer, key: string): OutputTally {
  const tally = output.tallies.get(key) ?? { lines: 0, bytes: 0, droppedLines: 0, droppedBytes: 0, summarized: false };
  output.tallies.set(key, tally);
  return tally;
}

/** Buffers `row`; true when the buffer was empty, so a write must be queued for it. */
function buffer(output: OutputBuffer, row: Omit<OutputRow, 'releaseId'>): boolean {
  output.pending.push({ releaseId: output.releaseId, ...row });
  return output.pending.length === 1;
}

/** Buffers the line (or counts it as dropped); true when the buffer was empty, so a write must be queued for it. */
export function keepOutput(output: OutputBuffer, event: OutputEvent): boolean {
  const key = keyOf(event.host, event.stage);
  const tally = tallyOf(output, key);
  const size = Buffer.byteLength(event.line, 'utf8');
  const { host, stage } = event;
  // Once something was dropped, everything after it is too: what is kept is the stage's beginning, without holes.
  if (tally.droppedLines === 0 && fitsOutputLimits(tally.lines, tally.bytes, size)) {
    tally.lines += 1;
    tally.bytes += size;
    return buffer(output, { host, stage, stream: event.stream, line: storable(event.line) });
  }
  tally.droppedLines += 1;
  tally.droppedBytes += size;
  if (tally.droppedLines > 1) return false;
  return buffer(output, { host, stage, stream: 'stderr', line: droppedNotice });
}

/** Adds output that was counted elsewhere (a journal past the limits) to what a host's stage dropped. */
export function countDropped(output: OutputBuffer, host: string, stage: string, lines: number, bytes: number): void {
  const key = keyOf(host, stage);
  const tally = tallyOf(output, key);
  tally.droppedLines += lines;
  tally.droppedBytes += bytes;
}

/** Buffers the count of what a host's stage printed past the limits, once, when the stage ended. */
export function summarizeDropped(output: OutputBuffer, host: string, stage: string): boolean {
  const tally = output.tallies.get(keyOf(host, stage));
  if (tally === undefined || tally.droppedLines === 0 || tally.summarized) return false;
  tally.summarized = true;
  const lines = `${tally.droppedLines} more line${tally.droppedLines === 1 ? '' : 's'}`;
  const line = `… ${lines} (${tally.droppedBytes} bytes) of this stage were not kept`;
  return buffer(output, { host, stage, stream: 'stderr', line });
}

/** Summarizes the stages that never reported their end; true when a write must be queued. */
export function summarizeUnended(output: OutputBuffer): boolean {
  let queued = false;
  for (const key of output.tallies.keys()) {
    const [host = '', stage = ''] = key.split('\u0000');
    if (summarizeDropped(output, host, stage)) queued = true;
  }
  return queued;
}

/** Takes what is buffered: the rows of the next insert. */
export function takeOutputBatch(output: OutputBuffer): OutputRow[] {
  const batch = output.pending;
  output.pending = [];
  return batch;
}
