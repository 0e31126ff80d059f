/**
 * The load generators of `bench:lanes`, the same for every target. Flat out (throughput): wrk when it is installed
 * (Debian's `wrk`, one thread), else a lean generator of its own over raw kept-alive sockets (no http.Agent: an
 * Agent-based client costs more CPU per request than the proxies it measures, and on a small machine it takes that
 * CPU from them). At a fixed rate (latency): the lean generator, open loop — each request goes out when due on an
 * idle connection, a new one if none is idle — timed from sending to the last byte of the answer.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

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

/** What a flat-out run gives: requests a second and latency percentiles (ms). */
export interface FlatOut {
  generator: string;
  perSecond: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => existsSync(path));

/** The generator flat-out runs use: wrk if installed (BENCH_GENERATOR=node forces the lean one). */
export function flatOutGenerator(): string {
  return WRK !== undefined && process.env.BENCH_GENERATOR !== 'node' ? 'wrk' : 'node';
}

interface Prepared {
  host: string;
  port: number;
  bytes: Buffer;
}

function prepare(target: Target): Prepared {
  const url = new URL(target.url);
  const lines = Object.entries(target.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return {
    host: url.hostname,
    port: Number(url.port || 80),
    bytes: Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n${lines}\r\n`, 'latin1'),
  };
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One kept-alive connection sending the same GET, reading answers framed by Content-Length. */
class LoadConnection {
  private readonly socket: Socket;
  private buffer: Buffer | undefined;
  private done: ((ok: boolean) => void) | undefined;
  closed = false;
  private readonly target: Prepared;

  constructor(target: Prepared) {
    this.target = target;
    this.socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.socket.on('data', (data: Buffer) => {
      this.onData(data);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      const done = this.done;
      this.done = undefined;
      done?.(false);
    });
  }

  send(done: (ok: boolean) => void): void {
    this.done = done;
    this.socket.write(this.target.bytes);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    const buffer = this.buffer === undefined ? data : Buffer.concat([this.buffer, data]);
    const end = buffer.indexOf(HEAD_END);
    if (end < 0) {
      this.buffer = buffer;
      return;
    }
    const head = buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length?.[1] === undefined) {
      // Only Content-Length answers are expected here (the bench's upstream sends nothing else).
      this.socket.destroy();
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (buffer.length < total) {
      this.buffer = buffer;
      return;
    }
    this.buffer = undefined;
    const done = this.done;
    this.done = undefined;
    done?.(head.startsWith('HTTP/1.1 200'));
  }
}

function once(connection: LoadConnection): Promise<boolean> {
  return new Promise((resolve) => {
    connection.send(resolve);
  });
}

/** Warms a target up (connections, JIT) with `count` requests over one connection. */
async function warm(target: Prepared, count: number): Promise<void> {
  const connection = new LoadConnection(target);
  for (let index = 0; index < count; index++) if (!(await once(connection))) break;
  connection.close();
}

/**
 * `count` requests over `connections` kept-alive connections, each sending its next once the answer is in; resolves
 * with how many were answered 200.
 */
export async function sendCount(target: Target, count: number, connections: number): Promise<number> {
  const prepared = prepare(target);
  let ok = 0;
  await Promise.all(
    Array.from({ length: connections }, async (_unused, index) => {
      const connection = new LoadConnection(prepared);
      const share = Math.floor(count / connections) + (index < count % connections ? 1 : 0);
      for (let sent = 0; sent < share; sent++) if (await once(connection)) ok++;
      connection.close();
    }),
  );
  return ok;
}

/**
 * `rate` requests a second for `seconds`, open loop, to each target in turn one second at a time (interleaved, so
 * that whatever else the machine does in those seconds falls on all targets alike).
 */
export async function fixedRate(targets: readonly Target[], rate: number, seconds: number): Promise<LoadFigures[]> {
  const prepared = targets.map(prepare);
  for (const target of prepared) await warm(target, 500);
  const figures = targets.map((): LoadFigures => ({ completed: 0, errors: 0, latenciesMs: [], seconds }));
  const idle = prepared.map((): LoadConnection[] => []);
  for (let second = 0; second < seconds; second++) {
    for (const [index, target] of prepared.entries()) {
      const pool = idle[index] ?? [];
      const result = figures[index];
      if (result === undefined) continue;
      const pending: Promise<void>[] = [];
      const start = performance.now();
      for (let sent = 0; sent < rate; sent++) {
        const wait = start + (sent * 1000) / rate - performance.now();
        if (wait >= 1) await sleep(wait);
        let connection = pool.pop();
        while (connection?.closed === true) connection = pool.pop();
        const using = connection ?? new LoadConnection(target);
        const sentAt = performance.now();
        pending.push(
          once(using).then((ok) => {
            result.latenciesMs.push(performance.now() - sentAt);
            result.completed++;
            if (!ok) result.errors++;
            if (!using.closed) pool.push(using);
          }),
        );
      }
      await Promise.all(pending);
    }
  }
  for (const pool of idle) for (const connection of pool) connection.close();
  return figures;
}

async function closedLoopNode(target: Target, concurrency: number, seconds: number): Promise<FlatOut> {
  const prepared = prepare(target);
  await warm(prepared, 500);
  const latencies: number[] = [];
  let errors = 0;
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let connection = new LoadConnection(prepared);
      while (performance.now() < stopAt) {
        const sent = performance.now();
        const ok = await once(connection);
        latencies.push(performance.now() - sent);
        if (!ok) errors++;
        if (connection.closed) connection = new LoadConnection(prepared);
      }
      connection.close();
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? Number.NaN;
  return {
    generator: 'node',
    perSecond: Math.round(latencies.length / seconds),
    completed: latencies.length,
    errors,
    p50Ms: at(50),
    p99Ms: at(99),
  };
}

function wrkMs(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (match?.[1] === undefined) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

async function closedLoopWrk(wrk: string, target: Target, concurrency: number, seconds: number): Promise<FlatOut> {
  await warm(prepare(target), 500);
  const headers = Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout: output } = await promisify(execFile)(wrk, [
    '-t1',
    `-c${concurrency}`,
    `-d${seconds}s`,
    '--latency',
    ...headers,
    target.url,
  ]);
  const completed = Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN);
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0) +
    (/Socket errors: (.*)/.exec(output)?.[1]?.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
  return {
    generator: 'wrk',
    perSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN)),
    completed,
    errors,
    p50Ms: wrkMs(output, '50'),
    p99Ms: wrkMs(output, '99'),
  };
}

/** As many requests as `concurrency` kept-alive connections complete in `seconds`. */
export function closedLoop(target: Target, concurrency: number, seconds: number): Promise<FlatOut> {
  return WRK !== undefined && flatOutGenerator() === 'wrk'
    ? closedLoopWrk(WRK, target, concurrency, seconds)
    : closedLoopNode(target, concurrency, seconds);
}
