/**
 * Imports the release journals waiting in a spool directory, now and then every `intervalMs` while it runs: each
 * journal is claimed with a lock file (another importer of the same spool skips it), followed while it grows, and
 * released once it was imported to its end. A journal that is not one is renamed `.broken`; a failed import starts
 * that journal over on the next pass.
 */
import { rename } from 'node:fs/promises';
import { listJournals } from '../journal/index.ts';
import { coalescedTask } from '../lib/coalesced-task.ts';
import { type PidFileLock, takePidFileLock } from '../lib/pid-file-lock.ts';
import type { Db } from '../db/types.ts';
import { importJournalStep, JournalBrokenError, journalImport, type JournalImport } from './journal-import.ts';

export interface JournalImporter {
  /** Imports what is waiting now (waits for a pass already running, then runs one more). */
  pass(): Promise<void>;
  /** Stops the timer and waits for a running pass; claimed journals are released for the next importer. */
  stop(): Promise<void>;
}

export interface JournalImportOptions {
  dir: string;
  /** Passes on a timer (0: only when `pass()` is called). */
  intervalMs: number;
  onProblem: (message: string) => void;
}

interface Claimed {
  state: JournalImport;
  lock: PidFileLock;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function startJournalImport(db: Db, options: JournalImportOptions): JournalImporter {
  const claimed = new Map<string, Claimed>();
  let stopped = false;

  const release = async (path: string): Promise<void> => {
    const held = claimed.get(path);
    claimed.delete(path);
    await held?.lock.release();
  };
  const claim = async (path: string): Promise<Claimed | undefined> => {
    const held = claimed.get(path);
    if (held !== undefined) return held;
    const taken = await takePidFileLock(`${path}.lock`);
    if (!taken.ok) return undefined;
    const fresh = { state: journalImport(path), lock: taken.lock };
    claimed.set(path, fresh);
    return fresh;
  };
  const step = async (path: string): Promise<void> => {
    const held = await claim(path);
    if (held === undefined) return;
    try {
      await importJournalStep(db, held.state, options.onProblem);
      if (held.state.done) await release(path);
    } catch (error) {
      options.onProblem(`importing ${path}: ${describe(error)}`);
      if (error instanceof JournalBrokenError) await rename(path, `${path}.broken`).catch(() => undefined);
      await release(path);
    }
  };
  const task = coalescedTask(async () => {
    if (stopped) return;
    let paths: string[];
    try {
      paths = await listJournals(options.dir);
    } catch (error) {
      options.onProblem(`reading ${options.dir}: ${describe(error)}`);
      return;
    }
    for (const path of paths) await step(path);
  });
  const timer = options.intervalMs > 0 ? setInterval(() => void task.run(), options.intervalMs) : undefined;
  timer?.unref();
  return {
    pass: () => task.run(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await task.settled();
      for (const path of [...claimed.keys()]) await release(path);
    },
  };
}
