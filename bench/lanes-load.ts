/**
 * The load generator of `bench:lanes`: GETs over keep-alive connections, either at a fixed rate (open loop: latency
 * without the generator waiting on the server) or as fast as `concurrency` connections go (closed loop: throughput).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface LoadFigures {
  completed: number;
  errors: number;
  latenciesMs: number[];
  seconds: number;
}

function get(agent: Agent, target: Target): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = request(target.url, { agent, headers: target.headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', () => resolve(0));
    outgoing.end();
  });
}

async function measure(agent: Agent, target: Target, figures: LoadFigures): Promise<void> {
  const sent = performance.now();
  const status = await get(agent, target);
  figures.latenciesMs.push(performance.now() - sent);
  figures.completed++;
  if (status !== 200) figures.errors++;
}

/** `rate` requests a second for `seconds` (after a short warm-up), each timed from when it was due. */
export async function fixedRate(target: Target, rate: number, seconds: number): Promise<LoadFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  for (let index = 0; index < 200; index++) await get(agent, target);
  const figures: LoadFigures = { completed: 0, errors: 0, latenciesMs: [], seconds };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let index = 0; index < rate * seconds; index++) {
    const due = start + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(measure(agent, target, figures));
  }
  await Promise.all(pending);
  agent.destroy();
  return figures;
}

/** As many requests as `concurrency` keep-alive connections complete in `seconds`. */
export async function closedLoop(target: Target, concurrency: number, seconds: number): Promise<LoadFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  for (let index = 0; index < 200; index++) await get(agent, target);
  const figures: LoadFigures = { completed: 0, errors: 0, latenciesMs: [], seconds };
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) await measure(agent, target, figures);
    }),
  );
  agent.destroy();
  return figures;
}
