/**
 * CPU time spent by a measurement: the controller, i.e. the child processes the bench ran and reaped meanwhile (the
 * `yardmaster deploy` process, or the OpenSSH clients of the floor), exactly as the kernel hands their rusage to the
 * parent when it reaps them (cutime + cstime of /proc/self/stat, 10 ms ticks; the bench's own CPU is left out), and
 * the whole machine (all CPUs busy, from /proc/stat). The hosts' own share (sshd, shell, tar) cannot be read per
 * process tree: sshd's privileged monitor exits without reaping the session process, so its CPU never reaches the
 * master's counters. The machine figure includes whatever else runs meanwhile (other test runs), so read it as an
 * upper bound. Linux only (/proc).
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK = 100 on Linux

/** CPU time (user + system) of this process's reaped children, in ms. */
function childrenMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may contain spaces), counting from field 3 (state) = index 0.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const at = (field: number): number => fields[field - 3] ?? 0;
    return (at(16) + at(17)) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Busy time of all CPUs together (user, nice, system, irq, softirq, steal), in ms. */
function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * TICK_MS;
  } catch {
    return 0;
  }
}

export interface CpuReading {
  controllerMs: number;
  machineMs: number;
}

export function readCpu(): CpuReading {
  return { controllerMs: childrenMs(), machineMs: machineBusyMs() };
}

export function cpuSince(before: CpuReading): CpuReading {
  const now = readCpu();
  return { controllerMs: now.controllerMs - before.controllerMs, machineMs: now.machineMs - before.machineMs };
}
