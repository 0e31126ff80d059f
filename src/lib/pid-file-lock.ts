/**
 * A lock held by a process as a file naming it (`{"pid", "hostname", "since"}`), made with O_EXCL. A lock left by a
 * dead process on this host is taken over; one held by a live process, or by another host (whose pids cannot be
 * checked), is not.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { errnoCode, propertyOf } from './trust-boundaries.ts';

export interface PidFileOwner {
  pid: number;
  hostname: string;
  since: string;
}

/** A held lock; `release()` removes the file only while it is still this process's. */
export interface PidFileLock {
  readonly path: string;
  release(): Promise<void>;
}

function parseOwner(text: string): PidFileOwner | null {
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

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** Takes the lock at `path`, or says who holds it (`owner` null: unreadable, or lost a race twice). */
export async function takePidFileLock(
  path: string,
): Promise<{ ok: true; lock: PidFileLock } | { ok: false; owner: PidFileOwner | null }> {
  const mine: PidFileOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return {
        ok: true,
        lock: {
          path,
          async release() {
            const current = await readFile(path, 'utf8').catch(() => null);
            if (current === text) await unlink(path).catch(() => undefined);
          },
        },
      };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    const stale =
      owner !== null && owner.hostname === mine.hostname && owner.pid !== process.pid && !isProcessAlive(owner.pid);
    if (!stale) return { ok: false, owner };
    await unlink(path).catch((error: unknown) => {
      if (errnoCode(error) !== 'ENOENT') throw error;
    });
  }
  return { ok: false, owner: null };
}
