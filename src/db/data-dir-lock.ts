/**
 * One process per embedded data directory. PGlite is a single-process engine with no lock of its own: two
 * processes opening the same directory would both write it and corrupt it. A pid file next to the directory
 * turns that into a clear error (run workers in-process, or point both at a real PostgreSQL with DATABASE_URL).
 */
import { takePidFileLock, type PidFileLock, type PidFileOwner } from '../lib/pid-file-lock.ts';

/** Thrown when another live process holds the data directory. */
export class DataDirInUseError extends Error {
  readonly owner: PidFileOwner | null;
  constructor(dataDir: string, owner: PidFileOwner | null) {
    const who =
      owner === null
        ? `another process (remove ${dataDir}.lock if none runs)`
        : `process ${owner.pid} on ${owner.hostname} (since ${owner.since})`;
    super(
      `the embedded database at ${dataDir} is in use by ${who}; run the workers in the same process, or give every process the same DATABASE_URL`,
    );
    this.name = 'DataDirInUseError';
    this.owner = owner;
  }
}

/** A held `<dataDir>.lock`; `release()` removes it only while it is still this process's. */
export type DataDirLock = PidFileLock;

/**
 * Takes `<dataDir>.lock` for this process. A lock left by a dead process on this host is taken over; one held by
 * a live process, or by another host (whose pids we cannot check), is refused with {@link DataDirInUseError}.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const taken = await takePidFileLock(`${dataDir}.lock`);
  if (!taken.ok) throw new DataDirInUseError(dataDir, taken.owner);
  return taken.lock;
}
