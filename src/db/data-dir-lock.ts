/**
 * One process per embedded data directory. PGlite is a single-process engine with no lock of its own: two
 * processes opening the same directory would both write it and corrupt it. A pid file next to the directory
 * turns that into a clear error (run workers in-process, or point both at a real PostgreSQL with DATABASE_URL).
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { errnoCode, propertyOf } from '../lib/trust-boundaries.ts';

interface LockOwner {
  pid: number;
  hostname: string;
  since: string;
}

/** Thrown when another live process holds the data directory. */
export class DataDirInUseError extends Error {
  readonly owner: LockOwner | null;
  constructor(dataDir: string, owner: LockOwner | null) {
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
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value: unknown = JSON.parse(text);
    const pid = propertyOf(value, 'pid');
    const host = propertyOf(value, 'hostname');
    const since = propertyOf(value, 'since');
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string') return null;
    return { pid, hostname: host, since };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, which still means the directory is taken.
    return errnoCode(error) === 'EPERM';
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && errnoCode(error) === code;
}

/**
 * Takes `<dataDir>.lock` for this process. A lock left by a dead process on this host is taken over; one held by
 * a live process, or by another host (whose pids we cannot check), is refused with {@link DataDirInUseError}.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = `${dataDir}.lock`;
  const mine: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return {
        path,
        async release() {
          // Only remove the file while it is still ours: never another process's lock.
          const current = await readFile(path, 'utf8').catch(() => null);
          if (current === text) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    const stale =
      owner !== null && owner.hostname === mine.hostname && owner.pid !== process.pid && !isAlive(owner.pid);
    if (!stale) throw new DataDirInUseError(dataDir, owner);
    await unlink(path).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT')) throw error;
    });
  }
  throw new DataDirInUseError(dataDir, null);
}
