/**
 * The load generator of `bench:webhooks`: a closed loop of `concurrency` keep-alive connections POSTing signed
 * deliveries for a fixed time after a warm-up; every answer's latency is recorded.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One delivery to send: the event name and the exact body. */
export interface BenchDelivery {
  event: string;
  body: string;
}

/** What {@link runLoad} needs. */
export interface LoadOptions {
  /** The webhook URL. */
  url: string;
  secret: string;
  /** The `index`-th delivery (indexes never repeat within a process). */
  next(index: number): BenchDelivery;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

/** What a run measured (warm-up excluded). */
export interface LoadResult {
  /** Answers that arrived within the measuring window (the throughput is this over its length). */
  completed: number;
  /** Answers other than 2xx, and transport errors. */
  errors: number;
  statuses: Record<string, number>;
  /** Of every request sent within the window, however late its answer came. */
  latenciesMs: number[];
  elapsedMs: number;
}

let counter = 0;

function post(agent: Agent, url: URL, secret: string, delivery: BenchDelivery): Promise<number> {
  const signature = `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`;
  return new Promise((resolve) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(delivery.body),
          'user-agent': 'GitHub-Hookshot/bench',
          'x-github-event': delivery.event,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': signature,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode ?? 0);
        });
      },
    );
    outgoing.on('error', () => {
      resolve(0);
    });
    outgoing.end(delivery.body);
  });
}

/** Runs the loop; resolves when the measuring window has ended and every request sent has been answered. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const url = new URL(options.url);
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  const result: LoadResult = { completed: 0, errors: 0, statuses: {}, latenciesMs: [], elapsedMs: 0 };
  const loop = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const delivery = options.next(counter++);
      const sent = performance.now();
      const status = await post(agent, url, options.secret, delivery);
      const answered = performance.now();
      if (answered >= measureFrom && answered <= stopAt) result.completed++;
      if (sent < measureFrom) continue;
      result.latenciesMs.push(answered - sent);
      result.statuses[String(status)] = (result.statuses[String(status)] ?? 0) + 1;
      if (status < 200 || status > 299) result.errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  result.elapsedMs = options.durationMs;
  agent.destroy();
  return result;
}
