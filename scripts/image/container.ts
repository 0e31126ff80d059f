/**
 * Runs commands in a working container of the image with `buildah run --isolation chroot --network host` (podman
 * run cannot set up its runtime in this sandbox). One container, under a fixed name, is reused for every command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { runCommand, trackGroup } from './command.ts';

/** A bind mount: a host path at a path in the container. */
export interface Mount {
  host: string;
  container: string;
  readOnly?: boolean;
}

export interface RunOptions {
  env?: Readonly<Record<string, string>>;
  mounts?: readonly Mount[];
}

/** Makes the working container `name` from `image`, replacing one of that name left by an earlier run. */
export async function createContainer(image: string, name: string): Promise<void> {
  await removeContainer(name);
  await runCommand('buildah', ['from', '--quiet', '--pull=never', '--name', name, image], { timeoutMs: 120_000 });
}

export async function removeContainer(name: string): Promise<void> {
  await runCommand('buildah', ['rm', name], { timeoutMs: 60_000 }).catch(() => undefined);
}

function runArguments(container: string, command: readonly string[], options: RunOptions): string[] {
  return [
    'run',
    '--isolation',
    'chroot',
    '--network',
    'host',
    ...Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
    ...(options.mounts ?? []).flatMap((mount) => [
      '--volume',
      `${mount.host}:${mount.container}${mount.readOnly === true ? ':ro' : ''}`,
    ]),
    container,
    '--',
    ...command,
  ];
}

/** Runs `command` in the container to its end and returns its output. */
export function runInContainer(
  container: string,
  command: readonly string[],
  options: RunOptions & { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return runCommand('buildah', runArguments(container, command, options), { timeoutMs: options.timeoutMs ?? 60_000 });
}

/** A command running in the container, in the background. */
export interface ContainerProcess {
  /** When `buildah run` was spawned (performance.now()). */
  startedAt: number;
  output(): string;
  /** The exit code once it ended, else undefined. */
  exitCode(): number | null | undefined;
  /** The uid of the command's process (below buildah's own), if it runs. */
  uid(): number | undefined;
  /** The CPU time (user + system) the command's process has used so far, in ms: what load does not change. */
  cpuMs(): number | undefined;
  /** How long ago the command's process started (its exec in the container, after buildah's setup), in ms. */
  ageMs(): number | undefined;
  /**
   * SIGTERM to the command's process, as `docker stop` sends it to a container's first process (`buildah run` itself
   * would kill it outright), then its exit code; SIGKILL to the whole group after `graceMs`.
   */
  stop(graceMs: number): Promise<number | null>;
}

function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function descendants(root: number): number[] {
  const children = childrenOf();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift() ?? root;
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function uidOfProcess(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Uid:'));
    return line === undefined ? undefined : Number(line.split(/\s+/)[1]);
  } catch {
    return undefined;
  }
}

/** The first process below `buildah run` that is not buildah's (its chroot runtime shows as memfd:buildah-…). */
function commandPid(buildah: number): number | undefined {
  return descendants(buildah).find((pid) => {
    const comm = commOf(pid);
    return comm !== '' && comm !== 'buildah' && !comm.startsWith('memfd:buildah');
  });
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of proc(5).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name, which may hold spaces: state is field 3 of proc(5), so field n is index n - 3.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function ageMsOf(pid: number): number | undefined {
  try {
    const startTicks = Number(statFields(pid)[19]);
    const uptimeSeconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return (uptimeSeconds - startTicks / USER_HZ) * 1000;
  } catch {
    return undefined;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Starts `command` in the container in its own process group; the output is kept (its last 64 kB). */
export function startInContainer(container: string, command: readonly string[], options: RunOptions): ContainerProcess {
  const startedAt = performance.now();
  const child: ChildProcess = spawn('buildah', runArguments(container, command, options), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let code: number | null | undefined;
  const ended = new Promise<number | null>((resolve) => {
    child.on('close', (exit) => {
      code = exit;
      resolve(exit);
    });
    child.on('error', (error) => {
      output += `\n${error.message}`;
      code = null;
      resolve(null);
    });
  });
  trackGroup(child.pid, ended);
  return {
    startedAt,
    output: () => output,
    exitCode: () => code,
    uid() {
      const pid = child.pid === undefined ? undefined : commandPid(child.pid);
      return pid === undefined ? undefined : uidOfProcess(pid);
    },
    ageMs() {
      const pid = child.pid === undefined ? undefined : commandPid(child.pid);
      return pid === undefined ? undefined : ageMsOf(pid);
    },
    cpuMs() {
      const pid = child.pid === undefined ? undefined : commandPid(child.pid);
      return pid === undefined ? undefined : cpuMsOf(pid);
    },
    async stop(graceMs) {
      if (code !== undefined || child.pid === undefined) return code ?? null;
      const group = child.pid;
      const command = commandPid(group);
      if (command === undefined) child.kill('SIGTERM');
      else process.kill(command, 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, graceMs);
      const exit = await ended;
      clearTimeout(timer);
      return exit;
    },
  };
}
