/** Finding every descendant of a process, to take down an sshd with all its per-connection children. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Parent pid of each live process, read from /proc (Linux only). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process exited while we were looking.
    }
  }
  return parents;
}

/** `pid` and all its descendants by depth: `[[pid], [children], [grandchildren], …]`. */
export function processTreeLevels(pid: number): number[][] {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parentPids()) {
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  const levels: number[][] = [];
  for (let level = [pid]; level.length > 0; level = level.flatMap((member) => children.get(member) ?? [])) {
    levels.push(level);
  }
  return levels;
}

/** `pid` and all its descendants, parents before children. */
export function processTree(pid: number): number[] {
  return processTreeLevels(pid).flat();
}

/**
 * Kills the descendants of `pid` from the deepest level up, giving each parent a moment to reap its
 * children (a container's pid 1 often reaps nothing, so orphans would stay zombies), then sends SIGTERM to
 * `pid` itself, whose parent is expected to reap it.
 */
export async function terminateProcessTree(pid: number): Promise<void> {
  const levels = processTreeLevels(pid);
  for (const level of levels.slice(1).reverse()) {
    signalAll(level, 'SIGCONT');
    signalAll(level, 'SIGKILL');
    for (let waited = 0; waited < 500 && level.some((member) => existsSync(`/proc/${member}`)); waited += 10) {
      await delay(10);
    }
  }
  signalAll([pid], 'SIGCONT');
  signalAll([pid], 'SIGTERM');
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const member of pids) {
    try {
      process.kill(member, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Sends `signal` to `pid` and every descendant; processes already gone are skipped. */
export function signalProcessTree(pid: number, signal: NodeJS.Signals): void {
  signalAll(processTree(pid), signal);
}
