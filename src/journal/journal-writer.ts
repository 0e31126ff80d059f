/**
 * Writes a release journal while the engine runs: one JSON line per event, appended synchronously so the lines keep
 * the engine's order and a reader tailing the file sees each event as it happens. Output is bounded like the
 * database's copy: past the limits of a host's stage, lines are only counted, and the count is written when the stage
 * ends. A failing write never stops the release: the journal stops and says why.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ReleaseEvent } from '../deploy/types.ts';
import type { JournalBegin, JournalEnd, JournalLine } from './journal-lines.ts';
import { JOURNAL_SUFFIX } from './journal-spool.ts';
import { fitsOutputLimits } from './output-limits.ts';

export interface JournalWriter {
  readonly path: string;
  /** The engine's event sink. */
  sink: (event: ReleaseEvent) => void;
  /** Writes how the run ended and closes the file. */
  end: (end: DistributiveOmit<JournalEnd, 'type' | 'at'>) => void;
  /** Why the journal stopped being written, if it did. */
  failure: () => string | undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a host's stage printed so far, as the journal counts it. */
interface Tally {
  lines: number;
  bytes: number;
  /** Lines past the limits written so far (the first one is, so the reader knows output was cut). */
  over: number;
  /** Lines and bytes past the limits not written since the last `dropped` line. */
  unwrittenLines: number;
  unwrittenBytes: number;
}

const keyOf = (host: string, stage: string): string => `${host}\u0000${stage}`;

/** Opens `<dir>/<releaseId>.jsonl` (new, mode 0600) and writes the `begin` line. */
export function openJournalWriter(
  dir: string,
  begin: Omit<JournalBegin, 'type' | 'at' | 'pid' | 'hostname'>,
): JournalWriter {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${begin.releaseId}.${begin.attempt}${JOURNAL_SUFFIX}`);
  let fd: number | undefined = openSync(path, 'wx', 0o600);
  let failure: string | undefined;
  const tallies = new Map<string, Tally>();

  const write = (line: JournalLine): void => {
    if (fd === undefined) return;
    try {
      writeSync(fd, `${JSON.stringify(line)}\n`);
    } catch (error) {
      failure = `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`;
      stop();
    }
  };
  const stop = (): void => {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Already reported, or nothing left to keep.
    }
    fd = undefined;
  };
  const writeDropped = (host: string, stage: string): void => {
    const tally = tallies.get(keyOf(host, stage));
    if (tally === undefined || tally.unwrittenLines === 0) return;
    write({ type: 'dropped', host, stage, lines: tally.unwrittenLines, bytes: tally.unwrittenBytes });
    tally.unwrittenLines = 0;
    tally.unwrittenBytes = 0;
  };
  /** Whether an output line is written: within the limits, or the first one past them. */
  const keeps = (event: Extract<ReleaseEvent, { type: 'output' }>): boolean => {
    const key = keyOf(event.host, event.stage);
    const tally = tallies.get(key) ?? { lines: 0, bytes: 0, over: 0, unwrittenLines: 0, unwrittenBytes: 0 };
    tallies.set(key, tally);
    const size = Buffer.byteLength(event.line, 'utf8');
    if (tally.over === 0 && fitsOutputLimits(tally.lines, tally.bytes, size)) {
      tally.lines += 1;
      tally.bytes += size;
      return true;
    }
    tally.over += 1;
    if (tally.over === 1) return true;
    tally.unwrittenLines += 1;
    tally.unwrittenBytes += size;
    return false;
  };

  write({ type: 'begin', ...begin, at: new Date().toISOString(), pid: process.pid, hostname: hostname() });
  return {
    path,
    sink(event) {
      if (event.type === 'output' && !keeps(event)) return;
      if (event.type === 'stage.finished') writeDropped(event.host, event.stage);
      if (event.type === 'rollback.finished') writeDropped(event.host, 'rollback');
      write({ type: 'event', at: new Date().toISOString(), event });
    },
    end(end) {
      for (const key of tallies.keys()) {
        const [host = '', stage = ''] = key.split('\u0000');
        writeDropped(host, stage);
      }
      write({ ...end, type: 'end', at: new Date().toISOString() });
      stop();
    },
    failure: () => failure,
  };
}
