/**
 * Imports one release journal into the database, as far as it is written: the begin line makes the releases row,
 * every event goes through the release recorder (the same rows a worker's release makes), the end line finishes the
 * release, and the file is removed. A journal whose writer is gone without an end is finished as aborted. Called
 * again and again on the same journal while it grows (the dashboard's live grid follows a CLI release this way).
 */
import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type JournalBegin, type JournalLine, readJournal } from '../journal/index.ts';
import { isProcessAlive } from '../lib/pid-file-lock.ts';
import type { Db } from '../db/types.ts';
import { abandonJournalRelease, beginJournalRelease, finishJournalRelease } from './journal-rows.ts';
import { createReleaseRecorder, type ReleaseRecorder } from './release-recorder.ts';

/** A journal that is not one (it does not start with its begin line): it is set aside, never retried. */
export class JournalBrokenError extends Error {
  constructor(path: string) {
    super(`${path} does not start with a begin line`);
    this.name = 'JournalBrokenError';
  }
}

/** One journal being imported. */
export interface JournalImport {
  readonly path: string;
  offset: number;
  begin: JournalBegin | undefined;
  recorder: ReleaseRecorder | undefined;
  /** The journal was imported to its end and removed. */
  done: boolean;
}

export function journalImport(path: string): JournalImport {
  return { path, offset: 0, begin: undefined, recorder: undefined, done: false };
}

const writerGone = (begin: JournalBegin): boolean => begin.hostname === hostname() && !isProcessAlive(begin.pid);

async function finish(state: JournalImport): Promise<void> {
  await state.recorder?.flush();
  await unlink(state.path).catch(() => undefined);
  state.done = true;
}

/** Applies one line; true once the journal ended (and was removed). */
async function apply(db: Db, state: JournalImport, line: JournalLine): Promise<boolean> {
  if (line.type === 'begin') {
    state.begin = line;
    await beginJournalRelease(db, line);
    state.recorder = createReleaseRecorder(db, {
      releaseId: line.releaseId,
      attempt: line.attempt,
      forward: () => undefined,
    });
    return false;
  }
  const { begin, recorder } = state;
  if (begin === undefined || recorder === undefined) throw new JournalBrokenError(state.path);
  if (line.type === 'event') recorder.sink(line.event);
  else if (line.type === 'dropped') recorder.countDropped(line.host, line.stage, line.lines, line.bytes);
  else {
    await recorder.flush();
    await finishJournalRelease(db, begin, line);
    await finish(state);
    return true;
  }
  return false;
}

/** Reads and applies what the journal holds after the offset; true once its end line was applied. */
async function readToEnd(db: Db, state: JournalImport, onProblem: (message: string) => void): Promise<boolean> {
  for (;;) {
    if (state.done) return true;
    const chunk = await readJournal(state.path, state.offset);
    for (const problem of chunk.problems) onProblem(`${state.path}: ${problem}`);
    // The first line must be the begin line: a file whose first lines do not parse is no journal of ours.
    if (chunk.problems.length > 0 && state.begin === undefined && chunk.lines[0]?.line.type !== 'begin')
      throw new JournalBrokenError(state.path);
    for (const { line, next } of chunk.lines) {
      if (await apply(db, state, line)) return true;
      state.offset = next;
    }
    state.offset = chunk.offset;
    if (chunk.atEnd) return false;
  }
}

/** Imports what was written since the last call; problems (lines that do not parse) go to `onProblem`. */
export async function importJournalStep(
  db: Db,
  state: JournalImport,
  onProblem: (message: string) => void,
): Promise<void> {
  if (await readToEnd(db, state, onProblem)) return;
  await state.recorder?.flush();
  if (state.begin === undefined || !writerGone(state.begin)) return;
  // Gone now, so all it wrote is in the file: read once more (its end may have come after the read above).
  if (await readToEnd(db, state, onProblem)) return;
  await abandonJournalRelease(db, state.begin);
  await finish(state);
}
