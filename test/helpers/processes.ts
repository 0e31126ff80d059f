/** Whether processes on this machine still run (tests check that interrupted commands really died). */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** True while `pid` exists and is not a zombie (a container's pid 1 may never reap orphans). */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; resolves false if it still runs after `limitMs`. */
export async function waitUntilGone(pid: number, limitMs = 5000): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 25) {
    if (!isProcessAlive(pid)) return true;
    await delay(25);
  }
  return !isProcessAlive(pid);
}
