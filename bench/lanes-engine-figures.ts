/**
 * `bench:lanes` only: what is measured on a data plane apart from the load — the CPU its processes spend (from
 * /proc/<pid>/stat of the processes the plane names: nginx's master and workers, the Node process for the node
 * engine), and commit-to-effect: from the
 * database commit of a route change to the first answer by the new route, seen by clients polling the engine.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { getKeptAlive } from '../test/helpers/lane-load.ts';

const pidsSchema = z.object({ pids: z.array(z.number().int().positive()) });

/** The processes that carry a plane's traffic now, from its server's control port (`GET /pids`). */
export async function planePids(control: string): Promise<number[]> {
  const response = await fetch(`${control}/pids`);
  return pidsSchema.parse(await response.json()).pids;
}

/** CPU seconds (user + system) the processes have used so far; those already gone count nothing. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process has exited.
    }
  }
  return ticks / 100;
}

const POLLERS = 4;

/**
 * Milliseconds from the commit of `change` (resolving once committed) to the first answer whose route header is
 * `route`, with POLLERS kept-alive clients asking `url` without pause; undefined when none came within `timeoutMs`.
 */
export async function commitToEffect(
  url: string,
  headers: Record<string, string>,
  route: string,
  change: () => Promise<void>,
  timeoutMs: number,
): Promise<number | undefined> {
  let seenAt: number | undefined;
  let stop = false;
  const pollers = Array.from({ length: POLLERS }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stop && seenAt === undefined) {
        const answer = await getKeptAlive(agent, url, headers).catch(() => undefined);
        if (answer?.route === route) seenAt ??= performance.now();
      }
    } finally {
      agent.destroy();
    }
  });
  await change();
  const committedAt = performance.now();
  const deadline = committedAt + timeoutMs;
  while (seenAt === undefined && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  stop = true;
  await Promise.all(pollers);
  return seenAt === undefined ? undefined : Math.max(0, seenAt - committedAt);
}
